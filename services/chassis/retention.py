"""Retention of the event tables: published outbox rows and inbox rows are kept for a window,
then deleted, in small batches, by a job whose work is counted.

Why a window and not forever: both tables grow with every event. Why not at once: the
outbox is what the relay publishes again when a broker loses events (`outbox_relay`), and
the inbox is what drops a redelivery; the window is how far back either can be needed, so
it must exceed the longest broker outage and consumer lag the platform tolerates. Rows not
yet published are never deleted.
"""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.orm import Session, sessionmaker

from . import metrics

log = logging.getLogger("jamsos.retention")


class RetentionJob:
    def __init__(self, service: str, session_factory: sessionmaker[Session], tables: dict[str, Table], *,
                 window: timedelta, interval: float = 3600.0, batch_size: int = 5000):
        self.service = service
        self._session_factory = session_factory
        self._outbox = tables["outbox"]
        self._inbox = tables["inbox"]
        self.window = window
        self.interval = interval
        self.batch_size = batch_size

    def prune_once(self, now: datetime | None = None) -> dict[str, int]:
        """Delete what is older than the window; returns the rows deleted per table."""
        cutoff = (now or datetime.now(UTC)) - self.window
        outbox, inbox = self._outbox, self._inbox
        done = {
            "outbox": self._delete_in_batches(outbox, outbox.c.id, outbox.c.published_at < cutoff),
            "inbox": self._delete_in_batches(inbox, inbox.c.event_id, inbox.c.applied_at < cutoff),
        }
        for table, count in done.items():
            if count:
                metrics.RETENTION_PRUNED.labels(self.service, table).inc(count)
        return done

    def _delete_in_batches(self, table: Table, key: ColumnElement[Any], condition: ColumnElement[bool]) -> int:
        """Short transactions: a large first run never holds the tables for long."""
        total = 0
        while True:
            with self._session_factory() as session, session.begin():
                keys = session.execute(select(key).where(condition).limit(self.batch_size)).scalars().all()
                if keys:
                    session.execute(delete(table).where(key.in_(keys)))
            total += len(keys)
            if len(keys) < self.batch_size:
                return total

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            try:
                pruned = self.prune_once()
                if any(pruned.values()):
                    log.info("pruned event tables", extra={"pruned": pruned})
            except Exception as exc:  # the database may be away: try again next round
                log.warning("retention job failed; retrying in %.0fs: %s", self.interval, exc)
