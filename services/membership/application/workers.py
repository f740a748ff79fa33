"""The workers component (M-3..M-8, O-2, O-3): enrolment, bulk enrolment, changes, reads.

Split by responsibility:
- `workers_enrolment` EnrolWorker: one KPJ per NIK for life, transfer (mutasi) (M-3, M-7)
- `workers_bulk`      BulkEnrolWorkers: chunked, resend-safe batches (M-3)
- `workers_changes`   wage (M-4), marital status and family (M-6), termination and death (M-8)
- `workers_queries`   GetWorker, FindKpj (M-5), ListWorkers, GetFamily (M-6), history (M-3)
- `workers_commands`  the commands the use cases take and the results they return
- `workers_mapping`   protobuf <-> commands and results, with the request's field names
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from services.membership.adapters.worker_repository import WorkerRepository
from services.membership.application.context import MembershipContext
from services.membership.application.workers_bulk import BulkEnrolment
from services.membership.application.workers_changes import WorkerChanges
from services.membership.application.workers_enrolment import EnrolmentUseCases
from services.membership.application.workers_queries import WorkerQueries


@dataclass
class WorkerUseCases:
    ctx: MembershipContext
    enrolment: EnrolmentUseCases
    bulk: BulkEnrolment
    changes: WorkerChanges
    queries: WorkerQueries


def ensure_kpj_sequence(ctx: MembershipContext) -> None:
    """Create the national KPJ sequence row once (replicas starting together may race)."""
    with ctx.base.unit_of_work() as uow:
        if WorkerRepository.for_system(uow.session).ensure_kpj_sequence():
            try:
                uow.commit()
            except IntegrityError:
                uow.rollback()  # another replica created it first


def build(ctx: MembershipContext) -> WorkerUseCases:
    ensure_kpj_sequence(ctx)
    return WorkerUseCases(
        ctx=ctx, enrolment=EnrolmentUseCases(ctx), bulk=BulkEnrolment(ctx), changes=WorkerChanges(ctx), queries=WorkerQueries(ctx),
    )
