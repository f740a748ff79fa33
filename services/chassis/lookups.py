"""The hot lookups (a record by its number) on a pooled DBAPI connection.

Through a SQLAlchemy Connection a one-row SELECT cost about twenty times the query itself
(events, the execution context, result objects, BEGIN and ROLLBACK as statements of
their own), and that was most of a GetWorker. Here a statement is still built with
SQLAlchemy Core, once, at import; it is compiled once per dialect, with SQLAlchemy's own
bind and result processors (so a date comes back a date on SQLite too), and run on the
driver's cursor:

    _BY_KPJ = select(workers).where(workers.c.kpj == bindparam("kpj"))
    with app.lookup() as connection:
        row = connection.execute(_BY_KPJ, {"kpj": kpj}).first()

Only for statements built once (module constants): the compiled form is kept per
statement object, in the same `StatementCache` the write path uses (`prebuilt.py`). On SQLite each statement reads in a transaction of its own (the
connection is in autocommit, as the engine sets it): give a lookup one statement, or
statements that need no common snapshot. Anything else goes through `read_session()`.

A read that must leave a row (FindKpj's audit record, M-5) writes it with `GroupedInsert`:
the same prebuilt INSERT on the driver's cursor, and rows of concurrent callers committed
together, each caller back once its own row is committed.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, Table, event, insert
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql import Select

from . import row_security
from .database import sqlite_write_turn
from .prebuilt import PrebuiltResult, StatementCache, _Compiled, client_cursor


class LookupConnection:
    """`execute(statement, params)` for statements built once; what a repository needs of a
    connection to read (first, all, scalar_one_or_none, iteration)."""

    def __init__(self, dbapi_connection: Any, cache: StatementCache):
        self._dbapi = dbapi_connection
        self._cache = cache

    def execute(self, statement: Select[Any], params: Mapping[str, Any] | None = None) -> PrebuiltResult:
        compiled = self._compiled(statement)
        cursor = self._dbapi.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
            return PrebuiltResult(compiled.rows(cursor), cursor.rowcount)
        finally:
            cursor.close()

    def _compiled(self, statement: Select[Any]) -> _Compiled:
        compiled = self._cache.compiled(statement, ())  # a SELECT's SQL does not depend on the names given
        if not compiled.runnable:
            raise ValueError("IN lists expand per call: run this statement through read_session()")
        return compiled

    @property
    def dialect(self) -> Dialect:
        return self._cache.dialect

    def every_branch(self) -> AbstractContextManager[None]:
        """row_security.system_path here: SQLite has no row security to step past."""
        return nullcontext()


class _ScopedLookupConnection(LookupConnection):
    """PostgreSQL, the connection in autocommit: each statement goes with the setting of the
    caller's branch scope before it, in one query (`_scoped`; PostgreSQL runs a query of
    several statements as one transaction, so the transaction-local setting holds for the
    statement and ends with it). One round trip where BEGIN, set_config, the statement and
    ROLLBACK were four: a lookup's client CPU 303 -> 123 us, its wall time 576 -> 275 us in
    a probe. The values are bound by psycopg on the client (`ClientCursor`, its own quoting),
    as a query of two statements cannot take the server's parameters. No setting (no
    caller): the statement alone, which row security shows nothing."""

    def __init__(self, dbapi_connection: Any, cache: StatementCache, setting: Mapping[str, str] | None):
        super().__init__(dbapi_connection, cache)
        self._setting = _setting_params(setting)
        self._every_branch = False

    @contextmanager
    def every_branch(self) -> Iterator[None]:
        """row_security.system_path on this connection: its statements sent with the system
        path instead of the caller's scope."""
        before, self._every_branch = self._every_branch, True
        try:
            yield
        finally:
            self._every_branch = before

    def execute(self, statement: Select[Any], params: Mapping[str, Any] | None = None) -> PrebuiltResult:
        setting = _SYSTEM if self._every_branch else self._setting
        if setting is None:
            return super().execute(statement, params)
        compiled = self._compiled(statement)
        values = compiled.parameters(params)
        assert isinstance(values, Mapping), "psycopg's parameters are named (pyformat)"
        cursor = client_cursor(self._dbapi)
        try:
            cursor.execute(_scoped(compiled.sql), {**values, **setting})
            cursor.nextset()  # past set_config's row: the statement's own result
            return PrebuiltResult(compiled.rows(cursor), cursor.rowcount)
        finally:
            cursor.close()


_SETTING_NAME, _SETTING_VALUE = "jamsos_setting_name", "jamsos_setting_value"


def _setting_params(setting: Mapping[str, str] | None) -> dict[str, str] | None:
    return None if setting is None else {_SETTING_NAME: setting["name"], _SETTING_VALUE: setting["value"]}


_SYSTEM = _setting_params(row_security.SYSTEM_SETTING)


@functools.lru_cache(maxsize=1024)
def _scoped(sql: str) -> str:
    return f"SELECT set_config(%({_SETTING_NAME})s, %({_SETTING_VALUE})s, true); {sql}"


_GENERATION = "jamsos_kept_generation"


class _KeptConnections:
    """SQLite connections kept out of the pool by their users between uses: the pool's
    checkout and return were a sixth of a GetWorker's time in its thread, and a SQLite
    connection in autocommit has nothing to reset between uses (each statement reads the
    latest commit). At most one per use at once (so at most the gRPC threads); back to the
    pool when the engine is disposed (which closes them; one in use then goes back when
    handed back), or when one is handed back with a transaction open (the pool's reset is
    wanted then)."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        # Moved by every dispose: a connection taken before one (from the pool disposed
        # then) goes back to that pool when handed back, never into `_idle`.
        self._generation = 0
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def take(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()  # kept in this generation (a dispose empties `_idle`)
            generation = self._generation
        fairy = self._engine.raw_connection()
        fairy.info[_GENERATION] = generation
        return fairy

    def give_back(self, fairy: Any) -> None:
        with self._lock:
            if fairy.info.get(_GENERATION) == self._generation and not fairy.driver_connection.in_transaction:
                self._idle.append(fairy)
                return
        fairy.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._generation += 1
        for fairy in idle:
            fairy.close()


class Lookups:
    """The lookup connections of one engine (one pool, one compiled cache). On SQLite the
    lookups keep the connections they used (`_KeptConnections`); on PostgreSQL each goes
    back to the pool after the lookup (its ping when idle), having run every statement in
    autocommit with the caller's scope sent before it (`_ScopedLookupConnection`)."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._cache = StatementCache(engine.dialect)
        self._row_security = engine.dialect.name == "postgresql"
        self._kept = _KeptConnections(engine) if engine.dialect.name == "sqlite" else None

    def connection(self, *, across_branches: bool = False) -> AbstractContextManager[LookupConnection]:
        """A pooled connection; back to the pool on leaving, or on SQLite kept for the next
        lookup. On PostgreSQL each statement runs with the caller's branch scope
        (row_security.py) in the same round trip; `across_branches`: with the system path
        instead, for a lookup that must see every branch (what decides the caller's scope,
        a national number), at no extra cost."""
        if self._kept is not None:
            return _KeptLookup(self._kept, self._cache)
        return self._pooled(across_branches)

    @contextmanager
    def _pooled(self, across_branches: bool) -> Iterator[LookupConnection]:
        fairy = self._engine.raw_connection()
        try:
            if not self._row_security:
                yield LookupConnection(fairy.driver_connection, self._cache)
                return
            setting = row_security.SYSTEM_SETTING if across_branches else row_security.scope_setting()
            driver = fairy.driver_connection
            assert driver is not None  # a connection just checked out
            driver.autocommit = True  # each statement its own transaction, its scope sent with it
            try:
                yield _ScopedLookupConnection(driver, self._cache, setting)
            finally:
                _back_from_autocommit(fairy)
        finally:
            fairy.close()


def _back_from_autocommit(fairy: Any) -> None:
    """The pool's connections are in transaction mode (the units of work's). One that cannot
    be switched back (broken under the lookup) is invalidated: the pool replaces it."""
    try:
        fairy.driver_connection.autocommit = False
    except Exception:
        fairy.invalidate()


class _KeptLookup:
    """A lookup on a kept SQLite connection (a class, not a generator: it runs on every lookup)."""

    __slots__ = ("_kept", "_cache", "_fairy")

    def __init__(self, kept: _KeptConnections, cache: StatementCache):
        self._kept, self._cache = kept, cache

    def __enter__(self) -> LookupConnection:
        self._fairy = self._kept.take()
        return LookupConnection(self._fairy.driver_connection, self._cache)

    def __exit__(self, *exc: object) -> None:
        self._kept.give_back(self._fairy)


class _Pending:
    __slots__ = ("row", "written", "error")

    def __init__(self, row: Mapping[str, Any]):
        self.row = row
        self.written = False
        self.error: BaseException | None = None


class GroupedInsert:
    """Rows of one table from many threads, each committed before its caller goes on.

    One thread writes at a time; whoever gets to write takes every row waiting, in one
    transaction. Alone a caller writes its own row (one INSERT, one commit); under load the
    others wait on a Python lock instead of SQLite's busy handler (which sleeps and polls
    for milliseconds) and a commit carries many rows. A failed transaction fails the call of
    every row in it, as a failed INSERT of its own would have."""

    def __init__(self, engine: Engine, table: Table):
        self._engine = engine
        self._table = table
        self._sqlite = engine.dialect.name == "sqlite"
        self._insert = insert(table)  # built once: its compiled forms are kept by statement
        self._statements = StatementCache(engine.dialect)
        self._waiting: list[_Pending] = []
        self._waiting_lock = threading.Lock()
        self._writing = threading.Lock()
        # SQLite: the writer's connection is kept (one writes at a time: one is enough).
        self._kept = _KeptConnections(engine) if self._sqlite else None

    def insert(self, row: Mapping[str, Any]) -> None:
        pending = _Pending(row)
        with self._waiting_lock:
            self._waiting.append(pending)
        with self._writing:
            if not pending.written and pending.error is None:  # not in an earlier writer's batch
                with self._waiting_lock:
                    batch, self._waiting = self._waiting, []
                self._write(batch)
        if pending.error is not None:
            raise pending.error

    def _write(self, batch: list[_Pending]) -> None:
        try:
            fairy = self._kept.take() if self._kept is not None else self._engine.raw_connection()
            try:
                with sqlite_write_turn(self._engine) if self._sqlite else nullcontext():
                    self._insert_and_commit(fairy.driver_connection, batch)
            finally:
                if self._kept is not None:
                    self._kept.give_back(fairy)
                else:
                    fairy.close()
        except BaseException as exc:
            for pending in batch:
                pending.error = exc
            return
        for pending in batch:
            pending.written = True


    def _insert_and_commit(self, driver: Any, batch: list[_Pending]) -> None:
        cursor = driver.cursor()
        try:
            if self._sqlite and len(batch) == 1:
                # Autocommit at the driver (database.py): one INSERT alone is its own
                # transaction, without a BEGIN and a COMMIT of its own to run (a third of
                # an uncontended audit row's cost in its thread).
                statement = self._statements.compiled(self._insert, tuple(batch[0].row))
                cursor.execute(statement.sql, statement.parameters(batch[0].row))
                return
            if self._sqlite:  # the transaction is ours
                cursor.execute("BEGIN IMMEDIATE")
            for keys, rows in _by_keys(batch).items():
                statement = self._statements.compiled(self._insert, keys)
                cursor.executemany(statement.sql, [statement.parameters(row) for row in rows])
            driver.commit()
        except BaseException:
            driver.rollback()
            raise
        finally:
            cursor.close()


def _by_keys(batch: list[_Pending]) -> dict[tuple[str, ...], list[Mapping[str, Any]]]:
    grouped: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for pending in batch:
        grouped.setdefault(tuple(pending.row), []).append(pending.row)
    return grouped
