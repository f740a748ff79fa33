"""Employers and members as welfare knows them (the read model), within the caller's branch
scope (O-2): an unknown NPP or KPJ and another branch's are both NotFound."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Row, func, select

from services.chassis.repository import ScopedRepository
from services.welfare.adapters.tables import (
    contributions_rules, rm_employers, rm_employments, rm_member_incidents, rm_worker_wages, rm_workers, standing,
)
from services.welfare.domain.members import EmployerFacts, WorkerFacts

UMK_TABLE = "umk_rates"  # contributions' table, by branch code (C-6a)


class MemberRepository(ScopedRepository):
    # ---- employers ---------------------------------------------------------------------
    def employer(self, npp: str, *, for_change: bool = False) -> EmployerFacts:
        """The employer; NotFound when unknown or another branch's, PermissionDenied when
        `for_change` and the caller may only read it."""
        statement = select(rm_employers).where(rm_employers.c.npp == npp)
        if for_change:
            row = self.writable(statement, rm_employers.c.branch_code, "employer", npp, lock=False)
        else:
            row = self.readable(statement, rm_employers.c.branch_code, "employer", npp)
        return self._employer(row)

    def employer_unscoped(self, npp: str) -> EmployerFacts | None:
        """For an application already let through the scope (its own employer)."""
        with self.every_branch():  # wherever it is now (row security's system path)
            row = self.session.execute(select(rm_employers).where(rm_employers.c.npp == npp)).first()
        return None if row is None else self._employer(row)

    def _employer(self, row: Row[Any]) -> EmployerFacts:
        published = standing.queries(self.session).latest(row.npp)
        return EmployerFacts(row.npp, row.branch_code, row.legal_name, row.registration_date,
                             None if published is None else published.good_standing,
                             None if published is None else published.as_of)

    # ---- workers -------------------------------------------------------------------------
    def worker(self, kpj: str, on: date, *, for_change: bool = False) -> WorkerFacts:
        statement = select(rm_workers).where(rm_workers.c.kpj == kpj)
        if for_change:
            row = self.writable(statement, rm_workers.c.branch_code, "worker", kpj, lock=False)
        else:
            row = self.readable(statement, rm_workers.c.branch_code, "worker", kpj)
        return self._worker(row, on)

    def worker_unscoped(self, kpj: str, on: date) -> WorkerFacts | None:
        """For an application already let through the scope (its own member, wherever
        the member has moved since)."""
        with self.every_branch():  # wherever the member is now (row security's system path)
            row = self.session.execute(select(rm_workers).where(rm_workers.c.kpj == kpj)).first()
        return None if row is None else self._worker(row, on)

    def workers_seen(self, kpjs: Iterable[str], on: date) -> dict[str, WorkerFacts | None]:
        """Each KPJ's facts, None for an unknown one and for one the caller may not read
        (the same answer, audited)."""
        found: dict[str, WorkerFacts | None] = {}
        for kpj in kpjs:
            row = self.found_or_hidden(functools.partial(self._worker_row, kpj))
            visible = row is not None and self.scope.sees(row.branch_code, "worker", kpj)
            found[kpj] = self._worker(row, on) if visible and row is not None else None
        return found

    def _worker_row(self, kpj: str) -> Row[Any] | None:
        return self.session.execute(select(rm_workers).where(rm_workers.c.kpj == kpj)).first()

    def _worker(self, row: Row[Any], on: date) -> WorkerFacts:
        e, w, i = rm_employments, rm_worker_wages, rm_member_incidents
        since = self.session.execute(select(func.min(e.c.start_date)).where(e.c.kpj == row.kpj)).scalar()
        wages = self.session.execute(select(w.c.effective_date, w.c.monthly_wage).where(w.c.kpj == row.kpj)
                                     .order_by(w.c.effective_date)).all()
        in_force = [int(r.monthly_wage) for r in wages if r.effective_date <= on] or [int(r.monthly_wage) for r in wages[:1]]
        incidents = {r.kind for r in self.session.execute(
            select(i.c.kind).where(i.c.kpj == row.kpj, i.c.work_accident.is_(True))).all()}
        return WorkerFacts(kpj=row.kpj, npp=row.npp, branch_code=row.branch_code, name=row.name, status=row.status,
                           member_since=since or on, monthly_wage_rupiah=in_force[-1] if in_force else 0,
                           work_accident_death="DECEASED" in incidents,
                           work_accident_disability="TOTALLY_DISABLED" in incidents)

    # ---- the UMK of the branch area (contributions' table, replicated) -------------------
    def umk_on(self, branch_code: str, day: date) -> int | None:
        version = contributions_rules.in_force(self.session, UMK_TABLE, branch_code, day)
        if version is None:
            return None
        rupiah = version.get("monthly_rupiah")
        return rupiah if isinstance(rupiah, int) and rupiah > 0 else None
