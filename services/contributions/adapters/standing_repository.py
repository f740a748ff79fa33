"""Employer standing (C-8) in the contributions database: the last computed state per
employer, and the reads of bills the standing use cases make.

`StandingRepository` is a caller's view (O-2): a branch it names must be readable
(lists) or writable (recompute); employers are `EmployerRepository`'s. `StandingStore`
is the recompute path itself, run after a payment, on a new bill or by
RecomputeStanding for employers already checked: by employer, no scope.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, UTC
from typing import Any
from collections.abc import Mapping

from sqlalchemy import bindparam, func, insert, select, union, update
from sqlalchemy.orm import Session

from services.chassis.repository import ScopedRepository
from services.contributions.adapters import money_bills
from services.contributions.adapters.money_tables import employer_standing
from services.contributions.adapters.tables import bills
from services.contributions.adapters.transaction_cursor import on_cursor, write
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
    columns: Mapping[str, Any] = field(default_factory=dict, compare=False)  # the row as stored, `updated_at` aside


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
_STORED = select(*(c for c in employer_standing.c if c.name not in ("npp", "updated_at"))).where(
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
        row = on_cursor(self.session).execute(_STORED, {"npp": npp}).first()
        if row is None:
            return None
        return StoredStanding(bool(row.in_arrears), bool(row.good_standing), dict(row._mapping))

    def save(self, npp: str, *, previous: StoredStanding | None, by_bucket: Mapping[AgeingBucket, int],
             **values: Any) -> None:
        """The employer's standing as now computed (`previous`: as `stored` read it, None if
        none was). Not written again when it is what is stored (most payments of an employer
        with nothing overdue): `updated_at` is when it last changed."""
        values = dict(values, **{column: by_bucket[bucket] for bucket, column in BUCKET_COLUMNS.items()})
        if previous is None:
            write(self.session, _INSERT, dict(values, npp=npp, updated_at=datetime.now(UTC)))
        elif values != previous.columns:
            write(self.session, _UPDATE, dict(values, b_npp=npp, updated_at=datetime.now(UTC)))
