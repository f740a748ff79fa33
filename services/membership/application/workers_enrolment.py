"""Worker enrolment (M-3, M-4, M-7): one KPJ per NIK for life, transfer (mutasi) keeps it.

- an unknown NIK gets a new KPJ from the national "kpj" sequence, advanced in the same
  transaction (so a failed enrolment burns no number);
- a NIK active at another employer is transferred: same KPJ, the previous employment
  closes the day before the new start;
- a NIK active at the same employer is ALREADY_EXISTS (a retry with the same request id
  gets the stored answer instead);
- a deceased person cannot be enrolled (FAILED_PRECONDITION M-8);
- a non-active member re-enrols with the same KPJ.

A transfer is enrolment by the *new* employer's branch: the caller needs write scope on
the new employer only, even when the closed employment belonged to another branch, since
that is how a mutasi reaches the system (the new employer reports the worker).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


from jamsos.membership.v1 import events_pb2, workers_pb2
from services.chassis.config import topic_of
from services.chassis.context import current_principal
from services.chassis.convert import from_date
from services.chassis.errors import InvalidArgument, NotFound, RuleViolation
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.membership.adapters.worker_repository import EmployerRef, WorkerRepository, find_employer
from services.membership.application.context import MembershipContext
from services.membership.application.workers_mapping import KIND, request_fields, worker_to_proto
from services.membership.domain.employers import EmployerStatus
from services.membership.domain.employment_history import EndReason
from services.membership.domain.marital_history import MaritalStatusEntry
from services.membership.domain.nik import normalise_nik
from services.membership.domain.numbers import validate_npp
from services.membership.domain.roles import MembershipAction, is_allowed, require_role
from services.membership.domain.workers import (
    EnrolWorker, Enrolment, MembershipKind, Worker, enrol, enrolment_action, membership_kind_for,
)

WORKER_AGGREGATE = "worker"


@dataclass(frozen=True)
class Enrolled:
    """An enrolment written, and its worker as its event carries it (the answer reuses it)."""

    enrolment: Enrolment
    message: workers_pb2.Worker


@dataclass(frozen=True)
class EnrolmentTarget:
    """The employer a worker enrols into, checked once per request or batch."""

    employer: EmployerRef
    kind: MembershipKind
    scope: BranchScope


def require_an_enrolling_role() -> None:
    """O-3: the caller may enrol some kind of member (M-7: informal participants are
    marketing's); which kind is checked once the employer is known."""
    principal = current_principal()
    if not principal.is_service and not any(
        is_allowed(action, principal.roles)
        for action in (MembershipAction.ENROL_WORKER, MembershipAction.REGISTER_INFORMAL_PARTICIPANT)
    ):
        require_role(MembershipAction.ENROL_WORKER, principal.roles)  # raises, naming the roles


def enrolment_target(ctx: MembershipContext, npp: str, requested_kind: int = 0, *, field: str = "npp") -> EnrolmentTarget:
    """Role (O-3; M-7: informal participants are marketing's), employer (NOT_FOUND) and
    write scope on the employer's branch (O-2). `field` names the NPP in the request."""
    require_an_enrolling_role()
    npp = validate_npp(npp, field)
    with ctx.base.lookup(across_branches=True) as connection:  # its branch decides the scope
        employer = find_employer(connection, npp)
    if employer is None:
        raise NotFound("employer", npp)
    kind = membership_kind_for(employer.kind)
    scope = ctx.authorise(enrolment_action(kind))
    scope.require_write_record(employer.branch_code, "employer", npp)
    if requested_kind and KIND.get(requested_kind) is not kind:
        raise InvalidArgument.field("kind", f"employer {npp} is a {employer.kind.value}: its members are {kind.value}")
    if employer.status == EmployerStatus.CLOSED.value:
        raise RuleViolation("M-1", f"employer {npp} is closed: no worker can be enrolled")
    return EnrolmentTarget(employer, kind, scope)


class EnrolmentWriter:
    """Writes the enrolments of one transaction: workers, employment periods, wages,
    events (WorkerEnrolled / WorkerTransferred) and audit records.

    New members are inserted together at `flush()` (bulk: one statement per table);
    returning members (transfer, re-enrolment) are updated as they come.

    A single enrolment is audited under its KPJ. A bulk batch is one act of one user, so
    with `batch` set each chunk gets one audit record under "batch <request id>" listing
    the KPJs it enrolled and transferred (`audit_batch`); `bulk_enrol_rows` links every
    row to its KPJ. One record per row cost half of a chunk's time.
    """

    def __init__(self, uow: UnitOfWork, repo: WorkerRepository, batch: str | None = None):
        self.uow = uow
        self.repo = repo
        self.batch = batch
        self._new: list[Worker] = []
        self._batch_kpjs: dict[str, list[str]] = {"enrolled": [], "transferred": []}
        self.enrolled = 0
        self.transferred = 0

    def add(self, enrolment: Enrolment, previous: Worker | None) -> workers_pb2.Worker:
        worker = enrolment.worker
        if previous is None:
            self._new.append(worker)
        else:
            if any(w.kpj == worker.kpj for w in self._new):
                self.flush()  # the same person twice in one transaction: insert before updating
            # A transfer moves the record from the branch that held it (M-3): across the row
            # security of branches, as the NIK lookup that found it.
            with self.repo.every_branch():
                self.repo.update_worker(worker)
                if enrolment.closed is not None:
                    self.repo.close_open_period(worker.kpj, enrolment.closed.end_date, EndReason.TRANSFERRED)
            self.repo.open_periods([(worker.kpj, enrolment.opened)])
            self.repo.set_wage(worker.kpj, worker.start_date, worker.monthly_wage_rupiah)
            if worker.marital_status is not previous.marital_status:
                # Reported with the new employment: the status holds from its start (M-6).
                self.repo.record_marital_status(worker.kpj, MaritalStatusEntry(worker.start_date, worker.marital_status))
        message = worker_to_proto(worker)
        self._emit(enrolment, message)
        return message

    def flush(self) -> None:
        new, self._new = self._new, []
        self.repo.insert_workers(new)
        self.repo.open_periods([(w.kpj, w.current_period()) for w in new])
        self.repo.add_wages([(w.kpj, w.start_date, w.monthly_wage_rupiah) for w in new])
        # What a new member reports is the earliest the record knows: it holds from birth.
        self.repo.add_marital_statuses([(w.kpj, w.birth_date, w.marital_status) for w in new])

    def _emit(self, enrolment: Enrolment, message: workers_pb2.Worker) -> None:
        worker, closed = enrolment.worker, enrolment.closed
        if closed is None:
            payload = events_pb2.WorkerEnrolled(worker=message)
            self.enrolled += 1
        else:
            payload = events_pb2.WorkerTransferred(
                worker=message, previous_npp=closed.npp, previous_branch_code=closed.branch_code,
                previous_end_date=from_date(closed.end_date),
            )
            self.transferred += 1
        self.uow.emit(topic_of("membership"), payload, aggregate_type=WORKER_AGGREGATE,
                      aggregate_id=worker.kpj, branch_code=worker.branch_code)
        if self.batch is not None:
            self._batch_kpjs["transferred" if closed else "enrolled"].append(worker.kpj)
            return
        action = "worker.transfer" if closed else "worker.enrol"
        detail = {"npp": worker.employer_npp, "start_date": worker.start_date, "kpj_reused": enrolment.kpj_reused,
                  "monthly_wage": worker.monthly_wage_rupiah}
        if closed:
            detail |= {"previous_npp": closed.npp, "previous_end_date": closed.end_date}
        self.uow.audit(action, worker.kpj, detail)

    def audit_batch(self, npp: str, rows: int) -> None:
        """One audit record for a bulk chunk that changed something: who enrolled whom, in which batch."""
        if self.batch is not None and (self.enrolled or self.transferred):
            self.uow.audit("worker.bulk_enrol", f"batch {self.batch}", {"npp": npp, "rows": rows, **self._batch_kpjs})

    def count(self) -> None:
        """The enrolments and transfers written, counted once the transaction commits."""
        self.uow.count("worker_enrolled", self.enrolled)
        self.uow.count("worker_transferred", self.transferred)


def enrol_one(command: EnrolWorker, today: date, existing: Worker | None, kpj: str | None) -> Enrolment:
    """The domain's enrolment (M-3), its errors named with the request's fields."""
    with request_fields():
        return enrol(command, today=today, existing=existing, kpj=kpj)




class EnrolmentUseCases:
    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def target(self, npp: str, requested_kind: int = 0) -> EnrolmentTarget:
        """Role (O-3, by the employer's kind, M-7), employer and write scope (O-2)."""
        return enrolment_target(self.ctx, npp, requested_kind)

    def enrol(self, uow: UnitOfWork, target: EnrolmentTarget, command: EnrolWorker, today: date) -> Enrolled:
        """EnrolWorker (M-3, M-4, M-7, M-8; O-2, O-3): a new member, a transfer or a
        re-enrolment, written with its event and audit record."""
        nik = normalise_nik(command.nik)
        repo = WorkerRepository(uow.prebuilt, target.scope)  # every statement of an enrolment is prebuilt
        # M-3: the person's lock first, then the record of the NIK, or a new number without one.
        existing, kpj = repo.locked_for_enrolment(nik)
        enrolment = enrol_one(command, today, existing, kpj)
        writer = EnrolmentWriter(uow, repo)
        message = writer.add(enrolment, existing)
        writer.flush()
        writer.count()
        return Enrolled(enrolment, message)
