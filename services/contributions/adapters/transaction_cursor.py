"""The payment path's statements (`money_bills`, `payment_store`) on the driver's cursor,
inside the transaction the unit of work's Session holds.

Built once, a statement still cost most of its time in SQLAlchemy's execution machinery
when run through `Session.execute` (an execution context, result metadata, events): about
five times the query itself, and a payment runs some twenty. Here they run through the
chassis' `PrebuiltConnection` (`services/chassis/prebuilt.py`: compiled once per dialect
and set of columns, SQLAlchemy's own bind and result processors) on the Session's own
connection, so they are part of its transaction (and of its savepoint): SQLite's BEGIN
IMMEDIATE and PostgreSQL's row-security settings were issued on that connection when the
transaction began. The rules are prebuilt's: statements are module constants.

Given anything but a Session (a read connection, a lookup connection), `on_cursor` hands
it back: it runs the same statements itself.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from services.chassis.lookups import LookupConnection
from services.chassis.prebuilt import PrebuiltConnection, StatementCache

_caches: dict[tuple[type, str], StatementCache] = {}  # per dialect, shared by every payment


def _cache(dialect: Dialect) -> StatementCache:
    key = (type(dialect), dialect.paramstyle)
    cache = _caches.get(key)
    if cache is None:
        cache = _caches[key] = StatementCache(dialect)
    return cache


_PREBUILT = "transaction_cursor.prebuilt"  # a Session's own, in its `info`


def on_cursor(executor: Session | Connection | LookupConnection) -> PrebuiltConnection | Connection | LookupConnection:
    """The Session's transaction on its driver's cursor; anything else as it is. A Session
    bound to one Connection (a unit of work's) keeps its cursor's wrapper: asking the
    Session for its connection cost, at every statement, about as much as the statement."""
    if isinstance(executor, Session):
        bind = executor.bind
        cached = executor.info.get(_PREBUILT) if isinstance(bind, Connection) else None
        if cached is not None and cached.connection is bind:
            return cached
        connection = executor.connection()
        prebuilt = PrebuiltConnection(connection, _cache(connection.dialect))
        if isinstance(bind, Connection) and connection is bind:
            executor.info[_PREBUILT] = prebuilt
        return prebuilt
    return executor


def write(executor: Session | Connection, statement: UpdateBase,
          params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
    """An INSERT or UPDATE built once, with one row's values or several rows' (executemany)."""
    if not params:
        return
    target = on_cursor(executor)
    target.execute(statement, params)  # type: ignore[arg-type]
