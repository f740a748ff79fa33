"""JHT ledger rows (C-9): postings in, domain `LedgerEntry`s out.

A posting's entry ids derive from its reference (`<reference>/DR`, `/CR`), and the entry id
is the primary key: the same posting can never land twice, whoever retries it.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, UTC

from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import Session

from services.contributions.adapters.money_tables import ledger_entries
from services.contributions.domain.jht_ledger import (
    MEMBER_PREFIX, EntryKind, LedgerEntry, Posting, balance_at, member_account,
)


def _entry(r) -> LedgerEntry:
    return LedgerEntry(r.entry_id, r.account, int(r.amount_rupiah), EntryKind(r.kind), r.posted_on, r.reference)


def is_posted(session: Session, reference: str) -> bool:
    return session.execute(select(ledger_entries.c.entry_id).where(ledger_entries.c.reference == reference)
                           .limit(1)).first() is not None


def insert_posting(session: Session, posting: Posting, kpj: str, branch_code: str | None) -> bool:
    """Store a balanced posting; False (and nothing stored) if its reference is already posted."""
    if sum(e.amount_rupiah for e in posting) != 0:
        raise ValueError("an unbalanced posting")  # the domain never builds one: a bug if seen
    if is_posted(session, posting[0].reference):
        return False
    now = datetime.now(UTC)
    session.execute(insert(ledger_entries), [dict(
        entry_id=e.entry_id, reference=e.reference, account=e.account, kpj=kpj, amount_rupiah=e.amount_rupiah,
        kind=e.kind.value, posted_on=e.posted_on, branch_code=branch_code, created_at=now) for e in posting])
    return True


def entries_of(session: Session, kpj: str) -> list[LedgerEntry]:
    """Every entry of the postings about member `kpj` (both sides), in posting order."""
    rows = session.execute(select(ledger_entries).where(ledger_entries.c.kpj == kpj)
                           .order_by(ledger_entries.c.posted_on, ledger_entries.c.entry_id))
    return [_entry(r) for r in rows]


def member_balance(session: Session, kpj: str, on: date) -> int:
    return balance_at(entries_of(session, kpj), member_account(kpj), on)


def member_branch(session: Session, kpj: str) -> str | None:
    """The branch of the member's latest posting (a member may move branches, "mutasi")."""
    return session.execute(select(ledger_entries.c.branch_code).where(
        ledger_entries.c.kpj == kpj, ledger_entries.c.branch_code.is_not(None))
        .order_by(ledger_entries.c.posted_on.desc(), ledger_entries.c.created_at.desc()).limit(1)).scalar()


def _member_accounts_of_year(year: int):
    """Member accounts with an entry on or before the end of `year` (those a return run walks)."""
    return (select(ledger_entries.c.account).where(ledger_entries.c.account.startswith(MEMBER_PREFIX),
                                                   ledger_entries.c.posted_on <= date(year, 12, 31))
            .distinct())


def count_member_accounts(session: Session, year: int) -> int:
    return int(session.execute(select(func.count()).select_from(_member_accounts_of_year(year).subquery())).scalar_one())


def member_accounts_after(session: Session, year: int, after: str | None, limit: int) -> list[str]:
    """The next `limit` member accounts of the year's run after `after`, in account order (C-9 batches)."""
    accounts = _member_accounts_of_year(year).subquery()
    statement = select(accounts.c.account)
    if after is not None:
        statement = statement.where(accounts.c.account > after)
    return list(session.execute(statement.order_by(accounts.c.account).limit(limit)).scalars())


def year_entries(session: Session, year: int, accounts: Sequence[str] | None = None) -> list[LedgerEntry]:
    """What the yearly return run needs (C-9): per member account one synthetic entry with
    the balance before the year (dated 31 December before it), plus the year's own entries;
    of the given `accounts` only (a batch of the run) when given.
    Earlier years are summed in SQL rather than loaded one entry at a time."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    member = ledger_entries.c.account.startswith(MEMBER_PREFIX)
    if accounts is not None:
        member = and_(member, ledger_entries.c.account.in_(list(accounts)))
    openings = session.execute(select(ledger_entries.c.account, func.sum(ledger_entries.c.amount_rupiah))
                               .where(member, ledger_entries.c.posted_on < start).group_by(ledger_entries.c.account))
    before = date(year - 1, 12, 31)
    entries = [LedgerEntry(f"OPENING/{year}/{account}", account, int(total), EntryKind.CONTRIBUTION, before,
                           f"OPENING/{year}") for account, total in openings]
    rows = session.execute(select(ledger_entries).where(member, ledger_entries.c.posted_on >= start,
                                                        ledger_entries.c.posted_on <= end)
                           .order_by(ledger_entries.c.posted_on, ledger_entries.c.entry_id))
    return entries + [_entry(r) for r in rows]


def totals_by_account(session: Session) -> dict[str, int]:
    rows = session.execute(select(ledger_entries.c.account, func.sum(ledger_entries.c.amount_rupiah))
                           .group_by(ledger_entries.c.account))
    return {account: int(total) for account, total in rows}
