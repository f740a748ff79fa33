"""The read model of other services' events (rm_* tables), as the consumers write it.

Every write is an upsert keyed by business ids (NPP, KPJ, dates), so a redelivered event,
or one re-sent with a new event id, leaves the rows as they were. Rows here belong to no
caller: only this process's consumers write them (reads go through MemberRepository).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.chassis.upsert import upsert
from services.welfare.adapters.tables import (
    rm_employer_standing, rm_employers, rm_employments, rm_member_incidents, rm_worker_wages, rm_workers,
)


class ReadModelStore:
    def __init__(self, session: Session):
        self.session = session

    def upsert_employer(self, npp: str, branch_code: str, legal_name: str, registered_on: date, status: str) -> None:
        upsert(self.session, rm_employers, {"npp": npp, "branch_code": branch_code, "legal_name": legal_name[:200],
                                            "registration_date": registered_on, "status": status}, ["npp"])

    def set_standing(self, npp: str, as_of: date, good_standing: bool, in_arrears: bool, arrears: int) -> None:
        upsert(self.session, rm_employer_standing, {"npp": npp, "as_of": as_of, "good_standing": good_standing,
                                                    "in_arrears": in_arrears, "arrears_rupiah": arrears},
               ["npp", "as_of"])

    def upsert_worker(self, values: dict[str, Any]) -> None:
        upsert(self.session, rm_workers, values, ["kpj"])

    def upsert_employment(self, kpj: str, npp: str, start: date, end: date | None) -> None:
        upsert(self.session, rm_employments, {"kpj": kpj, "npp": npp, "start_date": start, "end_date": end},
               ["kpj", "npp", "start_date"])

    def set_wage(self, kpj: str, since: date, monthly_wage: int) -> None:
        upsert(self.session, rm_worker_wages, {"kpj": kpj, "effective_date": since, "monthly_wage": monthly_wage},
               ["kpj", "effective_date"])

    def close_employment(self, kpj: str, npp: str, end: date) -> None:
        """Ends the latest employment of `kpj` at `npp` that started on or before `end`."""
        e = rm_employments
        start = self.session.execute(select(e.c.start_date).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date <= end)
                                     .order_by(e.c.start_date.desc()).limit(1)).scalar()
        if start is not None:
            self.session.execute(update(e).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date == start)
                                 .values(end_date=end))

    def mark_non_active(self, kpj: str) -> None:
        """PHK: no longer active (a deceased worker stays DECEASED)."""
        self.session.execute(update(rm_workers).where(rm_workers.c.kpj == kpj, rm_workers.c.status != "DECEASED")
                             .values(status="NON_ACTIVE"))

    def record_death(self, kpj: str, died: date) -> None:
        self.session.execute(update(rm_employments).where(rm_employments.c.kpj == kpj,
                                                          rm_employments.c.end_date.is_(None)).values(end_date=died))
        self.session.execute(update(rm_workers).where(rm_workers.c.kpj == kpj)
                             .values(status="DECEASED", death_date=died))

    def record_incident(self, kpj: str, kind: str, work_accident: bool, on: date, claim_id: str) -> None:
        """A death or total disability benefits established (one row per KPJ and kind)."""
        upsert(self.session, rm_member_incidents, {"kpj": kpj, "kind": kind, "work_accident": work_accident,
                                                   "on_date": on, "claim_id": claim_id[:100]}, ["kpj", "kind"])
