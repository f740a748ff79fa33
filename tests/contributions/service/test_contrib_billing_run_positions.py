"""C-5, issue 12 (b): a billing run records how far the read model had applied membership's
events (per partition of membership's topic), GetBillingRun reports it, and a run can be told
to wait until the read model has applied up to a point the caller got from membership.

Events reach the read model here as the consumer runner hands them over, each with its
partition and offset; "the consumer is behind" is an event not handed over yet. One worker
of risk group I at Rp4,000,000 a month, single, in all four programs, is Rp279,600 a month
(JHT 148,000 + 80,000, JKK 9,600, JK 12,000, JPK 3% of the Rp1,000,000 cap 30,000).
"""
from __future__ import annotations

import threading
import time
import uuid
from datetime import date

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, positions_pb2, positions_pb2_grpc
from jamsos.membership.v1 import workers_pb2, workers_pb2_grpc
from services.chassis.consumer import EventApplier, MessagePosition
from services.contributions.adapters.tables import billing_runs
from services.contributions.application.read_model import CONSUMER
from services.contributions.bootstrap import definition as contributions_definition
from services.membership.bootstrap import definition as membership_definition
from tests.chassis.eventing import eventually
from tests.contributions.service.read_model_support import employer_registered, envelope, office_tree, worker_enrolled
from tests.service_harness import Caller, rule_of, start_service, token_for, violated_fields, violation_code_of

TOPIC = "jamsos.membership.events.v1"
A = "10000001"
K1, K2 = "20000000001", "20000000002"
WAGE, MONTHLY = 4_000_000, 279_600
MARCH = types_pb2.Period(year=2024, month=3)
R = billing_pb2


class Consumer:
    """Membership's events applied as the runner applies them: partition 0, offsets 0, 1, 2..."""

    def __init__(self, runtime):
        app = runtime.app
        self.applier = EventApplier(CONSUMER, "contributions", app.read_model.registry, app.ctx.base.unit_of_work)
        self.next_offset = 0

    def __call__(self, *payloads) -> int:
        """Applies each event at the next offset; returns the offset of the last one."""
        for payload in payloads:
            assert self.applier.apply(envelope(payload), MessagePosition(TOPIC, 0, self.next_offset)) == "applied"
            self.next_offset += 1
        return self.next_offset - 1


@pytest.fixture
def consumer(contributions):
    consumer = Consumer(contributions)
    consumer(office_tree(), employer_registered(A), worker_enrolled(K1, A, WAGE, start=date(2024, 1, 2)))
    return consumer


@pytest.fixture
def billing(as_user):
    return as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)


def start(billing, request_id: str, wait_for=(), wait_seconds: int = 0) -> R.BillingRun:
    return billing.StartBillingRun(R.StartBillingRunRequest(
        request_id=request_id, period=MARCH, branch_code="KC-BINJAI", wait_seconds=wait_seconds,
        wait_for=[R.ReadModelPosition(partition=p, offset=o) for p, o in wait_for])).run


def positions(run: R.BillingRun) -> list[tuple[str, int, int]]:
    return [(p.topic, p.partition, p.offset) for p in run.read_model_positions]


def march_bill(billing) -> R.Bill:
    return billing.GetBill(R.GetBillRequest(bill_number=f"SPI-202403-{A}")).bill


def runs(contributions) -> int:
    with contributions.app.ctx.base.read_session() as session:
        return session.execute(select(func.count()).select_from(billing_runs)).scalar_one()


@pytest.mark.rule("C-5")
def test_c5_a_run_records_the_position_it_billed_from_and_a_later_event_is_not_in_it(contributions, consumer, billing):
    run = start(billing, "run-1")
    assert run.status == R.BILLING_RUN_STATUS_COMPLETED
    assert positions(run) == [(TOPIC, 0, 2)]
    consumer(worker_enrolled(K2, A, WAGE, start=date(2024, 1, 2)))  # reaches the read model after the run
    again = billing.GetBillingRun(R.GetBillingRunRequest(run_id=run.run_id)).run
    assert positions(again) == [(TOPIC, 0, 2)]  # what the run billed from, not where the read model is now
    bill = march_bill(billing)
    assert ({line.kpj for line in bill.lines}, bill.total.rupiah) == ({K1}, MONTHLY)


@pytest.mark.rule("C-5")
def test_c5_a_run_told_to_wait_waits_for_the_late_worker_then_bills_him(contributions, consumer, billing):
    answer: dict = {}
    waiting = threading.Thread(target=lambda: answer.update(run=start(billing, "run-1", wait_for=[(0, 3)],
                                                                      wait_seconds=15)))
    waiting.start()
    time.sleep(0.8)
    assert waiting.is_alive() and runs(contributions) == 0  # not started on the read model as it stands
    assert consumer(worker_enrolled(K2, A, WAGE, start=date(2024, 1, 2))) == 3
    waiting.join(timeout=20)
    run = answer["run"]
    assert run.status == R.BILLING_RUN_STATUS_COMPLETED and positions(run) == [(TOPIC, 0, 3)]
    bill = march_bill(billing)
    assert ({line.kpj for line in bill.lines}, bill.total.rupiah) == ({K1, K2}, 2 * MONTHLY)
    assert positions(billing.GetBillingRun(R.GetBillingRunRequest(run_id=run.run_id)).run) == [(TOPIC, 0, 3)]


@pytest.mark.rule("C-5")
def test_c5_a_run_whose_wait_passes_is_refused_and_not_started(contributions, consumer, billing):
    began = time.monotonic()
    with pytest.raises(grpc.RpcError) as err:
        start(billing, "run-1", wait_for=[(0, 9)], wait_seconds=1)
    assert time.monotonic() - began >= 1.0
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (rule_of(err.value), violation_code_of(err.value)) == ("C-5", "READ_MODEL_BEHIND")
    assert "partition 0: 2 of 9" in err.value.details()
    assert runs(contributions) == 0


@pytest.mark.rule("C-5")
def test_c5_a_position_already_applied_starts_the_run_at_once(contributions, consumer, billing):
    began = time.monotonic()
    run = start(billing, "run-1", wait_for=[(0, 1)])
    assert time.monotonic() - began < 1.0 and positions(run) == [(TOPIC, 0, 2)]


def test_the_wait_point_is_validated(contributions, billing):
    cases = [
        (dict(wait_for=[R.ReadModelPosition(topic="jamsos.welfare.events.v1", partition=0, offset=1)]), {"wait_for[0].topic"}),
        (dict(wait_for=[R.ReadModelPosition(partition=-1, offset=-2)]), {"wait_for[0].partition", "wait_for[0].offset"}),
        (dict(wait_for=[R.ReadModelPosition(offset=1)], wait_seconds=21), {"wait_seconds"}),
        (dict(wait_seconds=3), {"wait_seconds"}),  # a wait for nothing
    ]
    for fields, violated in cases:
        with pytest.raises(grpc.RpcError) as err:
            billing.StartBillingRun(R.StartBillingRunRequest(request_id=f"r-{uuid.uuid4().hex}", period=MARCH,
                                                             branch_code="KC-BINJAI", **fields))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(err.value) == violated, fields
    assert runs(contributions) == 0


# ---- over the broker: the point a client gets from membership ---------------------------------
@pytest.fixture
def platform(sqlite_url, tmp_path, restartable_broker):
    """Membership and contributions with their relays and consumers (the path is the same on both databases),
    on a broker of their own: on the shared one, contributions' consumer group would also apply other
    tests' membership events, whose NPPs a fresh membership database hands out again."""
    kafka_broker = restartable_broker
    membership = start_service(membership_definition(), f"sqlite:///{tmp_path}/membership.db",
                               kafka_broker.bootstrap_servers)
    contributions = start_service(contributions_definition(), sqlite_url, kafka_broker.bootstrap_servers)
    yield membership, contributions
    contributions.stop(grace=0)
    membership.stop(grace=0)


def date_(y, m, d):
    return types_pb2.Date(year=y, month=m, day=d)


@pytest.mark.kafka
@pytest.mark.rule("C-5")
def test_c5_a_client_waits_on_the_position_membership_reports_and_the_run_bills_its_new_worker(platform):
    membership, contributions = platform
    m_channel = grpc.insecure_channel(f"127.0.0.1:{membership.grpc_port}")
    c_channel = grpc.insecure_channel(f"127.0.0.1:{contributions.grpc_port}")
    marketing = Caller(m_channel, token_for("KC-BINJAI", "MARKETING_OFFICER"))(employers_pb2_grpc.EmployerServiceStub)
    admin = Caller(m_channel, token_for("KC-BINJAI", "ADMINISTRATION_OFFICER"))
    billing = Caller(c_channel, token_for("KC-BINJAI", "ADMINISTRATION_OFFICER"))(billing_pb2_grpc.BillingServiceStub)

    npp = marketing.RegisterEmployer(employers_pb2.RegisterEmployerRequest(
        request_id="e-1", branch_code="KC-BINJAI", legal_name="PT Sumber Makmur", sector="Manufaktur",
        address="Jl. Gatot 7", registration_date=date_(2024, 1, 2), risk_group=1,
        kind=employers_pb2.EMPLOYER_KIND_COMPANY)).employer.npp
    kpj = admin(workers_pb2_grpc.WorkerServiceStub).EnrolWorker(workers_pb2.EnrolWorkerRequest(
        request_id="w-1", npp=npp, nik="1275010101900001", name="Budi Santoso", birth_date=date_(1990, 1, 1),
        sex=workers_pb2.SEX_MALE, marital_status=workers_pb2.MARITAL_STATUS_SINGLE,
        monthly_wage=types_pb2.Money(rupiah=WAGE), start_date=date_(2024, 1, 2))).worker.kpj
    published = admin(positions_pb2_grpc.EventPositionServiceStub).GetEventPosition(positions_pb2.GetEventPositionRequest())
    assert published.unpublished == 0 and published.positions
    assert all(p.topic == TOPIC for p in published.positions)

    run = billing.StartBillingRun(R.StartBillingRunRequest(
        request_id="run-1", period=MARCH, branch_code="KC-BINJAI", wait_seconds=20,
        wait_for=[R.ReadModelPosition(topic=p.topic, partition=p.partition, offset=p.offset)
                  for p in published.positions]), timeout=30).run
    recorded = {p.partition: p.offset for p in run.read_model_positions}
    assert all(recorded[p.partition] >= p.offset for p in published.positions)
    eventually(lambda: billing.GetBillingRun(R.GetBillingRunRequest(run_id=run.run_id)).run.status
               == R.BILLING_RUN_STATUS_COMPLETED, timeout=30)
    bill = billing.GetBill(R.GetBillRequest(bill_number=f"SPI-202403-{npp}")).bill  # no polling for NOT_FOUND
    assert ({line.kpj for line in bill.lines}, bill.total.rupiah) == ({kpj}, MONTHLY)
