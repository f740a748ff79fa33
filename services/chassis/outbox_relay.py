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

With several replicas of a service on PostgreSQL, only the holder of an advisory lock
relays, so one aggregate's events are not raced out of order by two relays.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from kafka import KafkaProducer
from sqlalchemy import Table, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from . import metrics
from .database import is_postgres

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
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.max_backoff = max_backoff

    def publish_batch(self) -> int:
        """Publish one batch; returns how many rows were published. Raises on broker failure."""
        table = self._outbox
        with self._session_factory() as session, session.begin():
            if is_postgres(session.get_bind()) and not session.execute(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
            ).scalar():
                return 0  # another replica is relaying
            rows = session.execute(
                select(table.c.id, table.c.topic, table.c.message_key, table.c.envelope)
                .where(table.c.published_at.is_(None))
                .order_by(table.c.id)
                .limit(self.batch_size)
            ).all()
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
                    session.execute(
                        update(table).where(table.c.id.in_(sent_ids)).values(published_at=datetime.now(UTC))
                    )
            return len(sent_ids)

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
