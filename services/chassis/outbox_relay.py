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

The outbox is the source of truth, not the broker: each row keeps the partition and offset
the broker acknowledged. A broker that comes back holding less (a restarted in-memory
broker, a topic recreated empty, a log truncated) shows it in two ways, and either makes the
relay publish the lost rows again: the topic's end offset is at or below what was
acknowledged (checked at start, after every reconnection and every 30 s), or a new
acknowledgement lands at or below an earlier one. A check that finds another cluster id than
the one before (a switch to another cluster) publishes every retained row again. Consumers'
inboxes drop what they had.

No transaction is open while the relay waits on the broker: it reads a batch in a short
read transaction (on SQLite one that takes no write lock), sends it, then marks what the
broker acknowledged in a short write transaction. So writers never queue behind a slow or
dead broker.

With several replicas of a service on PostgreSQL, only the holder of an advisory lock
relays, so one aggregate's events are not raced out of order by two relays. The lock is
held on a connection of its own, outside any transaction, for as long as it lives.

It does not wait out a poll interval for each event: a commit that wrote outbox rows wakes
it (`outbox_signal`, in-process), and the poll (`idle_interval`) remains for what no wake
announces (rows another process or replica committed). The wake is cleared before each
cycle reads, so a commit during a cycle's send makes the next cycle start right after it,
with everything that accumulated meanwhile in one batch: under load it batches instead of
spinning, and no wake is lost between a read and the wait.

A cycle costs about the same for one row as for fifty (measured on SQLite: 1.1 ms of CPU for
one row, 3.2 ms for fifty, through Sessions), so two things keep that cost down:
- cycles start at least `min_cycle_interval` apart (25 ms): at 200 commits/s a wake per
  commit becomes one cycle per five commits, at up to 25 ms of added latency;
- the read of pending rows and the mark run on the driver's cursor, compiled once
  (`lookups.Lookups` for the read, `prebuilt.PrebuiltConnection` for the mark in one short
  write transaction), not through a Session built and torn down per cycle.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from collections.abc import Callable, Sequence
from typing import Any
from datetime import UTC, datetime

from kafka import KafkaProducer
from sqlalchemy import Connection, Engine, Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from . import metrics, outbox_signal
from .database import is_postgres, make_read_session_factory
from .kafka_clients import BrokerEnds
from .lookups import Lookups
from .prebuilt import PrebuiltConnection, StatementCache

log = logging.getLogger("jamsos.outbox")

RELAY_LOCK_KEY = 0x4A414D534F53  # "JAMSOS": one relay per service database
# How often a relay waiting for a wake or its poll looks whether it was asked to stop.
STOP_CHECK_SECONDS = 0.1
# The first retry after a failed cycle (broker or database down); it doubles to max_backoff.
FIRST_RETRY_SECONDS = 0.2
# The shortest time between the starts of two cycles: commits within it share one cycle.
# 25 ms, not 5: at 200 RecordPayments/s every cycle's mark is a write transaction queued with
# the payments' for SQLite's one writer, and its send costs the process' one core. Measured
# with the requests bench (RecordPayment alone, interleaved runs, other load on the machine):
# CPU per payment at saturation 4.3-5.4 ms -> 3.7-4.4 ms, saturation 147-193 -> 168-228 calls/s;
# 50 ms gave no more. An event waits at most 25 ms more for its cycle: `bench events` (SQLite,
# enrolments, commit to applied, one run each) p99 86 -> 118 ms at 100/s, 246 -> 115 ms at 200/s.
MIN_CYCLE_INTERVAL_SECONDS = 0.025

# (topic, partition) pairs -> the broker's cluster id and end offset of each (0 for a partition it lacks).
EndOffsets = Callable[[list[tuple[str, int]]], BrokerEnds]


@dataclass(frozen=True)
class Acknowledged:
    row_id: int
    topic: str
    partition: int
    offset: int


class _EndOffsetRead:
    """The broker's end offsets of the partitions of `acked`, read in a daemon thread (a
    stopping service does not wait for it); `wake` is set once the answer (or failure) is in."""

    def __init__(self, end_offsets: EndOffsets, acked: dict[tuple[str, int], int], wake: threading.Event, name: str):
        self.acked = acked
        self.done = threading.Event()
        self._ends = BrokerEnds({})
        self._error: BaseException | None = None
        self._wake = wake
        threading.Thread(target=self._read, args=(end_offsets,), name=name, daemon=True).start()

    def _read(self, end_offsets: EndOffsets) -> None:
        try:
            self._ends = end_offsets(sorted(self.acked))
        except BaseException as exc:  # handed to the relay's thread, which treats it as a failed cycle
            self._error = exc
        finally:
            self.done.set()
            self._wake.set()

    def result(self) -> BrokerEnds:
        if self._error is not None:
            raise self._error
        return self._ends


def acknowledged_offsets(session: Session, outbox: Table, topic: str | None = None) -> dict[tuple[str, int], int]:
    """(topic, partition) -> the highest offset the broker acknowledged for the outbox's rows
    (what the relay checks the broker against, and what a service reports as published)."""
    t = outbox
    statement = (select(t.c.topic, t.c.broker_partition, func.max(t.c.broker_offset))
                 .where(t.c.published_at.is_not(None), t.c.broker_offset.is_not(None))
                 .group_by(t.c.topic, t.c.broker_partition))
    if topic is not None:
        statement = statement.where(t.c.topic == topic)
    return {(name, int(partition)): int(offset) for name, partition, offset in session.execute(statement).all()}


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
        end_offsets: EndOffsets | None = None,
        loss_check_interval: float = 30.0,
        min_cycle_interval: float = MIN_CYCLE_INTERVAL_SECONDS,
    ):
        self.service = service
        self._session_factory = session_factory
        self._outbox = outbox
        self._producer_factory = producer_factory
        self._producer: KafkaProducer | None = None
        self._engine: Engine = session_factory.kw["bind"]
        self._read_session_factory = make_read_session_factory(self._engine)
        self._lookups = Lookups(self._engine)  # the read of pending rows, on the driver's cursor
        self._statements = StatementCache(self._engine.dialect)  # the mark, compiled once
        t = outbox
        self._select_unpublished = (select(t.c.id, t.c.topic, t.c.message_key, t.c.envelope)
                                    .where(t.c.published_at.is_(None)).order_by(t.c.id)
                                    .limit(bindparam("batch_size")))
        self._mark = (update(t).where(t.c.id == bindparam("b_id"))
                      .values(published_at=bindparam("b_now"), broker_partition=bindparam("b_partition"),
                              broker_offset=bindparam("b_offset")))
        # PostgreSQL's mark of a cycle's rows, one statement (`_mark_published`).
        self._mark_all_sql = (
            f"UPDATE {self._engine.dialect.identifier_preparer.format_table(t)} AS o SET published_at = %(now)s,"
            " broker_partition = v.partition, broker_offset = v.broker_offset"
            " FROM unnest(%(ids)s::bigint[], %(partitions)s::integer[], %(offsets)s::bigint[])"
            " AS v(id, partition, broker_offset) WHERE o.id = v.id")
        self.min_cycle_interval = min_cycle_interval
        self._cycle_started = 0.0
        self._lock_connection: Connection | None = None
        self._end_offsets = end_offsets
        self._cluster_id: str | None = None  # the broker's, as the last loss check saw it
        self._acked: dict[tuple[str, int], int] | None = None  # highest acknowledged offset per partition
        self._loss_check_due = True  # at start and after every reconnection
        self._loss_check: _EndOffsetRead | None = None  # a read of the end offsets under way
        self._last_loss_check = 0.0
        self.loss_check_interval = loss_check_interval
        self.batch_size = batch_size
        self.idle_interval = idle_interval  # the poll: the longest a committed row waits unannounced
        self.max_backoff = max_backoff
        self.relaying = True  # False while another replica holds the relay lock
        self._read_nothing = False  # the last cycle's read found no unpublished row
        self._wake = threading.Event()  # replaced by the database's subscription while run() runs

    def publish_batch(self) -> int:
        """Publish one batch; returns how many rows were published. Raises on broker failure."""
        self._read_nothing = False
        self.relaying = self._holds_relay_lock()
        if not self.relaying:
            return 0  # another replica is relaying
        rows = self._unpublished()
        if not rows:
            self._read_nothing = True
            return 0
        producer = self._get_producer()
        sent: list[Acknowledged] = []
        try:
            futures = [
                (row, producer.send(row.topic, key=row.message_key.encode(), value=bytes(row.envelope))) for row in rows
            ]
            producer.flush(timeout=15)
            for row, future in futures:
                ack = future.get(timeout=15)  # raises if this one failed: stop here, keep order
                sent.append(Acknowledged(row.id, row.topic, ack.partition, ack.offset))
                metrics.EVENTS_PUBLISHED.labels(self.service, row.topic).inc()
        finally:
            if sent:
                self._mark_published(sent)
        return len(sent)

    # ---- the broker lost what it acknowledged ------------------------------------------
    def check_for_loss(self) -> int:
        """Compare each partition's end offset with the highest acknowledged offset; mark
        what the broker no longer holds as unpublished. Returns how many rows."""
        acked = dict(self._acknowledged())
        if not acked or self._end_offsets is None:
            return 0
        return self._republish_lost(acked, self._end_offsets(sorted(acked)))

    def _republish_lost(self, acked: dict[tuple[str, int], int], seen: BrokerEnds) -> int:
        """`acked` was taken before the ends were read: an offset acknowledged since is above
        it on a broker that lost nothing, so it is never taken for a loss. A cluster id other
        than the one seen before is another cluster, whose offsets say nothing of what it
        holds of ours: every retained row goes again."""
        if self._cluster_changed(seen.cluster_id):
            return sum(self._republish(topic, partition, from_offset=0) for topic, partition in sorted(acked))
        lost = 0
        for (topic, partition), offset in sorted(acked.items()):
            end = seen.ends.get((topic, partition), 0)
            if end <= offset:  # the broker holds offsets below `end` only
                lost += self._republish(topic, partition, from_offset=end)
        return lost

    def _cluster_changed(self, cluster_id: str | None) -> bool:
        """Remembered for the relay's life: a relay started after a switch sees only offsets."""
        if cluster_id is None:
            return False
        previous, self._cluster_id = self._cluster_id, cluster_id
        if previous is not None and previous != cluster_id:
            log.warning("the broker is cluster %s, not %s as before; publishing the retained outbox again",
                        cluster_id, previous)
            return True
        return False

    def _acknowledged(self) -> dict[tuple[str, int], int]:
        if self._acked is None:
            with self._read_session_factory() as session:
                self._acked = acknowledged_offsets(session, self._outbox)
        return self._acked

    def _note_acknowledgements(self, sent: list[Acknowledged]) -> None:
        """A new acknowledgement at or below an earlier one on the same partition: the broker
        started again from less than it had, so everything sent there before goes again."""
        acked = self._acknowledged()
        first_id = min(s.row_id for s in sent)
        for key in {(s.topic, s.partition) for s in sent}:
            offsets = [s.offset for s in sent if (s.topic, s.partition) == key]
            if key in acked and min(offsets) <= acked[key]:
                self._republish(*key, from_offset=0, published_before_id=first_id)
            acked[key] = max(offsets)

    def _republish(self, topic: str, partition: int, *, from_offset: int, published_before_id: int | None = None) -> int:
        t = self._outbox
        condition = [t.c.topic == topic, t.c.broker_partition == partition, t.c.broker_offset >= from_offset,
                     t.c.published_at.is_not(None)]
        if published_before_id is not None:
            condition.append(t.c.id < published_before_id)
        with self._session_factory() as session, session.begin():
            result = session.execute(update(t).where(*condition).values(
                published_at=None, broker_partition=None, broker_offset=None))
            count = int(getattr(result, "rowcount", 0) or 0)
        if self._acked is not None and published_before_id is None:
            self._acked.pop((topic, partition), None)
            if from_offset:
                self._acked[(topic, partition)] = from_offset - 1
        if count:
            self._wake.set()  # unpublished again after this cycle's read: the next cycle sends them at once
            metrics.EVENTS_REPUBLISHED.labels(self.service, topic).inc(count)
            log.warning("the broker lost %d events of %s[%d]; publishing them again from the outbox",
                        count, topic, partition)
        return int(count)

    def _maybe_check_for_loss(self) -> None:
        """The end offsets are read in a thread of their own (a fresh client and a read to
        the end: ~0.3 s on tansu) while this one keeps sending; the comparison and any
        republishing happen here, in the relay's thread, on the cycle after the answer."""
        if self._end_offsets is None:
            return
        if self._loss_check is not None:
            if not self._loss_check.done.is_set():
                return
            check, self._loss_check = self._loss_check, None
            self._last_loss_check = time.monotonic()
            self._republish_lost(check.acked, check.result())  # a failed read raises: a failed cycle
            return
        if self._loss_check_due or time.monotonic() - self._last_loss_check > self.loss_check_interval:
            self._loss_check_due = False
            acked = dict(self._acknowledged())
            if acked:
                self._loss_check = _EndOffsetRead(self._end_offsets, acked, self._wake, f"{self.service}-relay-loss-check")
            else:
                self._last_loss_check = time.monotonic()

    def _unpublished(self) -> Sequence[Any]:
        """One statement (on SQLite a read of its own, no write lock); the outbox carries no
        branch, and the system path is named for PostgreSQL's row security all the same."""
        with self._lookups.connection(across_branches=True) as connection:
            return connection.execute(self._select_unpublished, {"batch_size": self.batch_size}).all()

    def _mark_published(self, sent: list[Acknowledged]) -> None:
        """PostgreSQL: one UPDATE of every row sent, on the lock's connection (autocommit: one
        round trip where BEGIN, the scope's setting, the executemany and COMMIT were four; the
        outbox holds no branch's rows). SQLite: one write transaction (BEGIN IMMEDIATE by the
        engine's begin listener), one executemany."""
        now = datetime.now(UTC)
        if self._lock_connection is not None:
            driver = self._lock_connection.connection.driver_connection
            assert driver is not None
            driver.execute(self._mark_all_sql, {"now": now, "ids": [s.row_id for s in sent],
                                                "partitions": [s.partition for s in sent],
                                                "offsets": [s.offset for s in sent]})
        else:
            with self._engine.begin() as connection:
                PrebuiltConnection(connection, self._statements).execute(
                    self._mark, [{"b_id": s.row_id, "b_now": now, "b_partition": s.partition, "b_offset": s.offset}
                                 for s in sent])
        self._note_acknowledgements(sent)

    def _holds_relay_lock(self) -> bool:
        """PostgreSQL: a session-level advisory lock on a connection kept for the purpose;
        a lost connection loses the lock, so it is checked every round."""
        if not is_postgres(self._engine):
            return True  # one process per SQLite file (make run locks the data folder)
        if self._lock_connection is not None:
            try:
                self._lock_connection.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection, and with it the lock, is gone: try again
                self._release_relay_lock()
        # Autocommit: the lock is the session's, not a transaction's, so the check each cycle
        # is one round trip (in a transaction it was three: BEGIN, SELECT, COMMIT).
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": RELAY_LOCK_KEY}).scalar())
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
                # Unlocked first: the backend of a closed connection lets go of the lock only
                # when it notices the close, and another replica may ask before that.
                self._lock_connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": RELAY_LOCK_KEY})
                self._lock_connection.commit()
            except Exception:  # a lost connection has lost the lock already
                pass
            try:
                self._lock_connection.invalidate()
                self._lock_connection.close()
            except Exception:  # a broken connection may fail to close; it is dropped anyway
                pass
            self._lock_connection = None

    def refresh_backlog_metrics(self) -> int:
        """The backlog gauges; counted only when the last cycle's read found rows (an idle
        relay's count was a query a second that said nothing the read had not said)."""
        if self._read_nothing:
            metrics.OUTBOX_BACKLOG.labels(self.service).set(0)
            metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(0.0)
            return 0
        table = self._outbox
        with self._read_session_factory() as session:  # on SQLite: no write lock for a count
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
        self._wake = outbox_signal.subscribe(self._engine)
        try:
            self._cycle_until(stop)
        finally:
            outbox_signal.unsubscribe(self._engine, self._wake)
            self._reset_producer()
            self._release_relay_lock()

    def wake(self) -> None:
        """Start the next cycle now (what a commit of this database's outbox rows does)."""
        self._wake.set()

    def _cycle_until(self, stop: threading.Event) -> None:
        retry = min(FIRST_RETRY_SECONDS, self.max_backoff)
        last_metrics = 0.0
        while not stop.is_set():
            self._wake.clear()  # before the read: a commit from here on is seen by this cycle or wakes the next
            self._cycle_started = time.monotonic()
            try:
                self._maybe_check_for_loss()
                published = self.publish_batch()
                metrics.RELAY_LAST_CYCLE.labels(self.service).set(time.time())
                retry = min(FIRST_RETRY_SECONDS, self.max_backoff)
                if time.monotonic() - last_metrics > 1.0:
                    self.refresh_backlog_metrics()
                    last_metrics = time.monotonic()
            except Exception as exc:  # broker or database down: wait and try again, lose nothing
                metrics.RELAY_ERRORS.labels(self.service).inc()
                log.warning("outbox relay failed; retrying in %.1fs: %s", retry, exc)
                self._reset_producer()
                self._loss_check_due = True  # the broker may come back with less than it had
                stop.wait(retry)  # commits do not shorten it: the broker is what we wait for
                retry = min(self.max_backoff, retry * 2)
                continue
            if published >= self.batch_size:
                continue  # a full batch: more are waiting, drain without pausing
            if not self.relaying:
                stop.wait(self.idle_interval)  # another replica relays: only ask for the lock again
                continue
            self._pause(stop)

    def _pause(self, stop: threading.Event) -> None:
        """Until a commit wakes the relay, it is stopped, or the poll interval is up; then
        no sooner than `min_cycle_interval` after the last cycle began, so that the commits
        arriving meanwhile go in that one next cycle."""
        deadline = time.monotonic() + self.idle_interval
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._wake.wait(min(remaining, STOP_CHECK_SECONDS)):
                break
        rest = self._cycle_started + self.min_cycle_interval - time.monotonic()
        if rest > 0:
            stop.wait(rest)

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
