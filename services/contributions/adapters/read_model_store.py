"""The membership read model in the contributions database (rm_* tables): what the
membership events write, by natural key (upserts, so a redelivered event changes nothing).

Rows here belong to no caller: they are written by the consumer of membership's events,
for the platform, and read by billing; so this is a plain store, not a scoped repository.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.chassis.consumer import HandlerRegistry
from services.chassis.scope import OfficeDirectory
from services.chassis.upsert import upsert
from services.contributions.adapters.tables import (
    offices, rm_employer_risk_groups, rm_employers, rm_employments, rm_worker_marital, rm_worker_wages, rm_workers,
)


def register_office_tree(registry: HandlerRegistry, directory: OfficeDirectory) -> None:
    """OfficeTreeChanged replaces the office tree the branch scope uses (O-1, O-2)."""
    offices.register(registry, directory)


class ReadModelStore:
    def __init__(self, session: Session):
        self.session = session

    # ---- employers (M-1) -------------------------------------------------------------
    def upsert_employer(self, values: dict[str, Any]) -> None:
        upsert(self.session, rm_employers, values, ["npp"])

    def set_risk_group(self, npp: str, since: date, risk_group: int) -> None:
        upsert(self.session, rm_employer_risk_groups, {"npp": npp, "effective_date": since, "risk_group": risk_group},
               ["npp", "effective_date"])

    # ---- workers (M-3, M-4, M-8) -----------------------------------------------------
    def upsert_worker(self, values: dict[str, Any]) -> None:
        upsert(self.session, rm_workers, values, ["kpj"])

    def upsert_employment(self, kpj: str, npp: str, start: date, end: date | None) -> None:
        upsert(self.session, rm_employments, {"kpj": kpj, "npp": npp, "start_date": start, "end_date": end},
               ["kpj", "npp", "start_date"])

    def set_wage(self, kpj: str, since: date, monthly_wage: int) -> None:
        upsert(self.session, rm_worker_wages, {"kpj": kpj, "effective_date": since, "monthly_wage": monthly_wage},
               ["kpj", "effective_date"])

    def marital_in_force(self, kpj: str, on: date) -> str | None:
        return self.session.execute(select(rm_worker_marital.c.marital_status).where(
            rm_worker_marital.c.kpj == kpj, rm_worker_marital.c.effective_date <= on,
        ).order_by(rm_worker_marital.c.effective_date.desc()).limit(1)).scalar()

    def set_marital(self, kpj: str, since: date, marital_status: str) -> None:
        upsert(self.session, rm_worker_marital, {"kpj": kpj, "effective_date": since, "marital_status": marital_status},
               ["kpj", "effective_date"])

    def mark_non_active(self, kpj: str) -> None:
        """PHK: the worker is no longer active (a deceased worker stays DECEASED)."""
        self.session.execute(update(rm_workers).where(rm_workers.c.kpj == kpj, rm_workers.c.status != "DECEASED")
                             .values(status="NON_ACTIVE"))

    def record_death(self, kpj: str, died: date) -> None:
        """Death ends every open employment and the worker is DECEASED."""
        self.session.execute(update(rm_employments).where(rm_employments.c.kpj == kpj,
                                                          rm_employments.c.end_date.is_(None))
                             .values(end_date=died))
        self.session.execute(update(rm_workers).where(rm_workers.c.kpj == kpj)
                             .values(status="DECEASED", death_date=died))

    def close_employment(self, kpj: str, npp: str, end: date) -> None:
        """Ends the latest employment of `kpj` at `npp` that started on or before `end`."""
        e = rm_employments
        start = self.session.execute(select(e.c.start_date).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date <= end)
                                     .order_by(e.c.start_date.desc()).limit(1)).scalar()
        if start is not None:
            self.session.execute(update(e).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date == start)
                                 .values(end_date=end))
