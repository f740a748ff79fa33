"""The facts claims are decided on, read back as `MemberFacts` from the chassis's replicas
of membership (`membership_replica.py`) and of contributions' standing history
(`standing_replica.py`), which their own handlers write.

Rows here belong to no caller: the consumers write them for the platform and the claims
use cases read them after the caller's scope was checked (a claim's, or the member's
through `MemberRepository`), so `ReadModelStore` is a plain store.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.benefits.adapters.tables import membership, standing
from services.benefits.domain.jpk_member import FamilyFacts
from services.benefits.domain.member_facts import Employment, MemberFacts
from services.chassis.errors import NotFound
from services.chassis.repository import ScopedRepository
from services.chassis.row_security import system_path


class ReadModelStore:
    def __init__(self, session: Session):
        self.session = session
        self.membership = membership.queries(session)
        self.standing = standing.queries(session)

    # ---- employers' standing (C-8) -----------------------------------------------------
    def arrears_paid_off_on(self, npp: str, on: date) -> date | None:
        """The day the employer's arrears were last paid off, up to `on` (B-JPK-6)."""
        return self.standing.arrears_paid_off_on(npp, on)

    def in_arrears_on(self, npp: str, on: date) -> bool:
        return self.standing.in_arrears_on(npp, on)

    # ---- workers (M-3, M-4, M-6, M-8) --------------------------------------------------
    def wage_on(self, kpj: str, day: date) -> int | None:
        """The monthly wage in force on `day` (JKK pays on the wage of the accident day)."""
        return self.membership.wage_on(kpj, day)

    def family_of(self, kpj: str) -> tuple[str, tuple[FamilyFacts, ...]]:
        """The worker's marital status and family as last listed (M-6); a line without
        membership's id is named by its place in the list (`#1`, `#2`, ...)."""
        with system_path(self.session):  # the member's record, whichever branch holds it now
            worker = self.membership.worker(kpj)
            family = self.membership.family_of(kpj)
        status = (worker.marital_status if worker is not None else "") or ""
        return status, tuple(FamilyFacts(r.member_id or f"#{r.position + 1}", r.name, r.relation, r.birth_date,
                                         bool(r.married)) for r in family)

    def member_facts(self, kpj: str) -> MemberFacts | None:
        """The member's facts across branches (row security's system path): a member who
        moved keeps the employments of the old branch; the caller's scope is checked on the
        member's branch by the use case."""
        with system_path(self.session):
            return self._member_facts(kpj)

    def _member_facts(self, kpj: str) -> MemberFacts | None:
        row = self.membership.worker(kpj)
        if row is None:
            return None
        return MemberFacts(
            kpj=row.kpj, name=row.name, birth_date=row.birth_date, status=row.status, npp=row.npp,
            branch_code=row.branch_code, programs=frozenset(p for p in row.programs.split(",") if p),
            member_since=row.member_since,
            employments=tuple(Employment(p.npp, p.branch_code, p.start_date, p.end_date)
                              for p in self.membership.employments_of(kpj)),
            end_date=row.end_date, death_date=row.death_date)


class MemberRepository(ScopedRepository):
    """The member a caller acts on, within the caller's scope (O-2): an unknown KPJ and
    another branch's member are both NotFound, a member the caller may only read is
    PermissionDenied."""

    def for_change(self, kpj: str) -> MemberFacts:
        workers = membership.tables.workers
        self.writable(select(workers.c.kpj).where(workers.c.kpj == kpj), workers.c.branch_code, "worker", kpj,
                      lock=False)
        facts = ReadModelStore(self.session).member_facts(kpj)
        if facts is None:
            raise NotFound("worker", kpj)
        return facts
