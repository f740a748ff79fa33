"""Rows of bank_statements (no rules here): one per statement file imported."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.contributions.adapters.bank_file_tables import bank_statements


def statement_key(account: str, statement_id: str) -> str:
    return f"{account.strip()}|{statement_id.strip()}"[:250]


def imported(session: Session, key: str) -> Any | None:
    return session.execute(select(bank_statements).where(bank_statements.c.statement_key == key)).first()


def record_statement(session: Session, **values: Any) -> None:
    session.execute(insert(bank_statements).values(imported_at=datetime.now(UTC), **values))
