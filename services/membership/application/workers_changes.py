"""Changes to a member's record: wage (M-4), marital status and family (M-6), termination
and death (M-8). Each is one idempotent transaction with its event and audit record,
by the administration officer (O-3) of the worker's branch (O-2).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from collections.abc import Callable

from google.protobuf.message import Message

from jamsos.membership.v1 import events_pb2, workers_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_date, from_rupiah, to_date, to_rupiah
from services.chassis.errors import InvalidArgument, RuleViolation, Violations
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.membership.adapters.worker_repository import WorkerRepository
from services.membership.application.context import MembershipContext
from services.membership.application.workers_enrolment import WORKER_AGGREGATE
from services.membership.application.workers_mapping import (
    MARITAL, MARITAL_TO_PROTO, TERMINATION, TERMINATION_TO_PROTO, enum_in, family_from_proto,
    family_member_to_proto, merge, request_fields, worker_to_proto,
)
from services.membership.domain.employment_history import EndReason
from services.membership.domain.family import FamilyMember, covered_dependants, validate_family
from services.membership.domain.nik import normalise_nik
from services.membership.domain.numbers import validate_kpj
from services.membership.domain.roles import MembershipAction
from services.membership.domain.workers import Worker, WorkerStatus

Change = Callable[[UnitOfWork, WorkerRepository, Worker, date], Message]


def wage_day(worker: Worker, today: date) -> date:
    """The day whose wage a record shows: today, or the first day of a future start."""
    return max(today, worker.start_date)


def present(repo: WorkerRepository, worker: Worker, today: date) -> workers_pb2.Worker:
    """The record with the wage in force (a wage change may be dated ahead, M-4)."""
    return worker_to_proto(worker, repo.wage_on(worker.kpj, wage_day(worker, today)))


def _emit(uow: UnitOfWork, worker: Worker, payload: Message) -> None:
    uow.emit(topic_of("membership"), payload, aggregate_type=WORKER_AGGREGATE, aggregate_id=worker.kpj,
             branch_code=worker.branch_code)


class WorkerChanges:
    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def _change(self, method: str, request, response_cls, scope: BranchScope, operation: str,
                change: Change) -> Message:
        """Check write scope on the worker's branch (O-2) before and inside the
        transaction, and run `change` once per request id. The caller has authorised
        (O-3) before reading the request, so a caller without the role learns nothing."""
        kpj = validate_kpj(request.kpj)
        with self.ctx.base.read_session() as session:
            WorkerRepository(session, scope).writable(kpj, lock=False)
        today = self.ctx.today()

        def use_case(uow: UnitOfWork) -> Message:
            repo = WorkerRepository(uow.session, scope)
            uow.count(operation)
            return change(uow, repo, repo.writable(kpj), today)

        return self.ctx.base.mutation(request, response_cls, use_case)

    def change_wage(self, request: workers_pb2.ChangeWageRequest) -> workers_pb2.ChangeWageResponse:
        """M-4: a new monthly wage from `effective_date`, appended to the wage history.

        Back-dated changes are allowed and published with their effective date (and the
        wage that was in force then), so contributions can issue correction bills. The
        record's current wage follows the history: a change dated ahead shows from its day.
        """
        scope = self.ctx.authorise(MembershipAction.CHANGE_WAGE)
        wage = to_rupiah(request, "monthly_wage")
        effective = to_date(request, "effective_date")

        def change(uow, repo: WorkerRepository, worker: Worker, today: date):
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
            return workers_pb2.ChangeWageResponse(worker=present(repo, changed, today))

        return self._change("ChangeWage", request, workers_pb2.ChangeWageResponse, scope,
                            "worker_wage_changed", change)

    def change_marital_status(self, request: workers_pb2.ChangeMaritalStatusRequest) -> workers_pb2.ChangeMaritalStatusResponse:
        """M-4, M-6: a reported change of marital status (unset date: today); it changes
        JPK coverage (M-6) and the JPK rate (C-4), so it is published as WorkerFamilyChanged."""
        scope = self.ctx.authorise(MembershipAction.CHANGE_WORKER_DETAILS)
        v = Violations()
        status = enum_in(MARITAL, request.marital_status, "marital_status", v)
        v.raise_if_any()
        requested_day = to_date(request, "effective_date", required=False)

        def change(uow, repo: WorkerRepository, worker: Worker, today: date):
            effective = requested_day or today
            if effective > today:
                raise InvalidArgument.field("effective_date", f"{effective.isoformat()} is in the future: report it once it happened")
            if effective < worker.birth_date:
                raise InvalidArgument.field("effective_date", f"{effective.isoformat()} is before the birth date")
            with request_fields():
                changed = worker.change_details(marital_status=status)
            repo.update_worker(changed)
            _emit(uow, changed, events_pb2.WorkerFamilyChanged(
                kpj=worker.kpj, npp=worker.employer_npp, marital_status=MARITAL_TO_PROTO[status],
                members=[family_member_to_proto(m) for m in repo.family(worker.kpj)], effective_date=from_date(effective)))
            uow.audit("worker.marital_status", worker.kpj, {"from": worker.marital_status.value, "to": status.value,
                                                            "effective_date": effective})
            return workers_pb2.ChangeMaritalStatusResponse(worker=present(repo, changed, today))

        return self._change("ChangeMaritalStatus", request, workers_pb2.ChangeMaritalStatusResponse,
                            scope, "worker_family_changed", change)

    def change_family(self, request: workers_pb2.ChangeFamilyRequest) -> workers_pb2.ChangeFamilyResponse:
        """M-6: the whole family as it is now replaces the previous list (Daftar Susunan
        Keluarga); the answer carries the dependants covered today. A deceased member's
        record is closed (M-8)."""
        scope = self.ctx.authorise(MembershipAction.CHANGE_FAMILY)
        family, decoding = family_from_proto(request.members)

        def change(uow, repo: WorkerRepository, worker: Worker, today: date):
            if worker.status is WorkerStatus.DECEASED:
                raise RuleViolation("M-8", f"KPJ {worker.kpj} is recorded deceased on {worker.death_date}: "
                                           f"the record cannot be changed")
            try:
                validate_family(worker.birth_date, worker.marital_status, family, today)
            except InvalidArgument as error:
                merge(decoding, error)
            merge(decoding, None)
            members = [_cleaned(m) for m in family]
            repo.replace_family(worker.kpj, members)
            covered = covered_dependants(worker.marital_status, members, today)
            protos = [family_member_to_proto(m) for m in members]
            _emit(uow, worker, events_pb2.WorkerFamilyChanged(
                kpj=worker.kpj, npp=worker.employer_npp, marital_status=MARITAL_TO_PROTO[worker.marital_status],
                members=protos, effective_date=from_date(today)))
            uow.audit("worker.family", worker.kpj, {"members": len(members), "covered": len(covered)})
            return workers_pb2.ChangeFamilyResponse(members=protos,
                                                    covered_dependants=[family_member_to_proto(m) for m in covered])

        return self._change("ChangeFamily", request, workers_pb2.ChangeFamilyResponse, scope,
                            "worker_family_changed", change)

    def terminate(self, request: workers_pb2.TerminateWorkerRequest) -> workers_pb2.TerminateWorkerResponse:
        """M-8: termination of employment (PHK) with its date (the last day worked) and reason."""
        scope = self.ctx.authorise(MembershipAction.TERMINATE_WORKER)
        v = Violations()
        reason = enum_in(TERMINATION, request.reason, "reason", v)
        v.raise_if_any()
        day = to_date(request, "termination_date")

        def change(uow, repo: WorkerRepository, worker: Worker, today: date):
            with request_fields():
                changed = worker.terminate(day, reason, today=today)
            repo.update_worker(changed)
            repo.close_open_period(worker.kpj, day, reason)
            _emit(uow, worker, events_pb2.WorkerTerminated(
                kpj=worker.kpj, npp=worker.employer_npp, termination_date=from_date(day),
                reason=TERMINATION_TO_PROTO[reason]))
            uow.audit("worker.terminate", worker.kpj, {"npp": worker.employer_npp, "termination_date": day,
                                                       "reason": reason.value})
            return workers_pb2.TerminateWorkerResponse(worker=present(repo, changed, today))

        return self._change("TerminateWorker", request, workers_pb2.TerminateWorkerResponse,
                            scope, "worker_terminated", change)

    def record_death(self, request: workers_pb2.RecordDeathRequest) -> workers_pb2.RecordDeathResponse:
        """M-8: death; an open employment ends on that day. Benefits (JK, JHT) act on WorkerDied."""
        scope = self.ctx.authorise(MembershipAction.RECORD_DEATH)
        day = to_date(request, "death_date")

        def change(uow, repo: WorkerRepository, worker: Worker, today: date):
            with request_fields():
                changed = worker.record_death(day, today=today)
            repo.update_worker(changed)
            if worker.is_active:
                repo.close_open_period(worker.kpj, day, EndReason.DECEASED)
            _emit(uow, worker, events_pb2.WorkerDied(kpj=worker.kpj, npp=worker.employer_npp,
                                                     death_date=from_date(day)))
            uow.audit("worker.death", worker.kpj, {"npp": worker.employer_npp, "death_date": day})
            return workers_pb2.RecordDeathResponse(worker=present(repo, changed, today))

        return self._change("RecordDeath", request, workers_pb2.RecordDeathResponse, scope,
                            "worker_died", change)


def _cleaned(member: FamilyMember) -> FamilyMember:
    """As stored: name whitespace collapsed, NIK as plain digits (both validated before)."""
    return replace(member, name=" ".join(member.name.split()), nik=normalise_nik(member.nik) if member.nik else None)
