"""Reading members' records, within the caller's branch scope (O-2).

A branch user reads its own branch's workers, a regional user its branches', the head
office (and the read-only auditor, O-3) everyone's; any other read is PERMISSION_DENIED
and logged.

FindKpj (M-5) follows the same read scope: the member asks at an office that can see the
record (the worker's own branch, its region or the head office). It answers NOT_FOUND,
with the same message, both for an unknown NIK and for a known NIK with the wrong birth
date, so the lookup never confirms half an identity. Only a full match outside the
caller's scope is PERMISSION_DENIED.

Every FindKpj is audited (who looked up whom, from which office, with what outcome): a
lookup by identity is how a stranger would fish for a member's number. A read has no unit
of work, so the audit row gets a short transaction of its own, after the read and before
the answer: the read stays a read (no request id, nothing stored but the audit row), and
a failed lookup is recorded as surely as a found one. Concurrent lookups' rows share that
transaction (`GroupedInsert`): each answer still waits for its own row's commit.
"""
from __future__ import annotations

from datetime import date

from services.chassis.audit import audit_row
from services.chassis.errors import NotFound
from services.chassis.lookups import GroupedInsert
from services.chassis.scope import BranchScope
from services.membership.adapters.worker_repository import WorkerRepository
from services.membership.application.context import MembershipContext
from services.membership.application.workers_changes import wage_day
from services.membership.application.workers_commands import (
    EmploymentHistoryView, FamilyView, FindKpj, GetEmploymentHistory, GetFamily, GetWorker, KpjFound, ListWorkers,
    WorkerPage, WorkerView,
)
from services.membership.domain.employment_history import is_active_on, member_since, months_of_membership
from services.membership.domain.family import covered_dependants
from services.membership.domain.marital_history import status_on

NO_MATCH = "with this NIK and birth date"  # never the KPJ: the lookup confirms no half identity


class WorkerQueries:
    """The reads; the caller has authorised (O-3) and the repository applies the scope (O-2)."""

    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx
        self._audit_rows = GroupedInsert(ctx.base.engine, ctx.base.tables["audit"])

    def get(self, scope: BranchScope, command: GetWorker) -> WorkerView:
        with self.ctx.base.lookup() as connection:
            worker, wage = WorkerRepository(connection, scope).readable_with_wage(command.kpj, self.ctx.today())
            return WorkerView(worker, wage)

    def find_kpj(self, scope: BranchScope, command: FindKpj) -> KpjFound:
        """M-5: the KPJ of a member who lost the card, from NIK plus birth date; audited."""
        with self.ctx.base.lookup() as connection:
            worker = WorkerRepository(connection, scope).identity_by_nik(command.nik)
        if worker is None or not worker.matches(command.nik, command.birth_date):
            self._audit_lookup(command, "NOT_FOUND", None)
            raise NotFound("worker", NO_MATCH)
        try:
            scope.require_read_record(worker.branch_code, "worker", NO_MATCH)
        except Exception:
            self._audit_lookup(command, "OUT_OF_SCOPE", worker.kpj)
            raise
        self._audit_lookup(command, "FOUND", worker.kpj)
        return KpjFound(worker.kpj, worker.name, worker.status)

    def _audit_lookup(self, command: FindKpj, outcome: str, kpj: str | None) -> None:
        """Who (user and office: the audit row's own columns) looked up whom."""
        self._audit_rows.insert(audit_row("worker.find_kpj", kpj or f"nik {command.nik}",
                                          {"nik": command.nik, "birth_date": command.birth_date, "outcome": outcome}))

    def list_for_employer(self, scope: BranchScope, command: ListWorkers) -> WorkerPage:
        """An employer's workers (current or last employer), by KPJ, keyset-paged."""
        today = self.ctx.today()
        with self.ctx.base.read_session() as session:
            repo = WorkerRepository(session, scope)
            repo.employer_readable(command.npp)
            found = repo.list_for_employer(command.npp, command.status, command.after_kpj, command.size + 1)
            page = found[:command.size]
            wages = repo.wages_on({w.kpj: wage_day(w, today) for w in page})
        return WorkerPage(tuple(WorkerView(w, wages.get(w.kpj)) for w in page),
                          page[-1].kpj if len(found) > command.size else None)

    def get_family(self, scope: BranchScope, command: GetFamily) -> FamilyView:
        """M-6: the family list and the dependants JPK covers on `on_date` (unset: today),
        by the marital status of that date."""
        on_date = command.on_date or self.ctx.today()
        with self.ctx.base.read_session() as session:
            repo = WorkerRepository(session, scope)
            worker = repo.readable(command.kpj)
            members = tuple(repo.family(command.kpj))
            status = status_on(repo.marital_history(command.kpj), on_date) or worker.marital_status
        return FamilyView(members, covered_dependants(status, members, on_date), status)

    def employment_history(self, scope: BranchScope, command: GetEmploymentHistory) -> EmploymentHistoryView:
        """M-3: every employment of the KPJ across employers and the length of membership."""
        on_date: date = command.on_date or self.ctx.today()
        with self.ctx.base.read_session() as session:
            repo = WorkerRepository(session, scope)
            repo.readable(command.kpj)
            periods = tuple(repo.periods(command.kpj))
        return EmploymentHistoryView(periods, months_of_membership(list(periods), on_date),
                                     is_active_on(list(periods), on_date), member_since(list(periods)))
