"""JPK's facilities, facility choices and care records, within the caller's branch scope (O-2).

A facility belongs to the branch that appointed it, a choice and a care record to the
member's branch: lists are scoped here and a record by key of another branch is NotFound,
exactly as an unknown one. One question is answered across branches on purpose:
`appointed_on` (is this code in the agency's network on a day?), because B-JPK-4 covers an
emergency at any appointed facility; it answers yes or no and shows nothing of the record.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from services.benefits.adapters.tables import jpk, membership
from services.benefits.domain.facilities import Facility, FacilityChoice, FacilityKind
from services.benefits.domain.jpk_member import CareUsage
from services.chassis.errors import AlreadyExists
from services.chassis.repository import ScopedRepository

facilities, choices, care = jpk["facilities"], jpk["choices"], jpk["care"]
workers = membership.tables.workers
CHILDBIRTH = "CHILDBIRTH"


class JpkRepository(ScopedRepository):
    # ---- the registry (B-JPK-4) -------------------------------------------------------------
    def add_facility(self, facility: Facility, registered_by: str) -> None:
        """Into the facility's branch, which the caller must be able to change (O-2)."""
        self.scope.require_write(facility.branch_code, f"facilities of {facility.branch_code}")
        if self.session.execute(select(facilities.c.code).where(facilities.c.code == facility.code)).first():
            raise AlreadyExists("facility", facility.code)
        self.session.execute(insert(facilities).values(
            code=facility.code, name=facility.name, branch_code=facility.branch_code, kind=facility.kind.value,
            appointed_from=facility.appointed_from, appointed_until=facility.appointed_until,
            registered_by=registered_by, created_at=datetime.now(UTC)))

    def readable_facility(self, code: str) -> Facility:
        row = self.readable(select(facilities).where(facilities.c.code == code), facilities.c.branch_code,
                            "facility", code)
        return _facility(row)

    def facilities_page(self, *, branch_code: str | None, kind: FacilityKind | None, after_code: str | None,
                        limit: int) -> list[Facility]:
        """A branch named that the caller may not read is refused (O-2)."""
        statement = select(facilities)
        if branch_code:
            self.scope.require_read(branch_code, f"facilities of {branch_code}")
            statement = statement.where(facilities.c.branch_code == branch_code)
        if kind is not None:
            statement = statement.where(facilities.c.kind == kind.value)
        if after_code:
            statement = statement.where(facilities.c.code > after_code)
        rows = self.session.execute(self.scoped(statement, facilities.c.branch_code)
                                    .order_by(facilities.c.code).limit(limit)).all()
        return [_facility(r) for r in rows]

    def appointed_on(self, code: str, day: date) -> bool:
        """B-JPK-4: whether `code` is in the agency's network on `day`, whatever its branch."""
        f = facilities
        return self.session.execute(select(f.c.code).where(
            f.c.code == code, f.c.appointed_from <= day,
            (f.c.appointed_until.is_(None)) | (f.c.appointed_until >= day))).first() is not None

    # ---- members (the read model's worker, scoped by the member's branch) --------------------
    def require_member(self, kpj: str, *, for_change: bool) -> str:
        """The member's branch; NotFound for an unknown KPJ and for another branch's member."""
        statement = select(workers.c.kpj).where(workers.c.kpj == kpj)
        if for_change:
            row = self.writable(statement, workers.c.branch_code, "worker", kpj, lock=False)
        else:
            row = self.readable(statement, workers.c.branch_code, "worker", kpj)
        return str(row._mapping["branch_code"])

    # ---- the member's facility (B-JPK-3) -----------------------------------------------------
    def choices_of(self, kpj: str) -> list[FacilityChoice]:
        """Oldest first; call after `require_member` (the scope is the member's)."""
        rows = self.session.execute(select(choices).where(choices.c.kpj == kpj).order_by(choices.c.since)).all()
        return [FacilityChoice(r.kpj, r.facility_code, r.since, bool(r.moved_house), r.chosen_by) for r in rows]

    def choice_on(self, kpj: str, day: date) -> FacilityChoice | None:
        found = [c for c in self.choices_of(kpj) if c.since <= day]
        return found[-1] if found else None

    def add_choice(self, choice: FacilityChoice, branch_code: str) -> None:
        try:
            with self.session.begin_nested():
                self.session.execute(insert(choices).values(
                    kpj=choice.kpj, since=choice.since, facility_code=choice.facility_code, branch_code=branch_code,
                    moved_house=choice.moved_house, chosen_by=choice.chosen_by, created_at=datetime.now(UTC)))
        except IntegrityError:
            raise AlreadyExists("facility choice", f"{choice.kpj}@{choice.since.isoformat()}") from None

    # ---- care the cover paid (B-JPK-2, B-JPK-5) ----------------------------------------------
    def usage(self, kpj: str, dependant_id: str, case_code: str, day: date) -> CareUsage:
        """The person's days of this case in `day`'s calendar year, and the family's childbirths
        before `day` (B-JPK-2 counts the worker's children, whoever of the couple gives birth)."""
        c = care
        days = self.session.execute(select(func.coalesce(func.sum(c.c.days_covered), 0),
                                           func.coalesce(func.sum(c.c.intensive_care_days_covered), 0)).where(
            c.c.kpj == kpj, c.c.dependant_id == dependant_id, c.c.case_code == case_code, c.c.case_code != "",
            c.c.care_on >= date(day.year, 1, 1), c.c.care_on <= date(day.year, 12, 31))).one()
        births = self.session.execute(select(c.c.care_on).where(
            c.c.kpj == kpj, c.c.care_kind == CHILDBIRTH, c.c.care_on < day).order_by(c.c.care_on)).scalars()
        return CareUsage(int(days[0]), int(days[1]), tuple(births))

    def add_care(self, values: dict[str, Any]) -> None:
        try:
            with self.session.begin_nested():
                self.session.execute(insert(care).values(created_at=datetime.now(UTC), **values))
        except IntegrityError:
            raise AlreadyExists("care record", f"{values['kpj']} {values['care_kind']} {values['care_on']} at "
                                               f"{values['facility_code']}", "this care is already recorded") from None


def _facility(row: Any) -> Facility:
    return Facility(row.code, row.name, row.branch_code, FacilityKind(row.kind), row.appointed_from,
                    row.appointed_until)
