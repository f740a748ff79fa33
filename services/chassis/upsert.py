"""Portable upsert (INSERT ... ON CONFLICT) for SQLite and PostgreSQL.

The read model is built from events that may be redelivered or arrive late, so every
write is keyed by the row's natural key and replaces what is there: applying an event
twice leaves the same rows as applying it once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(session: Session, table: Table, rows: Mapping[str, Any] | Iterable[Mapping[str, Any]],
           key: Iterable[str], *, update: Iterable[str] | None = None) -> None:
    """Insert `rows`; on a clash of the `key` columns update the other columns (or `update`).

    `update=()` keeps the existing row (insert if missing, else do nothing).
    """
    rows = [dict(rows)] if isinstance(rows, Mapping) else [dict(r) for r in rows]
    if not rows:
        return
    key = list(key)
    columns = list(update) if update is not None else [c for c in rows[0] if c not in key]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    if columns:
        statement = statement.on_conflict_do_update(
            index_elements=key, set_={c: statement.excluded[c] for c in columns}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=key)
    session.execute(statement, rows)
