"""The broker SIGKILLed while workers are enrolled at a steady rate, then started again on
its port, empty (memory storage): M-3 enrolments and their C-5 bills come through intact.

Membership and contributions run as real services with their relays and consumers. While
the broker is dead both keep answering SERVING and membership keeps enrolling: a write
never waits on the broker, its events wait in the outbox. The kill comes right after a
burst of enrolments, when the broker has acknowledged events contributions has not read
yet: a broker that loses them must not lose them for good. Once the broker is back, the
relays find it lost what it had acknowledged and publish from the outbox again, and
contributions' inbox drops what it had applied: every WorkerEnrolled applied exactly once
in effect. The period's bills then equal those of an uninterrupted twin: a contributions
database fed the same membership outbox rows through the consumer's EventApplier (no
broker), billed the same way.
"""
from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from jamsos.membership.v1 import events_pb2
from services.chassis.consumer import EventApplier
from services.chassis.database import make_engine, make_read_session_factory
from services.chassis.events import parse_envelope
from services.chassis.runtime import ServiceRuntime
from services.contributions.adapters.tables import platform as contributions_tables, rm_employments, rm_workers
from services.contributions.application.read_model import CONSUMER as MEMBERSHIP_CONSUMER
from services.contributions.bootstrap import definition as contributions_definition
from services.membership.adapters.tables import platform as membership_tables, workers
from services.membership.bootstrap import definition as membership_definition
from tests.chassis.eventing import PausedConsumer, eventually
from tests.faults import sizes
from tests.faults.billing_state import billed_state
from tests.faults.load import HealthProbe, Outcome, SteadyLoad, answered_per_second
from tests.faults.processes import sigkill_broker
from tests.harness.broker import TansuBroker
from tests.membership.service.workers_fixtures import enrol_request, register_employer, workers_of
from tests.service_harness import Caller, start_service, token_for

pytestmark = pytest.mark.kafka

BRANCHES = ("KC-BINJAI", "KC-MEDAN", "KC-JAKSEL")
PERIOD = types_pb2.Period(year=2024, month=3)
# C-1..C-4 of one enrolled worker (enrol_request: married, Rp3,500,000, every program) of an
# employer in risk group III (register_employer): JHT 3.7% + 2% = 129,500 + 70,000; JK 0.3%
# = 10,500; JKK III 0.89% = 31,150; JPK 6% of the Rp1,000,000 cap = 60,000. In all:
PER_WORKER_BILLED = 301_150
BURST = 60  # enrolments at once just before the kill: more than contributions (one event a read) reads in a moment
ENROLLED = events_pb2.WorkerEnrolled.DESCRIPTOR.full_name


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def databases(request, tmp_path) -> Iterator:
    """`databases(label)`: a new empty database URL of the test's backend."""
    made: list[str] = []

    def new(label: str) -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path}/{label}.db"
        name = f"test_{label}_{uuid.uuid4().hex[:10]}"
        made.append(name)
        return request.getfixturevalue("postgres_server").create_database(name)

    new.backend = request.param
    yield new
    for name in made:
        request.getfixturevalue("postgres_server").drop_database(name)


@dataclass
class Platform:
    membership: ServiceRuntime
    contributions: ServiceRuntime
    membership_url: str
    contributions_url: str
    employers: list[tuple[str, str]]  # (NPP, branch)
    channel: grpc.Channel

    def as_user(self, office: str, *roles: str) -> Caller:
        return Caller(self.channel, token_for(office, *roles))

    def contributions_runner(self):
        """The runner of contributions' consumer of membership's events."""
        return next(r for r in self.contributions.consumer_runners if r.applier.name == MEMBERSHIP_CONSUMER)

    def addresses(self) -> dict[str, str]:
        return {"membership": f"127.0.0.1:{self.membership.grpc_port}",
                "contributions": f"127.0.0.1:{self.contributions.grpc_port}"}


@pytest.fixture
def platform(databases, broker, size) -> Iterator[Platform]:
    """Membership and contributions with relays and consumers, two employers per branch
    registered and known to contributions (so its consumers are up)."""
    if databases.backend == "postgres" and not sizes.full_size():
        pytest.skip("the PostgreSQL run of this fault is part of the full size (JAMSOS_FAULTS_FULL=1)")
    membership_url, contributions_url = databases("membership"), databases("contributions")
    membership = start_service(membership_definition(), membership_url, broker.bootstrap_servers)
    # Contributions reads one event at a time, committing each (as it did before batched
    # commits): the burst below must leave events acknowledged and unread at the kill.
    with patched_environment(CONSUMER_MAX_POLL_RECORDS="1", CONSUMER_COMMIT_INTERVAL_MS="0"):
        contributions = start_service(contributions_definition(), contributions_url, broker.bootstrap_servers)
    channel = grpc.insecure_channel(f"127.0.0.1:{membership.grpc_port}")
    try:
        made = Platform(membership, contributions, membership_url, contributions_url, [], channel)
        made.employers = [(register_employer(made.as_user, branch), branch) for branch in BRANCHES for _ in range(2)]
        inbox = contributions_tables["inbox"]
        eventually(lambda: len(rows(contributions_url, select(inbox.c.event_id))) > len(made.employers),
                   timeout=60)  # the office tree and every employer applied
        yield made
    finally:
        channel.close()
        contributions.stop(grace=0)
        membership.stop(grace=0)


@contextmanager
def patched_environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def rows(database_url: str, statement) -> list:
    engine = make_engine(database_url)
    try:
        with make_read_session_factory(engine)() as session:
            return list(session.execute(statement).all())
    finally:
        engine.dispose()


def published_not_applied(p: Platform) -> int:
    """WorkerEnrolled events the broker acknowledged that contributions has not applied yet."""
    outbox, inbox = membership_tables["outbox"], contributions_tables["inbox"]
    with p.membership.app.ctx.base.read_session() as session:
        published = session.execute(select(func.count()).select_from(outbox).where(
            outbox.c.event_type == ENROLLED, outbox.c.published_at.is_not(None))).scalar_one()
    with p.contributions.app.ctx.base.read_session() as session:
        applied = session.execute(select(func.count()).select_from(inbox).where(
            inbox.c.consumer == MEMBERSHIP_CONSUMER, inbox.c.event_type == ENROLLED)).scalar_one()
    return published - applied


@dataclass
class Outage:
    """What happened around the kill: the steady load's outcomes, the burst's KPJs, the health
    answers, and when the load began, the broker died, came back and the load ended."""

    outcomes: list[Outcome]
    burst: list[str]
    health: list[tuple[float, str, str]]
    unread_at_kill: int
    began: float
    killed: float
    restarted: float
    ended: float

    @property
    def enrolled(self) -> list[str]:
        return [o.result for o in self.outcomes if o.error is None] + self.burst


def enrol_across_a_broker_kill(p: Platform, broker: TansuBroker, size: sizes.FaultSize) -> tuple[Outage, HealthProbe]:
    """Steady enrolments, a burst, SIGKILL, the outage, the restart, steady again. The health
    probe is left running (its answers fill `Outage.health`) until the caller stops it."""
    officers = {branch: workers_of(p.as_user, branch) for branch in BRANCHES}

    def enrol(n: int) -> str:
        npp, branch = p.employers[n % len(p.employers)]
        return officers[branch].EnrolWorker(enrol_request(npp), timeout=5).worker.kpj

    probe = HealthProbe(p.addresses()).start()
    load = SteadyLoad(enrol, size.offered_per_second).start()
    began = time.monotonic()
    time.sleep(size.steady_seconds)
    # Contributions' consumer is held at its door through the burst, so the broker holds
    # acknowledged events it has not read when it dies (a consumer that keeps up would leave
    # the kill nothing to lose); it goes on as soon as the broker is dead.
    held = PausedConsumer(p.contributions_runner())
    held.pause()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            burst = list(pool.map(enrol, range(BURST)))
        eventually(lambda: published_not_applied(p) >= BURST // 4, timeout=30, interval=0.05)
        sigkill_broker(broker)
        killed, unread = time.monotonic(), published_not_applied(p)
    finally:
        held.resume()
    time.sleep(size.outage_seconds)
    broker.start()
    restarted = time.monotonic()
    time.sleep(size.steady_seconds)
    outcomes = load.stop()
    ended = time.monotonic()
    return Outage(outcomes, burst, probe.answers, unread, began, killed, restarted, ended), probe


def outbox_envelopes(database_url: str) -> list:
    outbox = membership_tables["outbox"]
    return [parse_envelope(bytes(raw)) for (raw,) in rows(database_url, select(outbox.c.envelope).order_by(outbox.c.id))]


def bill_everything(address: str, request_id: str, timeout: float = 90) -> billing_pb2.BillingRun:
    """The head office's run over every branch, followed until it completes."""
    with grpc.insecure_channel(address) as channel:
        billing = Caller(channel, token_for("KP", "HEAD_OFFICE_ADMIN"))(billing_pb2_grpc.BillingServiceStub)
        run = billing.StartBillingRun(billing_pb2.StartBillingRunRequest(request_id=request_id, period=PERIOD)).run
        deadline = time.monotonic() + timeout
        while run.status != billing_pb2.BILLING_RUN_STATUS_COMPLETED and time.monotonic() < deadline:
            time.sleep(0.2)
            run = billing.GetBillingRun(billing_pb2.GetBillingRunRequest(run_id=run.run_id)).run
    return run


def twin_billed(twin_url: str, membership_url: str):
    """A contributions database fed membership's outbox rows directly, then billed."""
    twin = start_service(contributions_definition(), twin_url)
    try:
        [spec] = [s for s in twin.definition.consumers(twin.app) if s.name == MEMBERSHIP_CONSUMER]
        applier = EventApplier(spec.name, "contributions", spec.registry, twin.app.ctx.base.unit_of_work)
        outcomes = {applier.apply(envelope) for envelope in outbox_envelopes(membership_url)}
        assert outcomes <= {"applied", "ignored"}
        run = bill_everything(f"127.0.0.1:{twin.grpc_port}", "twin-run")
    finally:
        twin.stop(grace=0)
    return run, billed_state(twin_url)


def assert_each_enrolment_applied_once(p: Platform, enrolled: list[str]) -> None:
    """Membership's workers are the read model's, each with one employment, and the inbox
    holds each WorkerEnrolled of membership's outbox once."""
    kpjs = sorted(kpj for (kpj,) in rows(p.membership_url, select(workers.c.kpj)))
    assert kpjs == sorted(enrolled)
    assert sorted(kpj for (kpj,) in rows(p.contributions_url, select(rm_workers.c.kpj))) == kpjs, \
        "the read model differs from membership's workers"
    assert sorted(kpj for (kpj,) in rows(p.contributions_url, select(rm_employments.c.kpj))) == kpjs, \
        "an enrolment applied twice or not at all"
    published = sorted(e.event_id for e in outbox_envelopes(p.membership_url) if e.event_type == ENROLLED)
    inbox = contributions_tables["inbox"]
    applied = sorted(event_id for (event_id,) in rows(p.contributions_url, select(inbox.c.event_id).where(
        inbox.c.consumer == MEMBERSHIP_CONSUMER, inbox.c.event_type == ENROLLED)))
    assert len(published) == len(enrolled) and applied == published


@pytest.mark.rule("M-3", "C-5")
def test_m3_enrolments_while_the_broker_is_sigkilled_reach_contributions_once_and_bill_as_the_twin(
        platform, databases, broker, tmp_path, size):
    outage, probe = enrol_across_a_broker_kill(platform, broker, size)
    assert [o for o in outage.outcomes if o.error is not None] == [], "an enrolment was refused or timed out"
    enrolled = outage.enrolled
    assert len(enrolled) == len(set(enrolled)) == len(outage.outcomes) + BURST

    eventually(lambda: len(rows(platform.contributions_url, select(rm_workers.c.kpj))) >= len(enrolled),
               timeout=120, interval=0.5)
    caught_up = time.monotonic()
    probe.stop()
    time.sleep(1.0)  # anything late (a duplicate applied twice) would land now
    assert_each_enrolment_applied_once(platform, enrolled)

    during = [answer for when, _, answer in outage.health if outage.killed <= when < outage.restarted]
    assert len(during) >= 2 * int(size.outage_seconds), "too few health checks during the outage"
    assert {answer for _, _, answer in outage.health} == {"SERVING"}, "a service stopped serving"
    outcomes = outage.outcomes
    figures = {
        "backend": databases.backend, "outage_seconds": size.outage_seconds,
        "offered_per_second": size.offered_per_second, "enrolled": len(enrolled),
        "acknowledged_unread_at_kill": outage.unread_at_kill,
        "answered_per_second_before": answered_per_second(outcomes, outage.began, outage.killed),
        "answered_per_second_during": answered_per_second(outcomes, outage.killed, outage.restarted),
        "answered_per_second_after": answered_per_second(outcomes, outage.restarted, outage.ended),
        "slowest_enrolment_ms_during": round(1000 * max(
            (o.ended - o.started for o in outcomes if outage.killed <= o.started < outage.restarted), default=0)),
        "seconds_restart_to_read_model_complete": round(caught_up - outage.restarted, 1),
    }
    # A generous sanity bound, not a timing assertion: most of the offered rate got through.
    assert figures["answered_per_second_during"] >= size.offered_per_second / 2, figures

    run = bill_everything(f"127.0.0.1:{platform.contributions.grpc_port}", "live-run")
    assert run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED, run
    twin_run, twin = twin_billed(databases("twin"), platform.membership_url)
    live = billed_state(platform.contributions_url)
    employers = len(platform.employers)
    assert (run.bills_issued, run.employers_done) == (twin_run.bills_issued, twin_run.employers_done) \
        == (employers, employers)
    assert live.bills == twin.bills, "bills differ from the uninterrupted twin"
    assert live.lines == twin.lines, "bill lines differ from the uninterrupted twin"
    assert live.total_rupiah == len(enrolled) * PER_WORKER_BILLED
    sizes.report("broker-killed-mid-enrolment", figures, tmp_path)
