"""Statements built once, run on the driver's cursor inside a unit of work's transaction.

The write path's twin of `lookups.py`. Through a Session each statement of an enrolment
cost several times the statement itself (the Session's execution path, the Connection's
events, execution context and result objects), and the Session's own setup and commit
as much again: most of a mutation's CPU. Here a statement is still built with SQLAlchemy
Core, once (a module constant), compiled once per dialect and set of parameter names
with SQLAlchemy's own bind and result processors (a date is stored and read back exactly
as through the Session), and run on the cursor of the transaction's own connection:

    _INSERT_WAGES = insert(wage_history)                 # built at import
    uow.prebuilt.execute(_INSERT_WAGES, [{"kpj": ..., "effective_date": ..., "monthly_wage": ...}])

It shares the transaction with `uow.session` (same connection), so a use case may mix
both. What the cursor cannot run as compiled once (an IN list that expands per call, a
column with a Python-side default) goes through the transaction's SQLAlchemy Connection
instead, unchanged. Driver errors come out as SQLAlchemy's (IntegrityError, DBAPIError),
as through the Session. Only for statements built once: the compiled form is kept per
statement object (a statement built per call would be compiled per call).
"""
from __future__ import annotations

import functools
import re
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, exc
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
_MAX_STATEMENTS = 1024  # a guard: only module constants belong here


def _result_columns(statement: ClauseElement) -> Any:
    """The columns a statement returns (a SELECT's, a RETURNING's; a column collection), or
    None when only the cursor knows (text)."""
    if hasattr(statement, "selected_columns"):
        return statement.selected_columns
    if hasattr(statement, "exported_columns"):  # INSERT/UPDATE/DELETE: its RETURNING, if any
        return statement.exported_columns
    return None


class _Compiled:
    """One statement's SQL for one dialect and one set of parameter names: its parameter
    order, its processors; `runnable` False when it must go through SQLAlchemy."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Sequence[str]):
        collection = _result_columns(statement)
        columns = list(collection) if collection is not None else None
        # Without RETURNING asked for, none added (PostgreSQL would return each new id).
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=list(keys),
                                                       for_executemany=not columns))
        self.compiled = compiled
        self.runnable = not (compiled.post_compile_params or compiled.literal_execute_params
                             or compiled.insert_prefetch or compiled.update_prefetch)
        self.sql = str(compiled)
        self.positional = compiled.positiontup  # None for named paramstyles (psycopg)
        names = self.positional if self.positional is not None else list(compiled.construct_params(_check=False) or ())
        processors = {name: compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in set(names) if name in compiled.binds}
        self.bind_processors = {name: p for name, p in processors.items() if p is not None}
        # What construct_params works out per call, once: per bind in its order, the key
        # and name a value is given under (key first), the name the driver sees (escaped),
        # whether it is required, the bind (its default) and its processor; and the
        # statement's own .params(), which given values override.
        escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
        self._binds = tuple(
            (bind.key, name, escaped.get(name, name), bool(bind.required), bind,
             self.bind_processors.get(escaped.get(name, name)))
            for bind, name in compiled.bind_names.items())
        self._collected = dict(compiled._collected_params) if compiled._collect_params else {}
        # Positional (SQLite), each bind in exactly one place: the binds in that order, so
        # the values go straight into the list. Otherwise (a name used twice) by name.
        by_name = {plan[2]: plan for plan in self._binds}
        places = self.positional or []
        one_each = len(set(places)) == len(places) == len(self._binds) == len(by_name) and set(places) == set(by_name)
        self._in_place_order = tuple(by_name[name] for name in places) if self.positional is not None and one_each else None
        self.row_type = _row_type(list(collection.keys())) if columns else None
        self.result_processors: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns or ()]
        self.plain = not any(self.result_processors)

    def parameters(self, given: Mapping[str, Any] | None) -> Sequence[Any] | Mapping[str, Any]:
        """The driver's parameters: what `compiled.construct_params(given)` gives, with the
        bind processors applied, as one loop over what `__init__` worked out (through
        construct_params an enrolment's statement cost 7.9 us here, this way 4.4)."""
        params: Mapping[str, Any] = given or {}
        if self._collected:  # a statement's own .params(), overridden by the given ones
            params = {**self._collected, **params}
        if self._in_place_order is not None:
            values = []
            for key, name, _, required, bind, process in self._in_place_order:
                if key in params:
                    value = params[key]
                elif name in params:
                    value = params[name]
                elif required:
                    self._by_name(params)  # raises, naming the first missing in SQLAlchemy's order
                    raise AssertionError(key)
                else:
                    value = bind.effective_value
                values.append(value if process is None or value is None else process(value))
            return values
        by_name = self._by_name(params)
        if self.positional is not None:
            return [by_name[name] for name in self.positional]
        return by_name

    def _by_name(self, params: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, name, driver_name, required, bind, process in self._binds:
            if key in params:
                value = params[key]
            elif name in params:
                value = params[name]
            elif required:  # a missing parameter raises, as SQLAlchemy's
                raise exc.InvalidRequestError(f"A value is required for bind parameter {key!r}", code="cd3x")
            else:
                value = bind.effective_value
            values[driver_name] = value if process is None or value is None else process(value)
        return values

    def tuples(self, cursor: Any) -> list[tuple[Any, ...]]:
        """The rows as the driver's plain tuples, processed where a column needs it."""
        raw_rows = cursor.fetchall()
        if self.plain or self.row_type is None:
            return list(raw_rows)
        processors = self.result_processors
        return [tuple(value if process is None or value is None else process(value)
                      for process, value in zip(processors, raw, strict=True)) for raw in raw_rows]

    def rows(self, cursor: Any) -> list[Any]:
        """The rows as named rows (attributes and `_mapping`, as SQLAlchemy's)."""
        row_type = self.row_type
        if row_type is None:  # text: the cursor names the columns
            row_type = _text_row_type(tuple(d[0] for d in cursor.description))
        return [row_type(*values) for values in self.tuples(cursor)]


@functools.lru_cache(maxsize=256)
def _text_row_type(keys: tuple[str, ...]) -> type:
    """A text statement's row type, by the names its cursor gives: made once, not per call (a
    namedtuple class costs tens of microseconds; PostgreSQL's advisory locks and KPJ sequence
    are text statements of every enrolment and payment)."""
    return _row_type(list(keys))


def _row_type(keys: list[str]) -> type:
    base = namedtuple("PrebuiltRow", keys, rename=True)  # type: ignore[misc]  # the keys are the statement's

    class PrebuiltRow(base):
        """Attribute access and `_mapping`, as a SQLAlchemy Row offers them."""

        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return self._asdict()

    return PrebuiltRow


class PrebuiltResult:
    """What use cases read of a result: rows (first, one, all, scalars) and rowcount."""

    def __init__(self, rows: list[Any], rowcount: int):
        self._rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return self._rows

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise exc.NoResultFound("no row") if not self._rows else exc.MultipleResultsFound("more than one row")
        return self._rows[0]

    def one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise exc.MultipleResultsFound("more than one row")
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]

    def scalars(self) -> PrebuiltResult:
        return PrebuiltResult([row[0] for row in self._rows], self.rowcount)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


def client_cursor(dbapi_connection: Any) -> Any:
    """A psycopg cursor binding values on the client: what a query of several statements
    needs (the server's parameters take one statement)."""
    from psycopg import ClientCursor  # PostgreSQL's driver, imported where it is used

    return ClientCursor(dbapi_connection)


class StatementCache:
    """The compiled statements of one engine (one dialect), shared by its units of work."""

    def __init__(self, dialect: Dialect):
        self.dialect = dialect
        self._entries: dict[int, tuple[ClauseElement, dict[frozenset[str], _Compiled]]] = {}

    def compiled(self, statement: ClauseElement, keys: Sequence[str]) -> _Compiled:
        entry = self._entries.get(id(statement))
        if entry is None or entry[0] is not statement:
            if len(self._entries) >= _MAX_STATEMENTS:
                self._entries.clear()
            entry = (statement, {})  # the statement kept alive: its id stays its own
            self._entries[id(statement)] = entry
        by_keys = entry[1]
        key_set = frozenset(keys)
        compiled = by_keys.get(key_set)
        if compiled is None:
            compiled = by_keys[key_set] = _Compiled(statement, self.dialect, sorted(key_set))
        return compiled


# More rows than this go at once (an executemany), not into a query of deferred statements.
_MOST_ROWS_DEFERRED = 16
# A statement of `execute_together`: built once (or the platform's own SQL), its parameters.
Step = tuple[ClauseElement | str, Mapping[str, Any] | None]
_NAMED = re.compile(r"%\((\w+)\)s")


@functools.lru_cache(maxsize=256)
def _numbered(sql: str, number: int) -> str:
    """`sql` with its named parameters renamed s<number>_<name>: the steps of one query
    may use the same names."""
    return _NAMED.sub(lambda m: f"%(s{number}_{m.group(1)})s", sql)


class PrebuiltConnection:
    """`execute(statement, params)` for statements built once, in the transaction of
    `connection` (begun on first use, so its begin listeners run first: SQLite's write
    lock, PostgreSQL's branch scope). A list of parameter sets runs as one executemany."""

    def __init__(self, connection: Connection, cache: StatementCache):
        self._connection = connection
        self._cache = cache
        self._deferred: list[Step] = []  # `defer`: writes waiting for the next round trip
        # PostgreSQL takes several statements in one query: deferred writes and
        # `execute_together` ride one round trip there; elsewhere each statement goes alone.
        self._together = cache.dialect.name == "postgresql"

    @property
    def dialect(self) -> Dialect:
        return self._cache.dialect

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy Connection of the same transaction, for what is not prebuilt."""
        return self._connection

    def defer(self, statement: ClauseElement, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
        """A write whose result nobody reads (an audit row, the stored answer, an enrolment's
        rows): on PostgreSQL sent with this transaction's next statement, in the same query
        (`execute_together`), or before its commit (`send_deferred`); elsewhere, or more
        than a few rows, at once. Its error, if any, is raised where it is sent."""
        rows = [params] if isinstance(params, Mapping) else list(params)
        if not self._together or len(rows) > _MOST_ROWS_DEFERRED:
            self.execute(statement, rows)
            return
        self._deferred.extend((statement, row) for row in rows)

    def send_deferred(self) -> None:
        """The deferred writes, now (one round trip): before the commit, or before a
        statement that does not go through this connection (the Session's, a savepoint)."""
        if self._deferred:
            self.execute_together([])

    def discard_deferred(self) -> None:
        """The transaction rolls back: its deferred writes are never sent."""
        self._deferred = []

    def execute(self, statement: ClauseElement, params: Params = None) -> Any:
        many = isinstance(params, Sequence) and not isinstance(params, Mapping)
        if many and not params:
            return PrebuiltResult([], 0)
        first = cast(Mapping[str, Any] | None, params[0] if many else params)  # type: ignore[index]
        compiled = self._cache.compiled(statement, tuple(first or ()))
        if self._deferred:
            if compiled.runnable and (not many or len(cast(Sequence[Any], params)) == 1):
                return self.execute_together([(statement, first)])[-1]  # in the deferred writes' query
            self.send_deferred()
        if not compiled.runnable:
            return self._connection.execute(cast(Executable, statement), params)
        dbapi = self._driver_connection()
        cursor = dbapi.cursor()
        try:
            if many and len(cast(Sequence[Any], params)) == 1:
                # One set: a plain execute. psycopg's executemany enters a pipeline and syncs
                # it (an enrolment's five one-row lists cost twice their statements).
                self._run(cursor.execute, compiled.sql, compiled.parameters(first), dbapi, cursor)
                return PrebuiltResult([], cursor.rowcount)
            if many:
                values = [compiled.parameters(p) for p in cast(Sequence[Mapping[str, Any]], params)]
                self._run(cursor.executemany, compiled.sql, values, dbapi, cursor)
                return PrebuiltResult([], cursor.rowcount)
            self._run(cursor.execute, compiled.sql, compiled.parameters(first), dbapi, cursor)
            rows = compiled.rows(cursor) if cursor.description is not None else []
            return PrebuiltResult(rows, cursor.rowcount)
        finally:
            cursor.close()

    def copy_rows(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """PostgreSQL's `COPY ... FROM STDIN` of `rows` (values in the statement's column order)
        on the transaction's cursor, its errors raised as every statement's."""
        self.send_deferred()
        dbapi = self._driver_connection()
        cursor = dbapi.cursor()

        def copy(statement: str, values: Sequence[Sequence[Any]]) -> None:
            with cursor.copy(statement) as stream:
                for row in values:
                    stream.write_row(row)
        try:
            self._run(copy, sql, rows, dbapi, cursor)
        finally:
            cursor.close()

    def execute_together(self, steps: Sequence[Step]) -> list[PrebuiltResult]:
        """Statements run one after the other in this transaction; each one's result. On
        PostgreSQL in one round trip: one query of these statements (PostgreSQL runs them in
        order, in the transaction; one that fails aborts it and the rest do not run), their
        values bound on the client by psycopg (`ClientCursor`: a query of several statements
        cannot take the server's parameters). A step is a statement built once, or the
        platform's own SQL (a setting), with its parameters."""
        if not self._together:
            return [self._step_alone(statement, params) for statement, params in steps]
        deferred, self._deferred = self._deferred, []
        if not deferred and not steps:
            return []
        results = self._run_together([*deferred, *steps])
        return results[len(deferred):]

    def _run_together(self, steps: Sequence[Step]) -> list[PrebuiltResult]:
        parts: list[str] = []
        values: dict[str, Any] = {}
        compiled_steps: list[_Compiled | None] = []
        for number, (statement, params) in enumerate(steps):
            compiled = None
            bound: Mapping[str, Any]
            if isinstance(statement, str):
                sql, bound = statement, params or {}
            else:
                compiled = self._cache.compiled(statement, tuple(params or ()))
                if not compiled.runnable:
                    raise ValueError("IN lists expand per call: run this statement on its own")
                sql, bound = compiled.sql, cast(Mapping[str, Any], compiled.parameters(params))
            parts.append(_numbered(sql, number))
            values.update({f"s{number}_{name}": value for name, value in bound.items()})
            compiled_steps.append(compiled)
        dbapi = self._driver_connection()
        cursor = client_cursor(dbapi)
        try:
            self._run(cursor.execute, "; ".join(parts), values, dbapi, cursor)
            results = []
            for number, compiled in enumerate(compiled_steps):
                if number:
                    cursor.nextset()
                rows = compiled.rows(cursor) if compiled is not None and cursor.description is not None else []
                results.append(PrebuiltResult(rows, cursor.rowcount))
            return results
        finally:
            cursor.close()

    def _step_alone(self, statement: ClauseElement | str, params: Mapping[str, Any] | None) -> PrebuiltResult:
        if isinstance(statement, str):
            self.execute_sql(statement, params)
            return PrebuiltResult([], -1)
        result: PrebuiltResult = self.execute(statement, params)
        return result

    def execute_sql(self, sql: str, params: Mapping[str, Any] | Sequence[Any] | None = None) -> None:
        """A statement of the platform's own (the row-security settings), on the driver's cursor;
        with the deferred writes' query when there are some."""
        if self._deferred and not (isinstance(params, Sequence) and not isinstance(params, Mapping)):
            self.execute_together([(sql, cast(Mapping[str, Any] | None, params))])
            return
        dbapi = self._driver_connection()
        cursor = dbapi.cursor()
        try:
            self._run(cursor.execute, sql, params, dbapi, cursor)
        finally:
            cursor.close()

    def _driver_connection(self) -> Any:
        if not self._connection.in_transaction():
            self._connection.begin()
        return self._connection.connection.driver_connection

    def _run(self, method: Callable[..., Any], sql: str, values: Any, dbapi: Any, cursor: Any) -> None:
        try:
            if values is None:
                method(sql)
            else:
                method(sql, values)
        except self.dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy raises it; a lost connection is not handed back to the pool.
            if self.dialect.is_disconnect(error, dbapi, cursor):
                self._connection.invalidate(error)
            raise exc.DBAPIError.instance(sql, values, error, self.dialect.loaded_dbapi.Error,
                                          dialect=self.dialect) from error
