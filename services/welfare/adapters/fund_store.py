"""The regional funds' ledger. A fund belongs to a regional office, not to a branch, so the
use cases check the caller's office against the region (head office: every region)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.welfare.adapters.tables import fund_entries, funds
from services.welfare.domain.fund import EntryKind, FundEntry
from services.welfare.domain.programs import Fund


@dataclass(frozen=True)
class LedgerEntry:
    entry_id: str
    region_code: str
    fund: Fund
    kind: EntryKind
    amount: int
    booked_on: date
    reference: str
    loan_id: str | None


class FundLedger:
    def __init__(self, session: Session):
        self.session = session

    def lock(self, region_code: str, fund: Fund) -> None:
        """Lock the fund for a change (created on first use), so that two disbursements never
        spend the same balance (SQLite: its single writer serialises them anyway)."""
        statement = select(funds.c.region_code).where(funds.c.region_code == region_code,
                                                      funds.c.fund == fund.value).with_for_update()
        if self.session.execute(statement).first() is None:
            try:
                with self.session.begin_nested():
                    self.session.execute(insert(funds).values(region_code=region_code, fund=fund.value,
                                                              opened_at=datetime.now(UTC)))
            except IntegrityError:
                pass  # opened by a concurrent first use: lock that one
            self.session.execute(statement).first()

    def entries(self, region_code: str, fund: Fund) -> list[FundEntry]:
        e = fund_entries
        rows = self.session.execute(select(e.c.booked_on, e.c.amount).where(
            e.c.region_code == region_code, e.c.fund == fund.value)).all()
        return [FundEntry(r.booked_on, int(r.amount)) for r in rows]

    def add(self, entry: LedgerEntry, by: str) -> None:
        self.session.execute(insert(fund_entries).values(
            entry_id=entry.entry_id, region_code=entry.region_code, fund=entry.fund.value, kind=entry.kind.value,
            amount=entry.amount, booked_on=entry.booked_on, reference=entry.reference, loan_id=entry.loan_id,
            created_by=by, created_at=datetime.now(UTC)))

    def page(self, region_code: str, fund: Fund, after: tuple[str, str] | None, limit: int) -> list[LedgerEntry]:
        """Entries by booking date, then id (keyset: the last row's (date, id))."""
        e = fund_entries
        statement = select(e).where(e.c.region_code == region_code, e.c.fund == fund.value)
        if after is not None:
            day, entry_id = date.fromisoformat(after[0]), after[1]
            statement = statement.where((e.c.booked_on > day) | ((e.c.booked_on == day) & (e.c.entry_id > entry_id)))
        rows = self.session.execute(statement.order_by(e.c.booked_on, e.c.entry_id).limit(limit)).all()
        return [LedgerEntry(r.entry_id, r.region_code, Fund(r.fund), EntryKind(r.kind), int(r.amount), r.booked_on,
                            r.reference, r.loan_id) for r in rows]
