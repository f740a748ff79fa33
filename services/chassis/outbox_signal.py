"""Wakes a database's outbox relay when a transaction that wrote outbox rows commits.

Why: a relay that only polls adds its poll interval to every event's way from commit to
consumer. The unit of work calls `notify(engine)` after a commit that flushed events
(never after a rollback), and the relay thread of the same process, subscribed for that
database, starts its next cycle at once. A wake is a hint, not a hand-over: the relay still
reads the unpublished rows itself, and a lost wake (rows committed by another process or
replica, or a commit between a cycle's read and its wait) costs at most the poll interval.

A wake reaches the relays of that database only: the key is the database's URL, so several
services in one process (the tests) wake their own relays and not each other's. Two relays
of one database in one process (replica tests on PostgreSQL) are both woken; that is
harmless, the one without the advisory lock does not relay.
"""
from __future__ import annotations

import threading

from sqlalchemy import Engine

_lock = threading.Lock()
_subscribers: dict[str, set[threading.Event]] = {}


def database_key(engine: Engine) -> str:
    """The database an engine writes to (its URL, password hidden): engines for one database share it."""
    return engine.url.render_as_string(hide_password=True)


def subscribe(engine: Engine) -> threading.Event:
    """A wake for the relay of `engine`'s database: set by every commit that wrote outbox rows."""
    wake = threading.Event()
    with _lock:
        _subscribers.setdefault(database_key(engine), set()).add(wake)
    return wake


def unsubscribe(engine: Engine, wake: threading.Event) -> None:
    key = database_key(engine)
    with _lock:
        waiting = _subscribers.get(key)
        if waiting is not None:
            waiting.discard(wake)
            if not waiting:
                del _subscribers[key]


def notify(engine: Engine) -> None:
    """Outbox rows of `engine`'s database were committed: wake its relays (none: nothing to do)."""
    if not _subscribers:
        return  # no relay in this process (relay off, or a tool): not even the key is built
    with _lock:
        waiting = tuple(_subscribers.get(database_key(engine), ()))
    for wake in waiting:
        wake.set()
