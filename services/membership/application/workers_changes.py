"""Changes to a member's record: wage (M-4), marital status and family (M-6), termination
and death (M-8). Each takes its command and returns the record as the change left it,
inside the one transaction the entrypoint opens per request id (`base.mutation`), with
its event and audit record, by the administration officer (O-3) of the worker's branch (O-2).
"""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from google.protobuf.message import Message

from jamsos.membership.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_date, from_rupiah
from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.membership.adapters.worker_repository import WorkerRepository
from services.membership.application.context import MembershipContext
from services.membership.application.workers_commands import (
    ChangeFamily, ChangeMaritalStatus, ChangeWage, FamilyView, RecordDeath, TerminateWorker, WorkerView,
)
from services.membership.application.workers_enrolment import WORKER_AGGREGATE
from services.membership.application.workers_mapping import (
    MARITAL_TO_PROTO, TERMINATION_TO_PROTO, family_member_to_proto, merge, request_fields,
)
from services.membership.domain.employment_history import EndReason
from services.membership.domain.family import FamilyMember, assign_member_ids, covered_dependants, validate_family
from services.membership.domain.marital_history import (
    MaritalStatusEntry, check_report_date, entry_on, status_on, with_report,
)
from services.membership.domain.nik import normalise_nik
from services.membership.domain.workers import Worker, WorkerStatus


def wage_day(worker: Worker, today: date) -> date:
    """The day whose wage a record shows: today, or the first day of a future start."""
    return max(today, worker.start_date)


def present(repo: WorkerRepository, worker: Worker, today: date) -> WorkerView:
    """The record with the wage in force (a wage change may be dated ahead, M-4)."""
    return WorkerView(worker, repo.wage_on(worker.kpj, wage_day(worker, today)))


def _emit(uow: UnitOfWork, worker: Worker, payload: Message) -> None:
    uow.emit(topic_of("membership"), payload, aggregate_type=WORKER_AGGREGATE, aggregate_id=worker.kpj,
             branch_code=worker.branch_code)


def new_member_id() -> str:
    return str(uuid.uuid4())


class WorkerChanges:
    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def check_writable(self, scope: BranchScope, kpj: str) -> None:
        """Write scope on the worker's branch (O-2) before the request id is looked at, so
        another branch's caller learns nothing; checked again, locked, in the transaction."""
        with self.ctx.base.read_session() as session:
            WorkerRepository(session, scope).writable(kpj, lock=False)

    def _open(self, uow: UnitOfWork, scope: BranchScope, kpj: str,
              operation: str) -> tuple[WorkerRepository, Worker, date]:
        repo = WorkerRepository(uow.session, scope)
        uow.count(operation)
        return repo, repo.writable(kpj), self.ctx.today()

    def change_wage(self, uow: UnitOfWork, scope: BranchScope, command: ChangeWage) -> WorkerView:
        """M-4: a new monthly wage from `effective_date`, appended to the wage history.

        Back-dated changes are allowed and published with their effective date (and the
        wage that was in force then), so contributions can issue correction bills. The
        record's current wage follows the history: a change dated ahead shows from its day.
        """
        repo, worker, today = self._open(uow, scope, command.kpj, "worker_wage_changed")
        wage, effective = command.monthly_wage_rupiah, command.effective_date
        if effective < worker.start_date:
            raise InvalidArgument.field("effective_date", f"{effective.isoformat()} is before the current "
                                                          f"employment started on {worker.start_date.isoformat()}")
        with request_fields():
            worker.change_wage(wage, on=effective)
        previous = repo.wage_on(worker.kpj, effective)
        repo.set_wage(worker.kpj, effective, wage)
        in_force = repo.wage_on(worker.kpj, wage_day(worker, today))
        changed = replace(worker, monthly_wage_rupiah=wage if in_force is None else in_force)
        repo.update_worker(changed)
        _emit(uow, worker, events_pb2.WorkerWageChanged(
            kpj=worker.kpj, npp=worker.employer_npp, previous_wage=from_rupiah(previous or 0),
            monthly_wage=from_rupiah(wage), effective_date=from_date(effective)))
        uow.audit("worker.wage", worker.kpj, {"previous_wage": previous, "monthly_wage": wage,
                                              "effective_date": effective})
        return present(repo, changed, today)

    def change_marital_status(self, uow: UnitOfWork, scope: BranchScope, command: ChangeMaritalStatus) -> WorkerView:
        """M-4, M-6: a reported change of marital status from its date (unset: today),
        kept in the status history; the record shows the status in force today (a report
        back-dated before a later one does not undo the later one). It changes JPK
        coverage (M-6) and the JPK rate (C-4), so it is published as WorkerFamilyChanged."""
        repo, worker, today = self._open(uow, scope, command.kpj, "worker_family_changed")
        status, effective = command.status, command.effective_date or today
        check_report_date(effective, birth_date=worker.birth_date, today=today)
        with request_fields():
            worker.change_details(marital_status=status)  # a deceased member's record is closed (M-8)
        entry = MaritalStatusEntry(effective, status)
        history = with_report(repo.marital_history(worker.kpj), entry)
        repo.record_marital_status(worker.kpj, entry)
        changed = replace(worker, marital_status=status_on(history, today) or status)
        repo.update_worker(changed)
        _emit(uow, changed, events_pb2.WorkerFamilyChanged(
            kpj=worker.kpj, npp=worker.employer_npp, marital_status=MARITAL_TO_PROTO[status],
            members=[family_member_to_proto(m) for m in repo.family(worker.kpj)], effective_date=from_date(effective),
            marital_status_since=from_date(effective)))  # the report's own entry, even if a later one rules today
        uow.audit("worker.marital_status", worker.kpj, {"from": worker.marital_status.value, "to": status.value,
                                                        "effective_date": effective})
        return present(repo, changed, today)

    def change_family(self, uow: UnitOfWork, scope: BranchScope, command: ChangeFamily) -> FamilyView:
        """M-6: the whole family as it is now replaces the previous list (Daftar Susunan
        Keluarga); each member keeps its stable id when the list names the same person
        again; the answer carries the dependants covered today. A deceased member's
        record is closed (M-8)."""
        repo, worker, today = self._open(uow, scope, command.kpj, "worker_family_changed")
        if worker.status is WorkerStatus.DECEASED:
            raise RuleViolation("M-8", f"KPJ {worker.kpj} is recorded deceased on {worker.death_date}: "
                                       f"the record cannot be changed")
        try:
            validate_family(worker.birth_date, worker.marital_status, command.members, today)
        except InvalidArgument as error:
            merge(command.problems, error)
        merge(command.problems, None)
        with request_fields():
            members = assign_member_ids(repo.family(worker.kpj), [_cleaned(m) for m in command.members],
                                        new_member_id)
        repo.replace_family(worker.kpj, members)
        covered = covered_dependants(worker.marital_status, members, today)
        # The status goes with the date of its own history entry: a list change is no status
        # report, and must not stand in a consumer's history as one dated today (M-6).
        in_force = entry_on(repo.marital_history(worker.kpj), today)
        _emit(uow, worker, events_pb2.WorkerFamilyChanged(
            kpj=worker.kpj, npp=worker.employer_npp, marital_status=MARITAL_TO_PROTO[worker.marital_status],
            members=[family_member_to_proto(m) for m in members], effective_date=from_date(today),
            marital_status_since=from_date(in_force.effective_date if in_force is not None else today)))
        uow.audit("worker.family", worker.kpj, {"members": len(members), "covered": len(covered)})
        return FamilyView(members, covered, worker.marital_status)

    def terminate(self, uow: UnitOfWork, scope: BranchScope, command: TerminateWorker) -> WorkerView:
        """M-8: termination of employment (PHK) with its date (the last day worked) and reason."""
        repo, worker, today = self._open(uow, scope, command.kpj, "worker_terminated")
        day, reason = command.termination_date, command.reason
        with request_fields():
            changed = worker.terminate(day, reason, today=today)
        repo.update_worker(changed)
        repo.close_open_period(worker.kpj, day, reason)
        _emit(uow, worker, events_pb2.WorkerTerminated(
            kpj=worker.kpj, npp=worker.employer_npp, termination_date=from_date(day),
            reason=TERMINATION_TO_PROTO[reason]))
        uow.audit("worker.terminate", worker.kpj, {"npp": worker.employer_npp, "termination_date": day,
                                                   "reason": reason.value})
        return present(repo, changed, today)

    def record_death(self, uow: UnitOfWork, scope: BranchScope, command: RecordDeath) -> WorkerView:
        """M-8: death; an open employment ends on that day. Benefits (JK, JHT) act on WorkerDied."""
        repo, worker, today = self._open(uow, scope, command.kpj, "worker_died")
        day = command.death_date
        with request_fields():
            changed = worker.record_death(day, today=today)
        repo.update_worker(changed)
        if worker.is_active:
            repo.close_open_period(worker.kpj, day, EndReason.DECEASED)
        _emit(uow, worker, events_pb2.WorkerDied(kpj=worker.kpj, npp=worker.employer_npp,
                                                 death_date=from_date(day)))
        uow.audit("worker.death", worker.kpj, {"npp": worker.employer_npp, "death_date": day})
        return present(repo, changed, today)


def _cleaned(member: FamilyMember) -> FamilyMember:
    """As stored: name whitespace collapsed, NIK as plain digits (both validated before)."""
    return replace(member, name=" ".join(member.name.split()), nik=normalise_nik(member.nik) if member.nik else None)
