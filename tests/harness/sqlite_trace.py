"""The SQL a service's SQLite connections run, as SQLite itself sees it (sqlite3's trace
callback): statements run on the driver's cursor, below SQLAlchemy's execute events (the
prebuilt and lookup paths), are counted too. Optionally the virtual machine's steps spent in
each (a progress handler called every step), which grow with the rows a statement reads.

    trace = SqliteTrace()
    with trace.watching(engine):         # every connection handed out from here on
        with trace.recording():
            ...                          # trace.statements, trace.steps
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


class SqliteTrace:
    def __init__(self, *, steps: bool = False) -> None:
        self._count_steps = steps
        self._on = False
        self.statements: list[str] = []
        self.steps: Counter[str] = Counter()

    def watch(self, dbapi_connection: Any, *_: Any) -> None:
        """A pool `connect` or `checkout` listener: this connection's statements are traced."""
        current = ["-"]

        def traced(sql: str) -> None:
            current[0] = sql
            if self._on:
                self.statements.append(sql)

        def stepped() -> int:
            if self._on:
                self.steps[current[0]] += 1
            return 0  # go on

        dbapi_connection.set_trace_callback(traced)
        if self._count_steps:
            dbapi_connection.set_progress_handler(stepped, 1)

    @contextmanager
    def watching(self, engine: Engine) -> Iterator[SqliteTrace]:
        """Every connection `engine` hands out while inside (those it holds are closed first)."""
        event.listen(engine, "checkout", self.watch)
        engine.dispose()
        try:
            yield self
        finally:
            event.remove(engine, "checkout", self.watch)

    @contextmanager
    def recording(self) -> Iterator[list[str]]:
        """What runs inside, from an empty record: the statements (and steps) of this block only."""
        self.statements.clear()
        self.steps.clear()
        self._on = True
        try:
            yield self.statements
        finally:
            self._on = False
