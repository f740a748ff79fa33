"""C-5, issue 12 "done when": no rupiah left out when membership's events reach billing late.

The whole path is real: membership's API, its outbox and relay, a broker of the test's own,
contributions' consumer of membership's events, billing jobs claimed by its job workers.
That consumer is paused (each event it is handed waits at the door, unapplied) while a
worker is enrolled back-dated into March and another one's termination back-dated to
February, and March is billed meanwhile: the run bills from the read model as it stands.
Once the consumer resumes, April's run (told to wait for membership's position) issues
March's corrections, and the coverage report has nothing unexplained at any point.

One single worker of risk group I at Rp4,000,000 a month (C-1..C-4): JHT 3.7% employer
148,000 + 2% worker 80,000, JKK 0.24% 9,600, JK 0.3% 12,000, JPK 3% of the Rp1,000,000 cap
30,000: Rp279,600.
"""
from __future__ import annotations

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2 as R, billing_pb2_grpc
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, positions_pb2, positions_pb2_grpc
from jamsos.membership.v1 import workers_pb2, workers_pb2_grpc
from services.contributions.application.read_model import CONSUMER
from services.membership.bootstrap import definition as membership_definition
from tests.chassis.eventing import PausedConsumer, eventually
from tests.contributions.service.billing_workers import start_with_job_workers
from tests.service_harness import Caller, start_service, token_for

pytestmark = pytest.mark.kafka

WAGE, MONTHLY = 4_000_000, 279_600
ONE_WORKER = {("JHT", "EMPLOYER"): 148_000, ("JHT", "WORKER"): 80_000, ("JKK", "EMPLOYER"): 9_600,
              ("JK", "EMPLOYER"): 12_000, ("JPK", "EMPLOYER"): 30_000}
BRANCH = "KC-BINJAI"


@pytest.fixture
def platform(sqlite_url, tmp_path, restartable_broker):
    """Membership and contributions on a broker of their own (on the shared one, other tests'
    membership events with the same NPPs would reach this contributions)."""
    membership = start_service(membership_definition(), f"sqlite:///{tmp_path}/membership.db",
                               restartable_broker.bootstrap_servers)
    contributions = start_with_job_workers(sqlite_url, restartable_broker.bootstrap_servers)
    runner = next(r for r in contributions.consumer_runners if r.applier.name == CONSUMER)
    paused = PausedConsumer(runner)
    yield membership, contributions, paused
    paused.resume()
    contributions.stop(grace=0)
    membership.stop(grace=0)


def until(fetch, ok, timeout: float = 30.0):
    """`fetch()` again until `ok` of its answer: that answer."""
    answers: list = []
    eventually(lambda: ok(answers.append(fetch()) or answers[-1]), timeout=timeout)
    return answers[-1]


def date_(y: int, m: int, d: int) -> types_pb2.Date:
    return types_pb2.Date(year=y, month=m, day=d)


class Client:
    """The calls an office makes, as a client would make them."""

    def __init__(self, membership, contributions):
        m = grpc.insecure_channel(f"127.0.0.1:{membership.grpc_port}")
        c = grpc.insecure_channel(f"127.0.0.1:{contributions.grpc_port}")
        self.employers = Caller(m, token_for(BRANCH, "MARKETING_OFFICER"))(employers_pb2_grpc.EmployerServiceStub)
        admin = Caller(m, token_for(BRANCH, "ADMINISTRATION_OFFICER"))
        self.workers = admin(workers_pb2_grpc.WorkerServiceStub)
        self.positions = admin(positions_pb2_grpc.EventPositionServiceStub)
        self.billing = Caller(c, token_for(BRANCH, "ADMINISTRATION_OFFICER"))(billing_pb2_grpc.BillingServiceStub)

    def employer(self, name: str) -> str:
        return self.employers.RegisterEmployer(employers_pb2.RegisterEmployerRequest(
            request_id=f"e-{len(name)}-{name.split()[-1]}", branch_code=BRANCH, legal_name=name, sector="Manufaktur", address="Jl. Gatot 7",
            registration_date=date_(2024, 1, 2), risk_group=1, kind=employers_pb2.EMPLOYER_KIND_COMPANY)).employer.npp

    def enrol(self, npp: str, serial: int, start: types_pb2.Date) -> str:
        return self.workers.EnrolWorker(workers_pb2.EnrolWorkerRequest(
            request_id=f"w-{serial}", npp=npp, nik=f"127501010190{serial:04d}", name=f"Pekerja {serial}",
            birth_date=date_(1990, 1, 1), sex=workers_pb2.SEX_MALE, marital_status=workers_pb2.MARITAL_STATUS_SINGLE,
            monthly_wage=types_pb2.Money(rupiah=WAGE), start_date=start)).worker.kpj

    def published(self) -> list[R.ReadModelPosition]:
        """Membership's position once every event it committed is on the broker."""
        got = until(lambda: self.positions.GetEventPosition(positions_pb2.GetEventPositionRequest()),
                    lambda answer: answer.unpublished == 0)
        return [R.ReadModelPosition(topic=p.topic, partition=p.partition, offset=p.offset) for p in got.positions]

    def bill_month(self, month: int, wait_for=()) -> R.BillingRun:
        """StartBillingRun, then WatchBillingRun to the end (the job workers bill it after the call)."""
        run = self.billing.StartBillingRun(R.StartBillingRunRequest(
            request_id=f"run-{month}", period=types_pb2.Period(year=2024, month=month), branch_code=BRANCH,
            wait_for=list(wait_for), wait_seconds=20 if wait_for else 0), timeout=40).run
        for update in self.billing.WatchBillingRun(R.WatchBillingRunRequest(run_id=run.run_id), timeout=60):
            run = update.run
        assert run.status == R.BILLING_RUN_STATUS_COMPLETED
        return run

    def bills(self, npp: str, month: int) -> dict[str, R.Bill]:
        listed = self.billing.ListBills(R.ListBillsRequest(npp=npp, period=types_pb2.Period(year=2024, month=month)))
        return {b.bill_number: self.billing.GetBill(R.GetBillRequest(bill_number=b.bill_number)).bill
                for b in listed.bills}

    def coverage(self, month: int) -> R.GetBillingCoverageResponse:
        return self.billing.GetBillingCoverage(R.GetBillingCoverageRequest(
            period=types_pb2.Period(year=2024, month=month), branch_code=BRANCH))


def by_worker(bill: R.Bill) -> dict[str, dict[tuple[str, str], int]]:
    found: dict[str, dict[tuple[str, str], int]] = {}
    for line in bill.lines:
        found.setdefault(line.kpj, {})[(line.program, line.payer)] = line.amount.rupiah
    return found


def differences(report) -> dict[tuple[str, str], tuple]:
    return {(e.npp, d.kpj): (d.active, d.billed, d.reason, tuple(d.bill_numbers))
            for e in report.employers for d in e.differences}


@pytest.mark.rule("C-5", "C-7", "M-3", "M-8")
def test_c5_workers_whose_events_wait_behind_a_paused_consumer_are_corrected_to_the_rupiah(platform):
    membership, contributions, consumer = platform
    client = Client(membership, contributions)
    a, b = client.employer("PT Sumber Makmur"), client.employer("PT Karya Abadi")
    k1, k3 = client.enrol(a, 1, date_(2024, 1, 2)), client.enrol(b, 3, date_(2024, 1, 2))
    february = client.bill_month(2, wait_for=client.published())
    assert february.bills_issued == 2

    consumer.pause()
    k2 = client.enrol(a, 2, date_(2024, 3, 10))  # joined A on 10 March
    client.workers.TerminateWorker(workers_pb2.TerminateWorkerRequest(  # left B on 20 February
        request_id="t-3", kpj=k3, termination_date=date_(2024, 2, 20), reason=workers_pb2.TERMINATION_REASON_RESIGNED))
    late = client.published()  # both events are on the broker ...
    eventually(lambda: bool(consumer.held), timeout=30)  # ... and contributions' consumer holds the first at its door
    march = client.bill_month(3)
    # The run says what it billed from: short of membership's position.
    billed_from = {p.partition: p.offset for p in march.read_model_positions}
    assert any(billed_from.get(p.partition, -1) < p.offset for p in late)
    assert by_worker(client.bills(a, 3)[f"SPI-202403-{a}"]) == {k1: ONE_WORKER}
    assert by_worker(client.bills(b, 3)[f"SPI-202403-{b}"]) == {k3: ONE_WORKER}  # K3 still on B as far as it knew

    consumer.resume()
    pending = R.COVERAGE_REASON_PENDING_CORRECTION
    expected_waiting = {(a, k2): (True, False, pending, ()), (b, k3): (False, True, pending, ())}
    waiting = until(lambda: client.coverage(3), lambda report: differences(report) == expected_waiting)
    assert waiting.unexplained == 0

    april = client.bill_month(4, wait_for=late)
    assert april.bills_issued == 3  # April's bill of A and March's two corrections; B has nobody left in April
    march_a, march_b = client.bills(a, 3), client.bills(b, 3)
    debit, credit = march_a[f"SPI-202403-{a}-K1"], march_b[f"SPI-202403-{b}-K1"]
    assert (debit.kind, debit.status_code, debit.total.rupiah, by_worker(debit)) == (
        R.BILL_KIND_CORRECTION, R.BILL_STATUS_OPEN, MONTHLY, {k2: ONE_WORKER})
    assert (credit.kind, credit.total.rupiah, credit.worker_share.rupiah) == (R.BILL_KIND_CORRECTION, -MONTHLY, -80_000)
    assert by_worker(credit) == {k3: {key: -amount for key, amount in ONE_WORKER.items()}}
    # The credit pays B's oldest open bill, February's (C-7): B owes one month, not two.
    # The credit is applied by the consumer of its BillIssued, after the run: waited for.
    credit = until(lambda: client.bills(b, 3)[credit.bill_number], lambda bill: bill.status_code == R.BILL_STATUS_APPLIED)
    owed_b = {n: (bill.status_code, bill.paid.rupiah) for n, bill in {**client.bills(b, 2), **client.bills(b, 3)}.items()
              if bill.kind == R.BILL_KIND_REGULAR}
    assert credit.status_code == R.BILL_STATUS_APPLIED
    assert owed_b == {f"SPI-202402-{b}": (R.BILL_STATUS_PAID, MONTHLY), f"SPI-202403-{b}": (R.BILL_STATUS_OPEN, 0)}
    assert set(march_a) == {f"SPI-202403-{a}", debit.bill_number} and set(march_b) == {f"SPI-202403-{b}", credit.bill_number}
    april_a = client.bills(a, 4)[f"SPI-202404-{a}"]
    assert (april_a.total.rupiah, by_worker(april_a)) == (2 * MONTHLY, {k1: ONE_WORKER, k2: ONE_WORKER})
    assert client.bills(b, 4) == {}
    assert {n: bill.total.rupiah for n, bill in {**client.bills(a, 2), **client.bills(b, 2)}.items()} == {
        f"SPI-202402-{a}": MONTHLY, f"SPI-202402-{b}": MONTHLY}  # February was right: K2 not yet, K3 still there

    corrected = R.COVERAGE_REASON_CORRECTED
    done = client.coverage(3)
    assert done.unexplained == 0
    assert differences(done) == {(a, k2): (True, True, corrected, (debit.bill_number,)),
                                 (b, k3): (False, False, corrected, (credit.bill_number,))}
    assert {e.npp: (e.workers_active, e.workers_billed) for e in done.employers} == {a: (2, 2), b: (0, 0)}
    after = client.coverage(4)
    assert (after.unexplained, differences(after)) == (0, {})
