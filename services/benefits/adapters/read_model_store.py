"""The read model in the benefits database: what membership's and contributions' events
write (by natural key: upserts, so a redelivered event changes nothing) and the facts
claims are decided on, read back as `MemberFacts`.

Rows here belong to no caller: the consumers write them for the platform and the claims
use cases read them after the caller's claim scope was checked, so this is a plain store,
not a scoped repository.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from services.benefits.adapters.tables import read_model
from services.benefits.domain.jpk_member import FamilyFacts
from services.benefits.domain.member_facts import Employment, MemberFacts
from services.chassis.upsert import upsert

workers, employments, wages = read_model["workers"], read_model["employments"], read_model["wages"]
family, employers, standing = read_model["family"], read_model["employers"], read_model["standing"]


class ReadModelStore:
    def __init__(self, session: Session):
        self.session = session

    # ---- employers (M-1) and their standing (C-8) --------------------------------------
    def upsert_employer(self, values: dict[str, Any]) -> None:
        upsert(self.session, employers, values, ["npp"])

    def record_standing(self, values: dict[str, Any]) -> None:
        upsert(self.session, standing, values, ["npp", "as_of"])

    def arrears_paid_off_on(self, npp: str, on: date) -> date | None:
        """The day the employer's arrears were last paid off, up to `on` (B-JPK-6): the first
        day of good standing after the latest day in arrears; None if never in arrears."""
        s = standing
        last_arrears = self.session.execute(select(func.max(s.c.as_of)).where(
            s.c.npp == npp, s.c.as_of <= on, s.c.in_arrears.is_(True))).scalar()
        if last_arrears is None:
            return None
        return self.session.execute(select(func.min(s.c.as_of)).where(
            s.c.npp == npp, s.c.as_of > last_arrears, s.c.as_of <= on, s.c.in_arrears.is_(False))).scalar()

    def in_arrears_on(self, npp: str, on: date) -> bool:
        row = self.session.execute(select(standing.c.in_arrears).where(standing.c.npp == npp, standing.c.as_of <= on)
                                   .order_by(standing.c.as_of.desc()).limit(1)).scalar()
        return bool(row)

    # ---- workers (M-3, M-4, M-8) -------------------------------------------------------
    def upsert_worker(self, values: dict[str, Any], start: date) -> None:
        """The worker as the event carries it; membership counts from the earliest start seen."""
        known = self.session.execute(select(workers.c.member_since).where(workers.c.kpj == values["kpj"])).scalar()
        upsert(self.session, workers, {**values, "member_since": min(known, start) if known else start}, ["kpj"])

    def upsert_employment(self, kpj: str, npp: str, start: date, branch_code: str, end: date | None) -> None:
        upsert(self.session, employments, {"kpj": kpj, "npp": npp, "start_date": start, "branch_code": branch_code,
                                           "end_date": end}, ["kpj", "npp", "start_date"])

    def close_employment(self, kpj: str, npp: str, end: date) -> None:
        """Ends the latest employment of `kpj` at `npp` that started on or before `end`."""
        e = employments
        start = self.session.execute(select(e.c.start_date).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date <= end)
                                     .order_by(e.c.start_date.desc()).limit(1)).scalar()
        if start is not None:
            self.session.execute(update(e).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date == start)
                                 .values(end_date=end))

    def set_wage(self, kpj: str, since: date, monthly_wage: int) -> None:
        upsert(self.session, wages, {"kpj": kpj, "effective_date": since, "monthly_wage": monthly_wage},
               ["kpj", "effective_date"])

    def wage_on(self, kpj: str, day: date) -> int | None:
        """The monthly wage in force on `day` (JKK pays on the wage of the accident day)."""
        value = self.session.execute(select(wages.c.monthly_wage).where(wages.c.kpj == kpj, wages.c.effective_date <= day)
                                     .order_by(wages.c.effective_date.desc()).limit(1)).scalar()
        return None if value is None else int(value)

    def replace_family(self, kpj: str, marital_status: str | None, members: Sequence[dict[str, Any]]) -> None:
        """The whole family as the event lists it (M-6) replaces the one held."""
        if marital_status:
            self.session.execute(update(workers).where(workers.c.kpj == kpj).values(marital_status=marital_status))
        self.session.execute(delete(family).where(family.c.kpj == kpj))
        if members:
            self.session.execute(insert(family), [{"kpj": kpj, "position": i, **m} for i, m in enumerate(members)])

    def terminate(self, kpj: str, npp: str, day: date, reason: str) -> None:
        """PHK (M-8): the employment ends; a deceased worker stays DECEASED."""
        self.close_employment(kpj, npp, day)
        self.session.execute(update(workers).where(workers.c.kpj == kpj).values(end_date=day, end_reason=reason))
        self.session.execute(update(workers).where(workers.c.kpj == kpj, workers.c.status != "DECEASED")
                             .values(status="NON_ACTIVE"))

    def record_death(self, kpj: str, died: date) -> None:
        """Death (M-8) ends every open employment on that day."""
        self.session.execute(update(employments).where(employments.c.kpj == kpj, employments.c.end_date.is_(None))
                             .values(end_date=died))
        self.session.execute(update(workers).where(workers.c.kpj == kpj).values(status="DECEASED", death_date=died))

    # ---- reading -----------------------------------------------------------------------
    def family_of(self, kpj: str) -> tuple[str, tuple[FamilyFacts, ...]]:
        """The worker's marital status and family as last listed (M-6); a line without
        membership's id is named by its place in the list (`#1`, `#2`, ...)."""
        status = self.session.execute(select(workers.c.marital_status).where(workers.c.kpj == kpj)).scalar() or ""
        rows = self.session.execute(select(family).where(family.c.kpj == kpj).order_by(family.c.position)).all()
        return status, tuple(FamilyFacts(r.member_id or f"#{r.position + 1}", r.name, r.relation, r.birth_date,
                                         bool(r.married)) for r in rows)

    def member_facts(self, kpj: str) -> MemberFacts | None:
        row = self.session.execute(select(workers).where(workers.c.kpj == kpj)).first()
        if row is None:
            return None
        periods = self.session.execute(select(employments).where(employments.c.kpj == kpj)
                                       .order_by(employments.c.start_date)).all()
        return MemberFacts(
            kpj=row.kpj, name=row.name, birth_date=row.birth_date, status=row.status, npp=row.npp,
            branch_code=row.branch_code, programs=frozenset(p for p in row.programs.split(",") if p),
            member_since=row.member_since,
            employments=tuple(Employment(p.npp, p.branch_code, p.start_date, p.end_date) for p in periods),
            end_date=row.end_date, death_date=row.death_date)
