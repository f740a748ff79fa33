"""Prebuilt statements on the driver's cursor, inside a unit of work's own transaction.

Built once, a statement still cost most of its time in SQLAlchemy's execution machinery
when run through `Session.execute` (an execution context, result metadata, events): about
five times the query itself, and a payment runs some twenty. Here the statements of the
payment path (`money_bills`, `payment_store`) run on the DBAPI connection of the
transaction the Session holds, so they are part of it (and of its savepoint): SQLite's
BEGIN IMMEDIATE and PostgreSQL's row-security settings were issued on that connection when
the transaction began. Reads go through the chassis' `LookupConnection`
(`services/chassis/lookups.py`: compiled once per dialect, SQLAlchemy's own bind and
result processors); writes are compiled the same way here, once per statement and set of
columns. The rules are the lookups': statements are module constants, with no IN list.

Given anything but a Session (a read connection, a lookup connection), `on_cursor` hands
it back: it runs the same statements itself.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import UpdateBase

from services.chassis.lookups import LookupConnection

_MAX_STATEMENTS = 512  # a guard: only module constants belong here
_reads: dict[tuple[type, str], dict[int, Any]] = {}  # per dialect: LookupConnection's compiled cache
_writes: dict[tuple[type, str], dict[tuple[int, frozenset[str]], tuple[UpdateBase, _CompiledWrite]]] = {}


class Executor(Protocol):
    """What the payment path's adapters need of what they are given."""

    def execute(self, statement: Any, params: Any = None) -> Any: ...


class _CompiledWrite:
    """One INSERT or UPDATE for one dialect and set of given columns: its SQL, parameter
    order and bind processors (dates as text on SQLite, as SQLAlchemy would send them)."""

    def __init__(self, statement: UpdateBase, dialect: Dialect, keys: frozenset[str]):
        # for_executemany: no RETURNING of the new id (PostgreSQL), nothing reads it
        compiled = statement.compile(dialect=dialect, column_keys=sorted(keys), for_executemany=True)
        self.compiled = compiled
        self.sql = str(compiled)
        self.positional = compiled.positiontup  # None for named paramstyles (psycopg)
        names = self.positional if self.positional is not None else list(compiled.construct_params(_check=False))
        self.bind_processors = {
            name: compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in set(names)
        }

    def parameters(self, given: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        values = self.compiled.construct_params(dict(given))  # a missing parameter raises, as SQLAlchemy's
        for name, process in self.bind_processors.items():
            if process is not None and values.get(name) is not None:
                values[name] = process(values[name])
        if self.positional is not None:
            return [values[name] for name in self.positional]
        return values


class TransactionCursor:
    """`execute(select, params)` and `write(dml, params or rows)` in one Session's transaction."""

    def __init__(self, connection: Connection):
        dialect = connection.dialect
        key = (type(dialect), dialect.paramstyle)
        self._dbapi: Any = connection.connection.driver_connection
        self._dialect = dialect
        self._writes = _writes.setdefault(key, {})
        self._reads = LookupConnection(self._dbapi, _reads.setdefault(key, {}), dialect)

    def execute(self, statement: Select[Any], params: Mapping[str, Any] | None = None) -> Any:
        return self._reads.execute(statement, params)

    def write(self, statement: UpdateBase, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
        """One row's values, or several rows' (one executemany: they give the same columns)."""
        rows = [params] if isinstance(params, Mapping) else list(params)
        if not rows:
            return
        compiled = self._compiled(statement, frozenset(rows[0]))
        cursor = self._dbapi.cursor()
        try:
            if len(rows) == 1:
                cursor.execute(compiled.sql, compiled.parameters(rows[0]))
            else:
                cursor.executemany(compiled.sql, [compiled.parameters(row) for row in rows])
        finally:
            cursor.close()

    def _compiled(self, statement: UpdateBase, keys: frozenset[str]) -> _CompiledWrite:
        entry = self._writes.get((id(statement), keys))
        if entry is not None and entry[0] is statement:
            return entry[1]
        if len(self._writes) >= _MAX_STATEMENTS:
            self._writes.clear()
        compiled = _CompiledWrite(statement, self._dialect, keys)
        self._writes[(id(statement), keys)] = (statement, compiled)  # the statement kept alive: its id stays its own
        return compiled


def on_cursor(executor: Session | Connection | LookupConnection) -> TransactionCursor | Connection | LookupConnection:
    """The Session's transaction on its driver's cursor; anything else as it is."""
    if isinstance(executor, Session):
        return TransactionCursor(executor.connection())
    return executor


def write(executor: Session | Connection, statement: UpdateBase,
          params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
    """An INSERT or UPDATE built once, with one row's values or several rows' (executemany)."""
    target = on_cursor(executor)
    if isinstance(target, TransactionCursor):
        target.write(statement, params)
    elif params:
        target.execute(statement, params)  # type: ignore[union-attr, arg-type]
