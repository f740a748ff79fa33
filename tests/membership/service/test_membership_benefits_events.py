"""Membership acts on benefits' member events (M-8): a death or a total permanent disability
an approved claim established lands on the worker record once, however often it arrives.

The events go through the consumer as a running service wires it (real envelope, real
handler registry, the inbox), on SQLite and PostgreSQL; the record is read back by GetWorker.
"""
from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.common.v1 import envelope_pb2
from jamsos.membership.v1 import events_pb2, workers_pb2
from services.chassis.consumer import EventApplier
from services.chassis.errors import InvalidArgument, NotFound, RuleViolation
from services.chassis.events import make_envelope, unpack_payload
from services.membership.adapters import tables
from services.membership.application.workers_benefit_events import CONSUMER
from services.membership.domain.person import MaritalStatus, Sex
from services.membership.domain.workers import Worker
from tests.membership.service.workers_fixtures import (
    START, d, enrol, outbox_envelopes, outbox_events, register_employer, request_id, workers_of,
)

DIED = date(2024, 3, 20)
DISABLED = date(2024, 2, 1)


def deceased(kpj: str, npp: str, day: date = DIED, claim: str = "CLM-JK-1") -> benefits_events.MemberDeceased:
    return benefits_events.MemberDeceased(kpj=kpj, npp=npp, branch_code="KC-BINJAI", death_date=d(day),
                                          work_accident=False, claim_id=claim)


def disabled(kpj: str, npp: str, day: date = DISABLED, claim: str = "CLM-JKK-1") -> benefits_events.MemberTotallyDisabled:
    return benefits_events.MemberTotallyDisabled(kpj=kpj, npp=npp, branch_code="KC-BINJAI", established_on=d(day),
                                                 work_accident=True, claim_id=claim)


def envelope(payload) -> envelope_pb2.EventEnvelope:
    return make_envelope(payload, aggregate_type="member", aggregate_id=payload.kpj, branch_code="KC-BINJAI",
                         producer="benefits")


def again(sent: envelope_pb2.EventEnvelope) -> envelope_pb2.EventEnvelope:
    """The same fact re-sent by its producer under a new event id."""
    copy = envelope_pb2.EventEnvelope()
    copy.CopyFrom(sent)
    copy.event_id = str(uuid.uuid4())
    return copy


def apply(runtime, event) -> str:
    """Through the consumer the service wires (`definition.consumers`), inbox and all."""
    [spec] = [s for s in runtime.definition.consumers(runtime.app) if s.name == CONSUMER]
    applier = EventApplier(spec.name, runtime.definition.name, spec.registry, runtime.app.ctx.base.unit_of_work)
    return applier.apply(event if isinstance(event, envelope_pb2.EventEnvelope) else envelope(event))


def record(runtime, kpj: str) -> tuple:
    """The worker's row as stored (all columns but updated_at) and its employment periods."""
    workers, employments = tables.workers, tables.employments
    with runtime.app.ctx.base.read_session() as session:
        row = session.execute(select(*[c for c in workers.c if c.name != "updated_at"])
                              .where(workers.c.kpj == kpj)).one()
        periods = session.execute(select(employments).where(employments.c.kpj == kpj)).all()
    return tuple(row), sorted(tuple(p) for p in periods)


def inbox_has(runtime, event_id: str) -> bool:
    inbox = runtime.definition.tables["inbox"]
    with runtime.app.ctx.base.read_session() as session:
        return session.execute(select(inbox.c.event_id).where(inbox.c.event_id == event_id)).first() is not None


@pytest.fixture
def worker(caller, binjai_npp) -> tuple[str, str]:
    """A fresh active KC-BINJAI worker: (KPJ, NPP)."""
    return enrol(caller, binjai_npp).worker.kpj, binjai_npp


def get_worker(caller, kpj: str) -> workers_pb2.Worker:
    return workers_of(caller).GetWorker(workers_pb2.GetWorkerRequest(kpj=kpj)).worker


class TestMemberDeceased:
    @pytest.mark.rule("M-8")
    def test_the_worker_becomes_deceased_and_worker_died_is_published_as_for_record_death(
            self, caller, shared_service, worker):
        kpj, npp = worker
        assert apply(shared_service, deceased(kpj, npp)) == "applied"
        shown = get_worker(caller, kpj)
        assert (shown.status, shown.death_date, shown.end_date, shown.end_reason) == (
            workers_pb2.WORKER_STATUS_DECEASED, d(DIED), d(DIED), "DECEASED")
        history = workers_of(caller).GetEmploymentHistory(workers_pb2.GetEmploymentHistoryRequest(kpj=kpj))
        assert (history.periods[-1].end_date, history.periods[-1].end_reason) == (d(DIED), "DECEASED")
        assert outbox_events(shared_service, kpj) == ["WorkerEnrolled", "WorkerDied"]
        published = outbox_envelopes(shared_service, kpj)[-1]
        assert (published.aggregate_type, published.aggregate_id, published.branch_code) == ("worker", kpj, "KC-BINJAI")
        died = unpack_payload(published, events_pb2.WorkerDied)
        assert (died.kpj, died.npp, died.death_date) == (kpj, npp, d(DIED))

    @pytest.mark.rule("M-8")
    def test_a_redelivery_and_the_same_fact_under_a_new_event_id_change_nothing(self, shared_service, worker):
        kpj, npp = worker
        first = envelope(deceased(kpj, npp))
        assert apply(shared_service, first) == "applied"
        stored = record(shared_service, kpj)
        assert apply(shared_service, first) == "duplicate"
        resent = again(first)
        assert apply(shared_service, resent) == "applied"  # recorded in the inbox, nothing else
        assert inbox_has(shared_service, resent.event_id)
        assert apply(shared_service, deceased(kpj, npp, claim="CLM-JKK-9")) == "applied"  # another claim, same death
        assert record(shared_service, kpj) == stored
        assert outbox_events(shared_service, kpj) == ["WorkerEnrolled", "WorkerDied"]

    @pytest.mark.rule("M-8")
    def test_a_death_recorded_by_the_rpc_is_left_alone(self, caller, shared_service, worker):
        kpj, npp = worker
        workers_of(caller).RecordDeath(workers_pb2.RecordDeathRequest(request_id=request_id(), kpj=kpj,
                                                                      death_date=d(DIED)))
        stored = record(shared_service, kpj)
        assert apply(shared_service, deceased(kpj, npp)) == "applied"
        assert record(shared_service, kpj) == stored
        assert outbox_events(shared_service, kpj) == ["WorkerEnrolled", "WorkerDied"]

    @pytest.mark.rule("M-8")
    def test_another_date_keeps_the_first_with_a_warning_and_no_error(self, caller, shared_service, worker, caplog):
        kpj, npp = worker
        assert apply(shared_service, deceased(kpj, npp)) == "applied"
        stored = record(shared_service, kpj)
        with caplog.at_level(logging.WARNING, logger="jamsos.membership.benefit_events"):
            assert apply(shared_service, deceased(kpj, npp, DIED + timedelta(days=3), claim="CLM-JK-2")) == "applied"
        assert record(shared_service, kpj) == stored
        assert get_worker(caller, kpj).death_date == d(DIED)
        assert any(kpj in r.getMessage() and "keeps 2024-03-20" in r.getMessage() for r in caplog.records)
        assert outbox_events(shared_service, kpj) == ["WorkerEnrolled", "WorkerDied"]

    @pytest.mark.rule("M-8")
    def test_a_terminated_worker_dies_without_reopening_the_employment(self, caller, shared_service, worker):
        kpj, npp = worker
        workers_of(caller).TerminateWorker(workers_pb2.TerminateWorkerRequest(
            request_id=request_id(), kpj=kpj, termination_date=d(date(2024, 1, 31)),
            reason=workers_pb2.TERMINATION_REASON_RESIGNED))
        assert apply(shared_service, deceased(kpj, npp)) == "applied"
        shown = get_worker(caller, kpj)
        assert (shown.status, shown.death_date, shown.end_date, shown.end_reason) == (
            workers_pb2.WORKER_STATUS_DECEASED, d(DIED), d(date(2024, 1, 31)), "RESIGNED")

    @pytest.mark.rule("M-8")
    def test_an_unknown_kpj_is_raised_for_the_dead_letters_and_not_marked_applied(self, shared_service, binjai_npp):
        unknown = envelope(deceased("99999999999", binjai_npp))
        with pytest.raises(NotFound):
            apply(shared_service, unknown)
        assert not inbox_has(shared_service, unknown.event_id)  # the runner retries, then dead-letters it

    @pytest.mark.rule("M-8")
    def test_a_death_the_record_refuses_is_raised_and_changes_nothing(self, shared_service, worker):
        kpj, npp = worker
        stored = record(shared_service, kpj)
        with pytest.raises(RuleViolation) as refused:
            apply(shared_service, deceased(kpj, npp, START - timedelta(days=1)))  # before the employment started
        assert refused.value.rule_id == "M-8"
        with pytest.raises(InvalidArgument):
            apply(shared_service, benefits_events.MemberDeceased(kpj=kpj, npp=npp, claim_id="CLM-JK-3"))  # no date
        assert record(shared_service, kpj) == stored


class TestMemberTotallyDisabled:
    @pytest.mark.rule("M-4", "B-JKK-6")
    def test_the_date_is_recorded_and_shown_by_get_worker_and_the_status_stays(self, caller, shared_service, worker):
        kpj, npp = worker
        assert not get_worker(caller, kpj).HasField("totally_disabled_on")
        assert apply(shared_service, disabled(kpj, npp)) == "applied"
        shown = get_worker(caller, kpj)
        assert (shown.totally_disabled_on, shown.status) == (d(DISABLED), workers_pb2.WORKER_STATUS_ACTIVE)
        assert outbox_events(shared_service, kpj) == ["WorkerEnrolled"]  # no membership event for it
        audit = shared_service.definition.tables["audit"]
        with shared_service.app.ctx.base.read_session() as session:
            actions = session.execute(select(audit.c.action).where(audit.c.subject == kpj)).scalars().all()
        assert "worker.total_disability" in actions

    @pytest.mark.rule("M-4", "B-JKK-6")
    def test_a_redelivery_and_the_same_fact_under_a_new_event_id_change_nothing(self, shared_service, worker):
        kpj, npp = worker
        first = envelope(disabled(kpj, npp))
        assert apply(shared_service, first) == "applied"
        stored = record(shared_service, kpj)
        assert apply(shared_service, first) == "duplicate"
        assert apply(shared_service, again(first)) == "applied"
        assert record(shared_service, kpj) == stored

    @pytest.mark.rule("M-4", "B-JKK-6")
    def test_another_date_keeps_the_first_with_a_warning(self, caller, shared_service, worker, caplog):
        kpj, npp = worker
        apply(shared_service, disabled(kpj, npp))
        with caplog.at_level(logging.WARNING, logger="jamsos.membership.benefit_events"):
            assert apply(shared_service, disabled(kpj, npp, date(2024, 5, 1), claim="CLM-JHT-7")) == "applied"
        assert get_worker(caller, kpj).totally_disabled_on == d(DISABLED)
        assert any("keeps 2024-02-01" in r.getMessage() for r in caplog.records)

    @pytest.mark.rule("M-4", "M-8")
    def test_a_deceased_members_record_takes_a_disability_approved_after_the_death(self, caller, shared_service, worker):
        kpj, npp = worker
        apply(shared_service, deceased(kpj, npp))
        assert apply(shared_service, disabled(kpj, npp)) == "applied"
        shown = get_worker(caller, kpj)
        assert (shown.status, shown.totally_disabled_on) == (workers_pb2.WORKER_STATUS_DECEASED, d(DISABLED))

    @pytest.mark.rule("M-4", "M-3")
    def test_the_date_stays_with_the_kpj_on_a_transfer(self, caller, shared_service, worker):
        kpj, npp = worker
        apply(shared_service, disabled(kpj, npp))
        nik = get_worker(caller, kpj).nik
        other = register_employer(caller)
        moved = enrol(caller, other, nik=nik, start_date=d(date(2024, 6, 3))).worker
        assert (moved.kpj, moved.npp, moved.totally_disabled_on) == (kpj, other, d(DISABLED))

    @pytest.mark.rule("M-4")
    def test_a_date_the_record_refuses_is_raised_and_changes_nothing(self, shared_service, worker):
        kpj, npp = worker
        stored = record(shared_service, kpj)
        for day in (date.today() + timedelta(days=2), date(1980, 1, 1)):  # ahead; before the birth (1990)
            with pytest.raises(InvalidArgument) as refused:
                apply(shared_service, disabled(kpj, npp, day))
            assert [v.field for v in refused.value.violations] == ["established_on"]
        with pytest.raises(NotFound):
            apply(shared_service, disabled("99999999999", npp))
        assert record(shared_service, kpj) == stored


@pytest.mark.rule("M-4")
def test_the_domain_keeps_the_first_disability_date():
    worker = Worker("10000000017", "1275010302900001", "Siti", date(1990, 2, 3), Sex.FEMALE, MaritalStatus.SINGLE,
                    3_500_000, "10000001", "KC-BINJAI", START)
    first = worker.record_total_disability(DISABLED, today=DIED)
    assert first.totally_disabled_on == DISABLED
    assert first.record_total_disability(DISABLED, today=DIED) is first
    with pytest.raises(RuleViolation) as refused:
        first.record_total_disability(DIED, today=DIED)
    assert (refused.value.rule_id, refused.value.code) == ("M-4", "DISABILITY_ALREADY_RECORDED")
