"""Membership acts on what benefits establishes (M-8): a death, a total permanent disability.

Benefits publishes `MemberDeceased` and `MemberTotallyDisabled` when an approved claim
establishes the fact. Membership records it on the worker by the same domain path as its
own RPCs: a death goes through `Worker.record_death` and publishes `WorkerDied`, exactly as
RecordDeath does, so contributions, benefits and welfare hear of it one way only.

Idempotent beyond the inbox: the fact is keyed by the KPJ, so the same death or disability
sent again under a new event id (another claim, a producer's retry) finds it recorded and
changes nothing. A second report with another date keeps the first one and logs a warning:
the record is not moved by a later claim, and a conflict must not loop.

What cannot be applied is raised, so the consumer runner retries it and then dead-letters
it (counted and alerted on, never dropped silently; `services.chassis.consumer`): an
unknown KPJ (membership issues every KPJ, so retrying cannot help; benefits and membership
disagree and an operator must look), or a date the record refuses (a death before the
current employment started, a date in the future). The partition goes on after it.
"""
from __future__ import annotations

import logging
from datetime import date

from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.membership.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.consumer import HandlerRegistry
from services.chassis.convert import from_date, to_date
from services.chassis.errors import NotFound
from services.chassis.runtime import ConsumerSpec
from services.chassis.unit_of_work import UnitOfWork
from services.membership.adapters.worker_repository import WorkerRepository
from services.membership.application.context import MembershipContext
from services.membership.application.workers_enrolment import WORKER_AGGREGATE
from services.membership.domain.employment_history import EndReason
from services.membership.domain.workers import Worker, WorkerStatus

log = logging.getLogger("jamsos.membership.benefit_events")

CONSUMER = "membership-benefits"


def record_death_in(uow: UnitOfWork, repo: WorkerRepository, worker: Worker, day: date, today: date) -> Worker:
    """M-8: the worker becomes DECEASED, an open employment ends that day, WorkerDied is
    published and audited: the steps of the RecordDeath RPC, inside the caller's transaction."""
    changed = worker.record_death(day, today=today)
    repo.update_worker(changed)
    if worker.is_active:
        repo.close_open_period(worker.kpj, day, EndReason.DECEASED)
    uow.emit(topic_of("membership"), events_pb2.WorkerDied(kpj=worker.kpj, npp=worker.employer_npp,
                                                           death_date=from_date(day)),
             aggregate_type=WORKER_AGGREGATE, aggregate_id=worker.kpj, branch_code=worker.branch_code)
    uow.audit("worker.death", worker.kpj, {"npp": worker.employer_npp, "death_date": day})
    uow.count("worker_died")
    return changed


class BenefitEvents:
    """The handlers of benefits' member events, with the service's clock."""

    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def on_member_deceased(self, uow: UnitOfWork, envelope, payload: benefits_events.MemberDeceased) -> None:
        day = to_date(payload, "death_date")
        repo = WorkerRepository.for_system(uow.session)
        worker = _worker(repo, payload.kpj)
        if worker.status is WorkerStatus.DECEASED:
            if worker.death_date != day:
                log.warning("benefits reports KPJ %s deceased on %s (claim %s); the record keeps %s",
                            worker.kpj, day, payload.claim_id, worker.death_date)
            return
        record_death_in(uow, repo, worker, day, self.ctx.today())

    def on_member_totally_disabled(self, uow: UnitOfWork, envelope,
                                   payload: benefits_events.MemberTotallyDisabled) -> None:
        day = to_date(payload, "established_on")
        repo = WorkerRepository.for_system(uow.session)
        worker = _worker(repo, payload.kpj)
        if worker.totally_disabled_on is not None:
            if worker.totally_disabled_on != day:
                log.warning("benefits reports KPJ %s totally disabled on %s (claim %s); the record keeps %s",
                            worker.kpj, day, payload.claim_id, worker.totally_disabled_on)
            return
        repo.update_worker(worker.record_total_disability(day, today=self.ctx.today()))
        uow.audit("worker.total_disability", worker.kpj, {"established_on": day, "claim_id": payload.claim_id,
                                                          "work_accident": payload.work_accident})
        uow.count("worker_totally_disabled")


def _worker(repo: WorkerRepository, kpj: str) -> Worker:
    """The worker, locked for the change; an unknown KPJ is raised (to the dead letters)."""
    worker = repo.get(kpj, lock=True)
    if worker is None:
        raise NotFound("worker", kpj)
    return worker


def consumers(ctx: MembershipContext) -> list[ConsumerSpec]:
    """The consumer of benefits' topic: deaths and total disabilities established by claims."""
    handlers = BenefitEvents(ctx)
    registry = HandlerRegistry()
    registry.on(benefits_events.MemberDeceased, handlers.on_member_deceased)
    registry.on(benefits_events.MemberTotallyDisabled, handlers.on_member_totally_disabled)
    return [ConsumerSpec(CONSUMER, ("benefits",), registry, patient=True)]  # no caller waits on them
