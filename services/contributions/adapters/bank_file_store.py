"""Rows of bank_statements, bank_statement_imports and bank_statement_lines (no rules here):
one row per statement file imported, one per import and one per line of it."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.chassis.repository import ScopedRepository
from services.contributions.adapters.bank_file_tables import (
    bank_statement_imports, bank_statement_lines, bank_statements,
)

INSERT_BATCH = 5_000  # lines per executemany: a 200,000-line file is forty statements


@dataclass(frozen=True)
class StoredLine:
    """One line's outcome as an import left it (`statement_file_lines` says what each means)."""

    line_number: int
    bank_reference: str
    outcome: str
    payment_id: str
    status: str
    reason: str
    amount_sen: int
    paid_on: date
    npp: str
    bill_number: str
    bills_paid: tuple[str, ...]


def statement_key(account: str, statement_id: str) -> str:
    return f"{account.strip()}|{statement_id.strip()}"[:250]


def imported(session: Session, key: str) -> Any | None:
    return session.execute(select(bank_statements).where(bank_statements.c.statement_key == key)).first()


def record_statement(session: Session, **values: Any) -> None:
    session.execute(insert(bank_statements).values(imported_at=datetime.now(UTC), **values))


class LineOutcomes:
    """One import's line outcomes written as they come, INSERT_BATCH rows at a time: a large
    file's are never all held in memory (200,000 of them would take some 180 MB)."""

    def __init__(self, session: Session, import_id: str):
        self.session = session
        self.import_id = import_id
        self.count = 0
        self._rows: list[dict[str, Any]] = []

    def add(self, line: StoredLine) -> None:
        self._rows.append(_line_row(self.import_id, line))
        self.count += 1
        if len(self._rows) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self.session.execute(insert(bank_statement_lines), self._rows)
            self._rows = []


def record_import(session: Session, *, outcomes: LineOutcomes, statement_key: str, branch_code: str,
                  imported_by: str) -> None:
    """The import's row, once its last lines are written."""
    outcomes.flush()
    session.execute(insert(bank_statement_imports).values(
        import_id=outcomes.import_id, statement_key=statement_key, branch_code=branch_code,
        line_count=outcomes.count, imported_by=imported_by[:100], imported_at=datetime.now(UTC)))


def _line_row(import_id: str, line: StoredLine) -> dict[str, Any]:
    return {"import_id": import_id, "line_number": line.line_number, "bank_reference": line.bank_reference[:250],
            "outcome": line.outcome, "payment_id": line.payment_id, "status": line.status, "reason": line.reason,
            "amount_sen": line.amount_sen, "paid_on": line.paid_on, "npp": line.npp[:30],
            "bill_number": line.bill_number[:60], "bills_paid": " ".join(line.bills_paid)}


class StatementLineRepository(ScopedRepository):
    """An import's lines as a caller sees them (O-2): only the receiving branch's readers
    (and the offices above it); another branch's import is NotFound."""

    def page(self, import_id: str, *, after_line: int, limit: int) -> list[StoredLine]:
        self.readable(select(bank_statement_imports.c.import_id).where(bank_statement_imports.c.import_id == import_id),
                      bank_statement_imports.c.branch_code, "statement import", import_id)
        rows = self.session.execute(
            select(bank_statement_lines)
            .where(bank_statement_lines.c.import_id == import_id, bank_statement_lines.c.line_number > after_line)
            .order_by(bank_statement_lines.c.line_number).limit(limit))
        return list(_stored(rows))


def _stored(rows: Iterable[Any]) -> Iterator[StoredLine]:
    for r in rows:
        yield StoredLine(r.line_number, r.bank_reference, r.outcome, r.payment_id, r.status, r.reason, r.amount_sen,
                         r.paid_on, r.npp, r.bill_number, tuple(r.bills_paid.split()))
