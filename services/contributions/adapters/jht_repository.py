"""JHT accounts (C-9): whose branch a member's account is, settlements of JHT claims
(B-JHT-1) and the yearly return runs. The postings themselves are `ledger_store`'s.

`JhtAccountRepository` is a caller's view (O-2): an account of a member of a branch the
caller may not read is NotFound. `JhtBook` holds the settlements and return runs, written
for the platform (benefits' settlement, the head office's yearly run), keyed by claim
and by year, so each lands once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.chassis.errors import NotFound
from services.chassis.repository import ScopedRepository
from services.contributions.adapters import ledger_store, money_bills
from services.contributions.adapters.money_tables import jht_return_runs, jht_settlements


@dataclass(frozen=True)
class Settlement:
    claim_id: str
    kpj: str
    amount_rupiah: int
    part_year_return_rupiah: int
    settled_on: date


@dataclass(frozen=True)
class ReturnRun:
    year: int
    rate_bp: int


def _settlement(r) -> Settlement:
    return Settlement(r.claim_id, r.kpj, int(r.amount_rupiah), int(r.part_year_return_rupiah), r.settled_on)


def member_branch(session: Session, kpj: str) -> str | None:
    """The branch of a member's account: its postings', else the worker's in the read model."""
    return ledger_store.member_branch(session, kpj) or money_bills.worker_branch(session, kpj)


class JhtAccountRepository(ScopedRepository):
    def require_readable(self, kpj: str) -> str:
        """The account's branch; NotFound for an unknown member or one the caller may not read."""
        branch = self.found_or_hidden(lambda: member_branch(self.session, kpj))
        if branch is None:
            raise NotFound("JHT account", kpj)
        self.scope.require_read_record(branch, "JHT account", kpj)
        return branch


class JhtBook:
    def __init__(self, session: Session):
        self.session = session

    def settlement(self, claim_id: str) -> Settlement | None:
        row = self.session.execute(select(jht_settlements).where(jht_settlements.c.claim_id == claim_id)).first()
        return _settlement(row) if row is not None else None

    def add_settlement(self, **values: Any) -> Settlement:
        self.session.execute(insert(jht_settlements).values(**values))
        return _settlement(self.session.execute(
            select(jht_settlements).where(jht_settlements.c.claim_id == values["claim_id"])).one())

    def return_run(self, year: int) -> ReturnRun | None:
        row = self.session.execute(select(jht_return_runs).where(jht_return_runs.c.year == year)).first()
        return ReturnRun(row.year, row.rate_bp) if row is not None else None

    def add_return_run(self, **values: Any) -> None:
        self.session.execute(insert(jht_return_runs).values(**values))
