"""C-5: GetBillingCoverage, membership's active workers against the period's bills.

Membership's events reach contributions late here as they would with its consumer paused:
they are fed after the run that billed their period. Every difference the report shows
must carry its reason; none may be UNEXPLAINED once the next run has billed the
corrections. One worker of risk group I at Rp4,000,000 a month is Rp279,600 a month
(JHT 148,000 + 80,000, JKK 9,600, JK 12,000, JPK 3% of the Rp1,000,000 cap 30,000).
"""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import delete

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.contributions.adapters.tables import pending_corrections
from tests.contributions.service.read_model_support import (
    Feed, employer_registered, office_tree, worker_enrolled, worker_terminated, worker_transferred,
)

A, B = "10000001", "10000002"
K1, K2, K3, K4 = "20000000001", "20000000002", "20000000003", "20000000004"
WAGE = 4_000_000
R = billing_pb2


@pytest.fixture
def feed(contributions):
    feed = Feed(contributions)
    feed(office_tree(), employer_registered(A), employer_registered(B))
    return feed


@pytest.fixture
def billing(as_user):
    return as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)


def run(billing, month: int) -> None:
    billing.StartBillingRun(R.StartBillingRunRequest(
        request_id=f"run-{month}", period=types_pb2.Period(year=2024, month=month), branch_code="KC-BINJAI"))


def coverage(billing, month: int, npp: str = "") -> R.GetBillingCoverageResponse:
    return billing.GetBillingCoverage(R.GetBillingCoverageRequest(
        period=types_pb2.Period(year=2024, month=month), branch_code="KC-BINJAI", npp=npp))


def differences(report) -> dict[tuple[str, str], tuple]:
    return {(e.npp, d.kpj): (d.active, d.billed, d.reason, tuple(d.bill_numbers), d.other_npp)
            for e in report.employers for d in e.differences}


@pytest.mark.rule("C-5")
def test_c5_coverage_explains_every_late_worker_and_none_is_unexplained_after_the_next_run(feed, billing):
    feed(worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)), worker_enrolled(K3, B, WAGE, start=date(2024, 1, 2)),
         worker_enrolled(K4, B, WAGE, start=date(2024, 1, 2)))
    run(billing, 3)
    # After the March run: K2 joined A on 10 March, K3 left B on 20 February, K4 moved from
    # B to A on 10 March (A, the later employment, bills March).
    feed(worker_enrolled(K2, A, WAGE, start=date(2024, 3, 10)), worker_terminated(K3, B, date(2024, 2, 20)),
         worker_transferred(K4, A, B, WAGE, date(2024, 3, 10)))

    waiting = coverage(billing, 3)
    assert waiting.unexplained == 0
    assert differences(waiting) == {
        (A, K2): (True, False, R.COVERAGE_REASON_PENDING_CORRECTION, (), ""),
        (A, K4): (True, False, R.COVERAGE_REASON_PENDING_CORRECTION, (), ""),
        (B, K3): (False, True, R.COVERAGE_REASON_PENDING_CORRECTION, (), ""),
        (B, K4): (True, True, R.COVERAGE_REASON_PENDING_CORRECTION, (), ""),
    }
    assert (waiting.workers_active, waiting.workers_billed) == (4, 3)  # K1, K2, K4 (at A and B); billed K1, K3, K4

    run(billing, 4)  # April's run bills March's corrections first
    done = coverage(billing, 3)
    assert done.unexplained == 0
    assert differences(done) == {
        (A, K2): (True, True, R.COVERAGE_REASON_CORRECTED, ("SPI-202403-10000001-K1",), ""),
        (A, K4): (True, True, R.COVERAGE_REASON_CORRECTED, ("SPI-202403-10000001-K1",), ""),
        (B, K3): (False, False, R.COVERAGE_REASON_CORRECTED, ("SPI-202403-10000002-K1",), ""),
        (B, K4): (True, False, R.COVERAGE_REASON_BILLED_BY_LATER_EMPLOYER, ("SPI-202403-10000002-K1",), A),
    }
    by_npp = {e.npp: (e.workers_active, e.workers_billed) for e in done.employers}
    assert by_npp == {A: (3, 3), B: (1, 0)}  # K4 is active at both in March, billed by A only
    correction = billing.GetBill(R.GetBillRequest(bill_number="SPI-202403-10000001-K1")).bill
    assert correction.total.rupiah == 2 * 279_600  # K2 and K4 each a whole month: 559,200
    credit = billing.GetBill(R.GetBillRequest(bill_number="SPI-202403-10000002-K1")).bill
    assert (credit.total.rupiah, credit.status_code) == (-2 * 279_600, R.BILL_STATUS_CREDIT)  # K3 and K4 off B

    april = coverage(billing, 4)
    assert (april.unexplained, differences(april)) == (0, {})  # April billed from the read model as it is


@pytest.mark.rule("C-5")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_c5_a_worker_nothing_accounts_for_is_unexplained(contributions, feed, billing):
    feed(worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)))
    run(billing, 3)
    feed(worker_enrolled(K2, A, WAGE, start=date(2024, 3, 10)))
    with contributions.app.ctx.base.unit_of_work() as uow:  # the pending correction lost
        uow.session.execute(delete(pending_corrections))
        uow.commit()
    report = coverage(billing, 3, npp=A)
    assert report.unexplained == 1
    assert differences(report) == {(A, K2): (True, False, R.COVERAGE_REASON_UNEXPLAINED, (), "")}


@pytest.mark.rule("C-5")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_c5_a_period_not_billed_yet_and_bad_requests(feed, billing, as_user):
    feed(worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)))
    report = coverage(billing, 3)
    assert differences(report) == {(A, K1): (True, False, R.COVERAGE_REASON_NOT_BILLED_YET, (), "")}
    assert report.unexplained == 0
    with pytest.raises(grpc.RpcError) as missing:
        billing.GetBillingCoverage(R.GetBillingCoverageRequest(period=types_pb2.Period(year=2024, month=3)))
    assert missing.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "branch_code" in missing.value.details()
    with pytest.raises(grpc.RpcError) as month:
        billing.GetBillingCoverage(R.GetBillingCoverageRequest(period=types_pb2.Period(year=2024, month=13),
                                                               branch_code="KC-BINJAI"))
    assert month.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    other = as_user("KC-MEDAN", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    with pytest.raises(grpc.RpcError) as foreign:
        other.GetBillingCoverage(R.GetBillingCoverageRequest(period=types_pb2.Period(year=2024, month=3),
                                                             branch_code="KC-BINJAI"))
    assert foreign.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)
