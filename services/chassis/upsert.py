"""Portable upsert (INSERT ... ON CONFLICT) for SQLite and PostgreSQL.

The read model is built from events that may be redelivered or arrive late, so every
write is keyed by the row's natural key and replaces what is there: applying an event
twice leaves the same rows as applying it once.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .prebuilt import PrebuiltConnection


def upsert(session: Session | PrebuiltConnection, table: Table, rows: Mapping[str, Any] | Iterable[Mapping[str, Any]],
           key: Iterable[str], *, update: Iterable[str] | None = None) -> None:
    """Insert `rows`; on a clash of the `key` columns update the other columns (or `update`).

    `update=()` keeps the existing row (insert if missing, else do nothing). On a
    `PrebuiltConnection` (a unit of work's `prebuilt`) the statement runs compiled once.
    """
    rows = [dict(rows)] if isinstance(rows, Mapping) else [dict(r) for r in rows]
    if not rows:
        return
    key = tuple(key)
    columns = tuple(update) if update is not None else tuple(c for c in rows[0] if c not in key)
    dialect = session.dialect.name if isinstance(session, PrebuiltConnection) else session.get_bind().dialect.name
    session.execute(_statement(table, key, columns, dialect), rows if len(rows) > 1 else rows[0])


@functools.lru_cache(maxsize=512)
def _statement(table: Table, key: tuple[str, ...], columns: tuple[str, ...], dialect: str) -> Insert:
    """Built once per table, key and columns: the values travel as parameters, and building
    the ON CONFLICT clause (its `excluded` columns) cost more than the row's own INSERT."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    if columns:
        return statement.on_conflict_do_update(index_elements=list(key), set_={c: statement.excluded[c] for c in columns})
    return statement.on_conflict_do_nothing(index_elements=list(key))
