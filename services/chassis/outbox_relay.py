"""Relay: publishes outbox rows to Kafka, oldest first, and marks them published.

Why it reads "unpublished rows" and not "rows after the last id I sent": ids are
assigned when a transaction inserts, not when it commits, so a reader that tracks a
position can skip a row whose transaction commits later (the classic relay bug; see
pyeventsourcing's `_lock_table`). Asking for `published_at IS NULL` every time picks
such a row up on the next round, at the cost of a possible out-of-order send, which
the per-aggregate key and idempotent consumers absorb.

Delivery is at least once: a crash between the broker's ack and the UPDATE sends the
row again; consumers drop the duplicate through their inbox. While the broker is
down, rows wait in the outbox, and the relay backs off and retries.

No transaction is open while the relay waits on the broker: it reads a batch in a short
read transaction (on SQLite one that takes no write lock), sends it, then marks what the
broker acknowledged in a short write transaction. So writers never queue behind a slow or
dead broker.

With several replicas of a service on PostgreSQL, only the holder of an advisory lock
relays, so one aggregate's events are not raced out of order by two relays. The lock is
held on a connection of its own, outside any transaction, for as long as it lives.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from datetime import UTC, datetime

from kafka import KafkaProducer
from sqlalchemy import Connection, Engine, Table, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from . import metrics
from .database import is_postgres, make_read_session_factory

log = logging.getLogger("jamsos.outbox")

RELAY_LOCK_KEY = 0x4A414D534F53  # "JAMSOS": one relay per service database


class OutboxRelay:
    def __init__(
        self,
        service: str,
        session_factory: sessionmaker[Session],
        outbox: Table,
        producer_factory: Callable[[], KafkaProducer],
        *,
        batch_size: int = 500,
        idle_interval: float = 0.2,
        max_backoff: float = 5.0,
    ):
        self.service = service
        self._session_factory = session_factory
        self._outbox = outbox
        self._producer_factory = producer_factory
        self._producer: KafkaProducer | None = None
        self._engine: Engine = session_factory.kw["bind"]
        self._read_session_factory = make_read_session_factory(self._engine)
        self._lock_connection: Connection | None = None
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.max_backoff = max_backoff

    def publish_batch(self) -> int:
        """Publish one batch; returns how many rows were published. Raises on broker failure."""
        if not self._holds_relay_lock():
            return 0  # another replica is relaying
        rows = self._unpublished()
        if not rows:
            return 0
        producer = self._get_producer()
        sent_ids: list[int] = []
        try:
            futures = [
                (row, producer.send(row.topic, key=row.message_key.encode(), value=bytes(row.envelope))) for row in rows
            ]
            producer.flush(timeout=15)
            for row, future in futures:
                future.get(timeout=15)  # raises if this one failed: stop here, keep order
                sent_ids.append(row.id)
                metrics.EVENTS_PUBLISHED.labels(self.service, row.topic).inc()
        finally:
            if sent_ids:
                self._mark_published(sent_ids)
        return len(sent_ids)

    def _unpublished(self) -> Sequence[Any]:
        table = self._outbox
        with self._read_session_factory() as session:
            return session.execute(
                select(table.c.id, table.c.topic, table.c.message_key, table.c.envelope)
                .where(table.c.published_at.is_(None))
                .order_by(table.c.id)
                .limit(self.batch_size)
            ).all()

    def _mark_published(self, ids: list[int]) -> None:
        table = self._outbox
        with self._session_factory() as session, session.begin():
            session.execute(update(table).where(table.c.id.in_(ids)).values(published_at=datetime.now(UTC)))

    def _holds_relay_lock(self) -> bool:
        """PostgreSQL: a session-level advisory lock on a connection kept for the purpose;
        a lost connection loses the lock, so it is checked every round."""
        if not is_postgres(self._engine):
            return True  # one process per SQLite file (make run locks the data folder)
        if self._lock_connection is not None:
            try:
                self._lock_connection.execute(text("SELECT 1"))
                self._lock_connection.commit()
                return True
            except Exception:  # the connection, and with it the lock, is gone: try again
                self._release_relay_lock()
        connection = self._engine.connect()
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": RELAY_LOCK_KEY}).scalar())
        connection.commit()  # the lock is the session's, not the transaction's: it stays
        if not held:
            connection.close()
            return False
        self._lock_connection = connection
        return True

    def _release_relay_lock(self) -> None:
        """Drop the lock's connection for good: returned to the pool, its session (and the
        lock with it) would live on."""
        if self._lock_connection is not None:
            try:
                self._lock_connection.invalidate()
                self._lock_connection.close()
            except Exception:  # a broken connection may fail to close; it is dropped anyway
                pass
            self._lock_connection = None

    def refresh_backlog_metrics(self) -> int:
        table = self._outbox
        with self._session_factory() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(table.c.created_at)).where(table.c.published_at.is_(None))
            ).one()
        metrics.OUTBOX_BACKLOG.labels(self.service).set(count)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)
        return int(count)

    def run(self, stop: threading.Event) -> None:
        backoff = self.idle_interval
        last_metrics = 0.0
        while not stop.is_set():
            try:
                published = self.publish_batch()
                backoff = self.idle_interval
                if time.monotonic() - last_metrics > 1.0:
                    self.refresh_backlog_metrics()
                    last_metrics = time.monotonic()
                if published:
                    continue  # drain without pausing
            except Exception as exc:  # broker or database down: wait and try again, lose nothing
                metrics.RELAY_ERRORS.labels(self.service).inc()
                log.warning("outbox relay failed; retrying in %.1fs: %s", backoff, exc)
                self._reset_producer()
                backoff = min(self.max_backoff, backoff * 2)
            stop.wait(backoff)
        self._reset_producer()
        self._release_relay_lock()

    def _get_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = self._producer_factory()
        return self._producer

    def _reset_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=2)
            except Exception:  # closing a broken producer may fail; it is discarded anyway
                pass
            self._producer = None
