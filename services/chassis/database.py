"""SQLAlchemy 2 engine and session factory for one service database (SQLite or PostgreSQL)."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.orm import Session, sessionmaker

from . import row_security
from .config import DEFAULT_GRPC_THREADS

log = logging.getLogger("jamsos.database")


# Connections kept open beyond the RPC threads (GRPC_THREADS, one each): the relay,
# consumers and jobs. With fewer, calls beyond the pool opened and closed a connection each
# (on SQLite re-running its pragmas, on PostgreSQL a new backend): a lookup then cost a
# connection setup.
BACKGROUND_CONNECTIONS = 8
POOL_SIZE = DEFAULT_GRPC_THREADS + BACKGROUND_CONNECTIONS
# PostgreSQL: a checkout pings the server only when its connection has been idle longer
# than this. A connection handed back a moment ago was working then; one idle across a
# restart of the server (which takes longer) is found dead, and replaced, before its first
# statement. Pinging every checkout (pool_pre_ping) was a round trip of 120-330 us each
# time: two of an enrolment's nineteen, one of a lookup's three.
IDLE_PING_SECONDS = 1.0
_CHECKED_IN = "jamsos_checked_in"


def make_engine(url: str, *, pool_size: int = POOL_SIZE) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        # Last in, first out: the connection used last has the freshest page cache (in WAL
        # mode a connection drops its cache once another one has written). A payment's
        # handler took 1.0-1.05 against 1.2 ms of CPU with 1 or 4 callers, the same with 8.
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               pool_size=pool_size, max_overflow=pool_size, pool_use_lifo=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take over so that a unit of
        # work is one real transaction and writers queue instead of failing mid-way
        # (IMMEDIATE), while read-only sessions do not take the write lock (DEFERRED).
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "commit", _sqlite_commit)
        event.listen(engine, "rollback", _sqlite_rollback)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ping_when_idle(engine)
    row_security.install(engine)  # each transaction begins with the caller's branch scope set
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """pool_pre_ping, for connections idle longer than IDLE_PING_SECONDS only. A dead one
    raises DisconnectionError at checkout: the pool discards it and takes another (as
    pre_ping does)."""
    dialect = engine.dialect

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_CHECKED_IN)
        if returned is not None and time.monotonic() - returned < IDLE_PING_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError(str(error)) from error
            raise

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("sqlite:///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at driver level; we issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# SQLite has one write lock, and a writer that finds it taken sleeps in SQLite's busy handler
# (1, 2, 5 ... up to 100 ms a sleep) and polls: under load most of a write's latency was
# those sleeps, not waiting for the holder. The writers of one process queue on a Python lock
# instead (handed over the moment the holder commits) and take SQLite's lock uncontended
# (a transaction begun on the driver itself, lookups' GroupedInsert, takes its turn with
# `sqlite_write_turn`); writers of other processes still meet SQLite's busy handler.
# SQLite's lock stays what serialises writers; this lock only orders them. A writer that waits longer than this takes the queue over and goes
# on to SQLite's own wait, so a lock never released (a path the events below miss) costs one
# wait and heals, and a long transaction (a billing chunk) is waited for as before.
WRITE_QUEUE_TIMEOUT_SECONDS = 2.0
_HOLDS_WRITE_QUEUE = "_jamsos_write_queue"  # on the Connection while its transaction holds the queue
_write_queues: dict[str, threading.Lock] = {}
_write_queues_lock = threading.Lock()


def _write_queue(database: str) -> threading.Lock:
    """One per database file in this process: every engine of it queues on the same lock."""
    queue = _write_queues.get(database)
    if queue is None:
        with _write_queues_lock:
            queue = _write_queues.setdefault(database, threading.Lock())
    return queue


@contextmanager
def sqlite_write_turn(engine: Engine) -> Iterator[None]:
    """The write queue's turn for a transaction begun on the driver itself (not through a
    Connection, whose begin and commit events take and hand on the queue)."""
    queue = _write_queue(engine.url.database or "")
    _take_turn(queue, engine.url.database)
    try:
        yield
    finally:
        _release(queue)


def _sqlite_begin(conn: Connection) -> None:
    # On the driver's connection: through exec_driver_sql the BEGIN cost as much as the
    # query it opens (events, a cursor result), a quarter of a lookup.
    driver: Any = conn.connection.driver_connection
    if conn.get_execution_options().get(READ_ONLY):
        driver.execute("BEGIN DEFERRED")
        return
    queue = _write_queue(conn.engine.url.database or "")
    _take_turn(queue, conn.engine.url.database)
    try:
        driver.execute("BEGIN IMMEDIATE")
    except BaseException:
        _release(queue)
        raise
    setattr(conn, _HOLDS_WRITE_QUEUE, queue)


def _take_turn(queue: threading.Lock, database: str | None) -> None:
    if not queue.acquire(timeout=WRITE_QUEUE_TIMEOUT_SECONDS):  # taken over (see above): say so
        log.warning("SQLite write queue taken over after %.0f s", WRITE_QUEUE_TIMEOUT_SECONDS,
                    extra={"database": database})


def _release(queue: threading.Lock) -> None:
    try:
        queue.release()
    except RuntimeError:  # already released by a writer that took the queue over
        pass


def _sqlite_commit(conn: Connection) -> None:
    """SQLAlchemy calls this before its own COMMIT: the COMMIT is run here, so that the next
    writer of the queue finds SQLite's lock free (SQLAlchemy's then finds no transaction)."""
    queue = conn.__dict__.pop(_HOLDS_WRITE_QUEUE, None)
    if queue is None:
        return
    try:
        conn.connection.driver_connection.commit()  # type: ignore[union-attr]
    except sqlite3.Error as error:  # as SQLAlchemy would have raised it
        raise exc.DBAPIError.instance("COMMIT", None, error, sqlite3.Error, dialect=conn.dialect) from error
    finally:
        _release(queue)


def _sqlite_rollback(conn: Connection) -> None:
    queue = conn.__dict__.pop(_HOLDS_WRITE_QUEUE, None)
    if queue is None:
        return
    try:
        conn.connection.driver_connection.rollback()  # type: ignore[union-attr]
    except Exception:  # a lost connection has no transaction left; SQLAlchemy's own rollback reports it
        pass
    finally:
        _release(queue)


READ_ONLY = "jamsos_read_only"


def writers_serialised(engine: Engine) -> bool:
    """Whether every write transaction of `engine` holds the database's one write lock from
    its first statement to its end (SQLite through `make_engine`: BEGIN IMMEDIATE), so that
    what a transaction read first no other writer can change before it commits."""
    return engine.dialect.name == "sqlite" and event.contains(engine, "begin", _sqlite_begin)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for queries: on SQLite they read without queueing behind writers."""
    return sessionmaker(bind=read_engine(engine), expire_on_commit=False, autoflush=False)


def read_engine(engine: Engine) -> Engine:
    """The engine for reads: on SQLite they read without queueing behind writers."""
    return engine.execution_options(**{READ_ONLY: True})


def is_postgres(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # readiness probe: any failure means not ready
        return False
