"""C-5: a worker who joins or leaves a billed period late is never left out or billed twice.

An enrolment, transfer, termination or death that reaches an already billed period (a
back-dated date, or an event that arrives after the run) is recorded with its event and
billed by the branch's next billing job: one bill per employer and period, a debit for
workers who join (the regular bill when the run found nobody to bill) and a CREDIT for
workers who leave.

Every figure is one single worker of risk group I at Rp4,000,000 a month (C-1..C-4):
JHT 3.7% employer 148,000 + 2% worker 80,000, JKK 0.24% 9,600, JK 0.3% 12,000, JPK 3% of
the Rp1,000,000 cap 30,000: Rp279,600 in all.
"""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from tests.contributions.service.read_model_support import (
    Feed, employer_registered, envelope, office_tree, worker_died, worker_enrolled, worker_terminated, worker_transferred,
)

A, B, C = "10000001", "10000002", "10000003"
K1, K2, K3 = "20000000001", "20000000002", "20000000003"
WAGE = 4_000_000
ONE_WORKER = {("JHT", "EMPLOYER"): 148_000, ("JHT", "WORKER"): 80_000, ("JKK", "EMPLOYER"): 9_600,
              ("JK", "EMPLOYER"): 12_000, ("JPK", "EMPLOYER"): 30_000}
ONE_WORKER_TOTAL = 279_600


@pytest.fixture
def feed(contributions):
    feed = Feed(contributions)
    feed(office_tree(), employer_registered(A), employer_registered(B), employer_registered(C))
    return feed


@pytest.fixture
def billing(as_user):
    return as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)


def run(billing, month: int, tag: str = "") -> billing_pb2.BillingRun:
    return billing.StartBillingRun(billing_pb2.StartBillingRunRequest(
        request_id=f"run-{month}{tag}", period=types_pb2.Period(year=2024, month=month), branch_code="KC-BINJAI")).run


def bills_of(billing, npp: str, month: int) -> dict[str, billing_pb2.Bill]:
    listed = billing.ListBills(billing_pb2.ListBillsRequest(npp=npp, period=types_pb2.Period(year=2024, month=month))).bills
    return {b.bill_number: billing.GetBill(billing_pb2.GetBillRequest(bill_number=b.bill_number)).bill for b in listed}


def by_worker(bill) -> dict[str, dict[tuple[str, str], int]]:
    found: dict[str, dict[tuple[str, str], int]] = {}
    for line in bill.lines:
        found.setdefault(line.kpj, {})[(line.program, line.payer)] = line.amount.rupiah
    return found


def negated(lines: dict) -> dict:
    return {key: -amount for key, amount in lines.items()}


@pytest.mark.rule("C-5", "M-3")
def test_c5_workers_enrolled_into_billed_periods_are_billed_by_the_next_run_in_one_correction_each(feed, billing):
    feed(worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)))
    run(billing, 3), run(billing, 4)
    # Late: K2 started 10 March, K3 on 1 April; their events reach contributions after both runs.
    late_k2 = envelope(worker_enrolled(K2, A, WAGE, start=date(2024, 3, 10)))
    feed(late_k2, worker_enrolled(K3, A, WAGE, start=date(2024, 4, 1)))
    assert set(bills_of(billing, A, 3)) == {"SPI-202403-10000001"}  # recorded, billed by the next run

    may = run(billing, 5)
    assert may.bills_issued == 3  # May's bill and the two corrections
    march = bills_of(billing, A, 3)["SPI-202403-10000001-K1"]
    assert (march.kind, march.status, march.total.rupiah) == (billing_pb2.BILL_KIND_CORRECTION, "OPEN", ONE_WORKER_TOTAL)
    assert by_worker(march) == {K2: ONE_WORKER}
    april = bills_of(billing, A, 4)["SPI-202404-10000001-K1"]
    assert by_worker(april) == {K2: ONE_WORKER, K3: ONE_WORKER} and april.total.rupiah == 2 * 279_600
    assert set(by_worker(bills_of(billing, A, 5)["SPI-202405-10000001"])) == {K1, K2, K3}

    feed(late_k2.__class__.FromString(late_k2.SerializeToString()))  # the same envelope: the inbox drops it
    feed(worker_enrolled(K2, A, WAGE, start=date(2024, 3, 10)))       # the same fact under a new event id
    assert run(billing, 5, "-again").bills_issued == 0
    assert set(bills_of(billing, A, 3)) == {"SPI-202403-10000001", "SPI-202403-10000001-K1"}


@pytest.mark.rule("C-5", "M-8")
def test_c5_back_dated_termination_and_death_credit_the_periods_billed_after_them(feed, billing):
    feed(worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)), worker_enrolled(K2, A, WAGE, start=date(2024, 1, 2)))
    for month in (3, 4, 5):
        run(billing, month)
    # K1 left on 20 March (still billed for March: a started month is billed); K2 died on 5 April.
    feed(worker_terminated(K1, A, date(2024, 3, 20)), worker_died(K2, A, date(2024, 4, 5)))
    run(billing, 6)
    assert set(bills_of(billing, A, 3)) == {"SPI-202403-10000001"}
    april = bills_of(billing, A, 4)["SPI-202404-10000001-K1"]
    assert (april.status, april.total.rupiah) == ("CREDIT", -279_600)
    assert by_worker(april) == {K1: negated(ONE_WORKER)}
    may = bills_of(billing, A, 5)["SPI-202405-10000001-K1"]
    assert (may.status, may.total.rupiah, may.worker_share.rupiah) == ("CREDIT", -559_200, -160_000)
    assert by_worker(may) == {K1: negated(ONE_WORKER), K2: negated(ONE_WORKER)}
    assert "SPI-202406-10000001" not in bills_of(billing, A, 6)  # nobody left to bill in June


@pytest.mark.rule("C-5")
def test_c5_a_back_dated_transfer_moves_the_worker_from_one_employers_bill_to_the_others(feed, billing):
    feed(worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)), worker_enrolled(K2, A, WAGE, start=date(2024, 1, 2)),
         worker_enrolled(K3, B, WAGE, start=date(2024, 1, 2)))
    run(billing, 3), run(billing, 4)
    feed(worker_transferred(K1, B, A, WAGE, date(2024, 4, 1)))  # from A to B on 1 April, told in May
    run(billing, 5)
    assert by_worker(bills_of(billing, A, 4)["SPI-202404-10000001-K1"]) == {K1: negated(ONE_WORKER)}
    assert by_worker(bills_of(billing, B, 4)["SPI-202404-10000002-K1"]) == {K1: ONE_WORKER}
    assert set(bills_of(billing, A, 3)) == {"SPI-202403-10000001"} and set(bills_of(billing, B, 3)) == {"SPI-202403-10000002"}
    assert set(by_worker(bills_of(billing, B, 5)["SPI-202405-10000002"])) == {K1, K3}


@pytest.mark.rule("C-5")
def test_c5_the_first_worker_of_an_employer_the_run_passed_over_gets_the_regular_bill(feed, billing):
    feed(worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)))
    run(billing, 3)  # C has nobody yet: no bill of C for March
    assert bills_of(billing, C, 3) == {}
    feed(worker_enrolled(K3, C, WAGE, start=date(2024, 3, 1)))
    run(billing, 4)
    march = bills_of(billing, C, 3)
    assert set(march) == {"SPI-202403-10000003"}
    bill = march["SPI-202403-10000003"]
    assert (bill.kind, bill.total.rupiah, by_worker(bill)) == (billing_pb2.BILL_KIND_REGULAR, ONE_WORKER_TOTAL, {K3: ONE_WORKER})
    assert (bill.due_date.month, bill.due_date.day) == (4, 15)  # March's own due date (C-6)


@pytest.mark.rule("C-5", "M-3", "O-2")
def test_c5_a_back_dated_transfer_to_another_branch_is_credited_by_one_branch_and_billed_by_the_other(
        feed, billing, as_user):
    medan = as_user("KC-MEDAN", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    d = "10000004"
    feed(employer_registered(d, branch="KC-MEDAN"), worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)),
         worker_enrolled(K2, A, WAGE, start=date(2024, 1, 2)),
         worker_enrolled(K3, d, WAGE, start=date(2024, 1, 2), branch="KC-MEDAN"))
    for stub, branch in ((billing, "KC-BINJAI"), (medan, "KC-MEDAN")):
        stub.StartBillingRun(billing_pb2.StartBillingRunRequest(
            request_id=f"april-{branch}", period=types_pb2.Period(year=2024, month=4), branch_code=branch))
    moved = worker_transferred(K1, d, A, WAGE, date(2024, 4, 1), branch="KC-MEDAN")
    moved.previous_branch_code = "KC-BINJAI"
    feed(moved)  # from A (Binjai) to D (Medan) on 1 April, told after both branches billed April

    run(billing, 5)  # Binjai's next run credits A's April; Medan's is still to come
    assert by_worker(bills_of(billing, A, 4)["SPI-202404-10000001-K1"]) == {K1: negated(ONE_WORKER)}
    assert set(bills_of(medan, d, 4)) == {"SPI-202404-10000004"}
    medan.StartBillingRun(billing_pb2.StartBillingRunRequest(
        request_id="may-KC-MEDAN", period=types_pb2.Period(year=2024, month=5), branch_code="KC-MEDAN"))
    debit = bills_of(medan, d, 4)["SPI-202404-10000004-K1"]
    assert (debit.branch_code, debit.total.rupiah, by_worker(debit)) == ("KC-MEDAN", ONE_WORKER_TOTAL, {K1: ONE_WORKER})
    assert set(by_worker(bills_of(medan, d, 5)["SPI-202405-10000004"])) == {K1, K3}
    assert set(by_worker(bills_of(billing, A, 5)["SPI-202405-10000001"])) == {K2}
    with pytest.raises(grpc.RpcError) as err:  # Medan's correction is Medan's (O-2)
        billing.GetBill(billing_pb2.GetBillRequest(bill_number="SPI-202404-10000004-K1"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("C-5", "M-3")
def test_c5_late_enrolments_in_one_batch_of_the_consumer_are_billed_as_one_at_a_time(feed, billing):
    """The consumer hands a poll's enrolments over as one batch, written a statement per table
    for a run of distinct workers: each worker's billed periods are still found from its own
    start (K2 in March and April at A; K3 only in April at B, whose April nobody was billed in),
    and the same worker again in the batch is the next run's (no second correction)."""
    feed(worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)))
    run(billing, 3), run(billing, 4)
    late = [worker_enrolled(K2, A, WAGE, start=date(2024, 3, 10)), worker_enrolled(K3, B, WAGE, start=date(2024, 4, 1)),
            worker_enrolled(K2, A, WAGE, start=date(2024, 3, 10))]  # the same fact under a new event id
    assert feed.applier.apply_batch([(envelope(payload), None) for payload in late]) == ["applied"] * 3

    may = run(billing, 5)
    assert may.bills_issued == 5  # May's bills of A and B, A's two corrections, B's regular April bill
    assert by_worker(bills_of(billing, A, 3)["SPI-202403-10000001-K1"]) == {K2: ONE_WORKER}
    assert by_worker(bills_of(billing, A, 4)["SPI-202404-10000001-K1"]) == {K2: ONE_WORKER}
    assert set(bills_of(billing, B, 3)) == set()
    april_b = bills_of(billing, B, 4)["SPI-202404-10000002"]
    assert (april_b.kind, by_worker(april_b)) == (billing_pb2.BILL_KIND_REGULAR, {K3: ONE_WORKER})
    assert set(by_worker(bills_of(billing, A, 5)["SPI-202405-10000001"])) == {K1, K2}
