"""Employer standing (C-8) in the contributions database: the last computed state per
employer, and the reads of bills the standing use cases make.

`StandingRepository` is a caller's view (O-2): a branch it names must be readable
(lists) or writable (recompute); employers are `EmployerRepository`'s. `StandingStore`
is the recompute path itself, run after a payment, on a new bill or by
RecomputeStanding for employers already checked: by employer, no scope.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, UTC
from typing import Any
from collections.abc import Mapping

from sqlalchemy import bindparam, func, insert, select, union, update
from sqlalchemy.orm import Session

from services.chassis.repository import ScopedRepository
from services.contributions.adapters import money_bills
from services.contributions.adapters.money_tables import employer_standing
from services.contributions.adapters.tables import bills
from services.contributions.domain.standing import AgeingBucket

BUCKET_COLUMNS = {
    AgeingBucket.UP_TO_30: "up_to_30_rupiah", AgeingBucket.DAYS_31_60: "days_31_60_rupiah",
    AgeingBucket.DAYS_61_90: "days_61_90_rupiah", AgeingBucket.OVER_90: "over_90_rupiah",
}


@dataclass(frozen=True)
class StoredStanding:
    """What was stored the last time: StandingChanged is emitted only when it changes."""

    in_arrears: bool
    good_standing: bool


class StandingRepository(ScopedRepository):
    def require_listable(self, branch_code: str) -> None:
        """The branch whose arrears the caller lists must be one it reads (PermissionDenied)."""
        self.scope.require_read(branch_code, "arrears")

    def employers_in_arrears(self, branch_code: str, as_of: date, after_npp: str, limit: int) -> list[str]:
        """NPPs of the branch's employers with an open bill overdue on `as_of`, after `after_npp`
        (the branch checked by `require_listable`)."""
        return list(self.session.execute(
            select(bills.c.npp).where(bills.c.branch_code == branch_code, bills.c.status == money_bills.OPEN,
                                      bills.c.due_date < as_of, bills.c.total_rupiah > bills.c.paid_rupiah,
                                      bills.c.npp > after_npp)
            .distinct().order_by(bills.c.npp).limit(limit)).scalars())


# Built once: every payment stores its employer's standing.
_STORED = select(employer_standing.c.in_arrears, employer_standing.c.good_standing).where(
    employer_standing.c.npp == bindparam("npp"))
_INSERT = insert(employer_standing)
_UPDATE = update(employer_standing).where(employer_standing.c.npp == bindparam("b_npp"))


class StandingStore:
    def __init__(self, session: Session):
        self.session = session

    @staticmethod
    def _employers_of(branch_code: str):
        """The branch's employers with bills or a stored standing (those a recompute evaluates)."""
        return union(select(bills.c.npp.label("npp")).where(bills.c.branch_code == branch_code),
                     select(employer_standing.c.npp.label("npp"))
                     .where(employer_standing.c.branch_code == branch_code)).subquery()

    def count_employers(self, branch_code: str) -> int:
        return int(self.session.execute(select(func.count()).select_from(self._employers_of(branch_code))).scalar_one())

    def employers_after(self, branch_code: str, after: str | None, limit: int) -> list[str]:
        """The next `limit` NPPs of the branch after `after`, in NPP order (a recompute's batch;
        the caller's write scope on the branch was checked when the run started)."""
        employers = self._employers_of(branch_code)
        statement = select(employers.c.npp)
        if after is not None:
            statement = statement.where(employers.c.npp > after)
        return list(self.session.execute(statement.order_by(employers.c.npp).limit(limit)).scalars())

    def stored(self, npp: str) -> StoredStanding | None:
        row = self.session.execute(_STORED, {"npp": npp}).first()
        return None if row is None else StoredStanding(bool(row.in_arrears), bool(row.good_standing))

    def save(self, npp: str, *, first: bool, by_bucket: Mapping[AgeingBucket, int], **values: Any) -> None:
        """The employer's standing as now computed (`first`: none was stored before)."""
        values = dict(values, updated_at=datetime.now(UTC),
                      **{column: by_bucket[bucket] for bucket, column in BUCKET_COLUMNS.items()})
        if first:
            self.session.execute(_INSERT, dict(values, npp=npp))
        else:
            self.session.execute(_UPDATE, dict(values, b_npp=npp))
