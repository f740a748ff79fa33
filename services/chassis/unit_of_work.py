"""One use case = one transaction = its events in the outbox in that transaction.

    with app.unit_of_work() as uow:
        ...change state through uow.session...
        uow.emit(topic, payload, aggregate_type=..., aggregate_id=..., branch_code=...)
        uow.audit("employer.register", npp, detail)
        uow.after_commit(lambda: metrics...inc())   # runs only once the change is durable
        uow.commit()

Leaving the block without commit() rolls everything back, events included, and the
after-commit callbacks never run. A commit that wrote outbox rows wakes the service's relay
(`outbox_signal`), so an event leaves for the broker at once instead of at the next poll.

The transaction is one SQLAlchemy Connection, opened at the first statement (BEGIN then:
SQLite's write lock, PostgreSQL's branch scope, `database.py`). `uow.session` (a Session
on that connection, made when first asked for) and `uow.prebuilt` (statements built once,
on its driver's cursor: `prebuilt.py`) are two ways into the same transaction. The
platform's own rows (audit, outbox, the stored answer) go through `prebuilt`, so a use case
that needs no Session never pays for one: its setup and commit cost as much as the
statements of an enrolment.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import Connection, Engine, Insert, Table, insert
from sqlalchemy.orm import Session, sessionmaker

from . import metrics, outbox_signal
from .audit import audit_row
from .events import PendingEvent, make_envelope
from .prebuilt import PrebuiltConnection, StatementCache


#: The outbox columns a flush writes, in the order of the bulk writers' rows.
OUTBOX_COLUMNS = ("event_id", "event_type", "topic", "message_key", "envelope", "created_at", "published_at")
# From this many events a flush writes them in bulk; a use case's few keep their one statement.
_BULK_EVENTS = 16
# SQLite: rows per multi-row INSERT (a power of two), 7 parameters each: 896, under the
# 999 of SQLite before 3.32.
_ROWS_PER_INSERT = 128


@functools.cache
def insert_into(table: Table) -> Insert:
    """`insert(table)`, built once: its rows come with each execution. A statement built
    per call (`insert(t).values(...)`) cost four times its execution."""
    return insert(table)


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], tables: dict[str, Table], producer: str,
                 statements: StatementCache | None = None):
        self._session_factory = session_factory
        self._engine: Engine = session_factory.kw["bind"]
        self._statements = statements or StatementCache(self._engine.dialect)
        self._tables = tables
        self._producer = producer
        self._pending: list[PendingEvent] = []
        self._connection: Connection | None = None
        self._session: Session | None = None
        self._prebuilt: PrebuiltConnection | None = None
        self.committed_events: list[PendingEvent] = []
        self._after_commit: list[Callable[[], None]] = []
        self._wrote_outbox = False  # this transaction inserted outbox rows: its commit wakes the relay

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        connection, self._connection, self._prebuilt = self._connection, None, None
        self._close_session()
        if connection is not None:
            connection.close()  # rolls back what was not committed

    @property
    def connection(self) -> Connection:
        """The transaction's SQLAlchemy Connection (it begins with its first statement).
        What `prebuilt` deferred is sent first: a statement through here comes after it."""
        if self._connection is None:
            self._connection = self._engine.connect()
        self._send_deferred()
        return self._connection

    def _send_deferred(self) -> None:
        if self._prebuilt is not None:
            self._prebuilt.send_deferred()

    @property
    def session(self) -> Session:
        """A Session in this transaction, made when first asked for."""
        if self._session is None:
            connection = self.connection
            if not connection.in_transaction():
                connection.begin()  # so that the Session joins this transaction instead of owning one
            # It never commits, rolls back or closes the transaction: the unit of work does.
            self._session = self._session_factory(bind=connection, join_transaction_mode="rollback_only")
        else:
            self._send_deferred()  # the Session's statements come after what was deferred
        return self._session

    @property
    def prebuilt(self) -> PrebuiltConnection:
        """Statements built once (module constants), on this transaction's driver cursor."""
        if self._prebuilt is None:
            self._prebuilt = PrebuiltConnection(self.connection, self._statements)
        return self._prebuilt

    def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def emit(
        self,
        topic: str,
        payload: Message,
        *,
        aggregate_type: str,
        aggregate_id: str,
        branch_code: str,
        occurred_at: datetime | None = None,
    ) -> PendingEvent:
        envelope = make_envelope(
            payload,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            branch_code=branch_code,
            producer=self._producer,
            occurred_at=occurred_at,
        )
        event = PendingEvent(topic=topic, envelope=envelope)
        self._pending.append(event)
        return event

    def audit(self, action: str, subject: str, detail: dict[str, Any] | str, reason: str | None = None) -> None:
        """Who, office, when, what, why: written for every change of money or status (on
        PostgreSQL with the transaction's next statement: `PrebuiltConnection.defer`)."""
        self.prebuilt.defer(insert_into(self._tables["audit"]), audit_row(action, subject, detail, reason))

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the use case that may fail alone: on an exception its changes and the
        events it emitted (and its after-commit callbacks) are undone together, and the
        exception propagates."""
        mark, callbacks_mark = len(self._pending), len(self._after_commit)
        connection = self.connection
        if not connection.in_transaction():
            connection.begin()
        nested = connection.begin_nested()
        try:
            yield
            self._send_deferred()  # inside the savepoint: its writes fail, or are undone, with it
        except BaseException:
            if self._prebuilt is not None:
                self._prebuilt.discard_deferred()  # written inside it (entering sent the rest)
            nested.rollback()
            del self._pending[mark:]
            del self._after_commit[callbacks_mark:]
            raise
        nested.commit()

    def flush_events(self) -> None:
        """Write pending events to the outbox (part of this transaction), a row each in the
        order emitted. Many at once (a billing chunk's BillIssued, one a bill) go in bulk:
        as an executemany they cost as much as pricing the chunk's workers."""
        if not self._pending:
            return
        now = datetime.now(UTC)
        outbox = self._tables["outbox"]
        rows = [(e.envelope.event_id, e.envelope.event_type, e.topic, e.key, e.envelope.SerializeToString(), now, None)
                for e in self._pending]
        bulk = _BULK_WRITERS.get(self._engine.dialect.name) if len(rows) >= _BULK_EVENTS else None
        if bulk is not None:
            bulk(self.prebuilt, outbox, rows)
        else:
            self.prebuilt.execute(insert_into(outbox), [dict(zip(OUTBOX_COLUMNS, row, strict=True)) for row in rows])
        self.committed_events.extend(self._pending)
        self._pending = []
        self._wrote_outbox = True

    def table(self, name: str) -> Table:
        """One of the platform tables (outbox, inbox, idempotency, audit) of this database."""
        return self._tables[name]

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (metrics, cache invalidation);
        never when it rolls back."""
        self._after_commit.append(callback)

    def count(self, operation: str, amount: int = 1) -> None:
        """A business count (`jamsos_business_events_total`) for this change, once it is durable:
        a rolled-back change or a retry answered from its stored response counts nothing."""
        if amount:
            self.after_commit(lambda: metrics.BUSINESS_EVENTS.labels(self._producer, operation).inc(amount))

    def commit(self) -> None:
        self.flush_events()  # the outbox rows carry what was deferred, in one query
        self._send_deferred()
        self._close_session()
        if self._connection is not None and self._connection.in_transaction():
            self._connection.commit()
        if self._wrote_outbox:
            self._wrote_outbox = False
            self._wake_relay()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def _wake_relay(self) -> None:
        outbox_signal.notify(self._engine)

    def rollback(self) -> None:
        if self._prebuilt is not None:
            self._prebuilt.discard_deferred()
        self._pending = []
        self._after_commit = []
        self._wrote_outbox = False
        self._close_session()
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()


OutboxRow = tuple[Any, ...]  # values in OUTBOX_COLUMNS order


def _copy_outbox_rows(db: PrebuiltConnection, outbox: Table, rows: list[OutboxRow]) -> None:
    """PostgreSQL: one COPY on the transaction's connection (the outbox holds no branch's
    rows, so no row security refuses it). A multi-row INSERT cost the client more than the
    executemany: psycopg parses a long statement's text at every execution."""
    preparer = db.dialect.identifier_preparer
    db.copy_rows(f"COPY {preparer.format_table(outbox)} ({', '.join(preparer.quote(c) for c in OUTBOX_COLUMNS)}) "
                 "FROM STDIN", rows)


def _insert_outbox_rows(db: PrebuiltConnection, outbox: Table, rows: list[OutboxRow]) -> None:
    """SQLite: multi-row INSERTs, each value through its column's bind processor (a time
    stored as text exactly as the executemany stores it)."""
    dialect = db.dialect
    processors = [outbox.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in OUTBOX_COLUMNS]
    table = dialect.identifier_preparer.format_table(outbox)
    start = 0
    for size in _insert_sizes(len(rows)):
        values = [value if process is None or value is None else process(value)
                  for row in rows[start:start + size] for process, value in zip(processors, row, strict=True)]
        db.execute_sql(_multi_row_insert(table, size), values)
        start += size


def _insert_sizes(count: int) -> list[int]:
    """Full statements, then the rest in powers of two: a handful of distinct statements,
    which stay in SQLite's cache of prepared ones."""
    full, rest = divmod(count, _ROWS_PER_INSERT)
    sizes, size = [_ROWS_PER_INSERT] * full, _ROWS_PER_INSERT
    while rest:
        size //= 2
        if rest >= size:
            sizes.append(size)
            rest -= size
    return sizes


@functools.lru_cache(maxsize=64)
def _multi_row_insert(table: str, rows: int) -> str:
    one = "(" + ", ".join("?" * len(OUTBOX_COLUMNS)) + ")"
    return f"INSERT INTO {table} ({', '.join(OUTBOX_COLUMNS)}) VALUES {', '.join([one] * rows)}"


_BULK_WRITERS: dict[str, Callable[[PrebuiltConnection, Table, list[OutboxRow]], None]] = {
    "postgresql": _copy_outbox_rows,
    "sqlite": _insert_outbox_rows,
}
