"""Consumer runner: applies events once each, retries, dead-letters poison, commits after.

For each message, in order within its partition:
1. parse the envelope (unparseable bytes are poison: straight to the dead-letter topic);
2. find the handler for its event type (no handler: counted as ignored, skipped);
3. in one transaction: skip if the inbox already has (consumer, event_id), else run the
   handler and insert the inbox row; commit;
4. only then commit the Kafka offset (every `commit_interval`, once caught up and before
   stopping, not after each event: see `PendingOffsets`).

A handler that raises is retried `max_attempts` times with back-off, then the message
goes to `<topic>.dlq` with the error in its headers, and the consumer goes on. A
database that is unreachable is not the event's fault: those failures are retried
until it is back, never dead-lettered.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

from google.protobuf.message import Message
from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from jamsos.common.v1 import envelope_pb2

from . import context, metrics
from .config import dead_letter_topic_of
from .events import parse_envelope, unpack_payload
from .unit_of_work import UnitOfWork

log = logging.getLogger("jamsos.consumer")

Handler = Callable[[UnitOfWork, envelope_pb2.EventEnvelope, Message], None]
M = TypeVar("M", bound=Message)


# How often a consumer refreshes its lag gauge.
LAG_INTERVAL_SECONDS = 5.0
# The last commit of a stopping consumer waits no longer than this (stopping is not held up).
QUIET_COMMIT_TIMEOUT_MS = 2_000


@dataclass(frozen=True)
class MessagePosition:
    """Where a message sits in the broker: what a replica reports it has caught up to."""
    topic: str
    partition: int
    offset: int


PositionTracker = Callable[[UnitOfWork, envelope_pb2.EventEnvelope, MessagePosition], None]


@dataclass(frozen=True)
class Subscription:
    payload_cls: type[Message]
    handler: Handler


class HandlerRegistry:
    """Event type (full protobuf name of the payload) -> handler."""

    def __init__(self) -> None:
        self._by_type: dict[str, Subscription] = {}
        self.position_tracker: PositionTracker | None = None

    def on(self, payload_cls: type[M], handler: Callable[[UnitOfWork, envelope_pb2.EventEnvelope, M], None]) -> None:
        # The applier unpacks the payload as `payload_cls` before it calls the handler.
        self._by_type[payload_cls.DESCRIPTOR.full_name] = Subscription(payload_cls, cast(Handler, handler))

    def track_positions(self, tracker: PositionTracker) -> None:
        """`tracker` runs in the transaction of every message given with its position, the
        ignored and duplicate ones too (they are behind the replica as much as the applied)."""
        self.position_tracker = tracker

    def get(self, event_type: str) -> Subscription | None:
        return self._by_type.get(event_type)

    def __bool__(self) -> bool:
        return bool(self._by_type)


class EventApplier:
    """Applies one event exactly once per consumer, through the inbox table."""

    def __init__(self, name: str, service: str, registry: HandlerRegistry, uow_factory: Callable[[], UnitOfWork]):
        self.name = name
        self.service = service
        self.registry = registry
        self.uow_factory = uow_factory

    def apply(self, envelope: envelope_pb2.EventEnvelope, position: MessagePosition | None = None) -> str:
        """Returns the outcome: applied, duplicate or ignored. Raises if the handler fails."""
        subscription = self.registry.get(envelope.event_type)
        tracker = self.registry.position_tracker if position is not None else None
        if subscription is None:
            if tracker is not None and position is not None:
                self._track_only(envelope, tracker, position)
            return "ignored"
        payload = unpack_payload(envelope, subscription.payload_cls)
        system = context.system_principal(f"consumer:{self.name}")
        with context.request_context(system, envelope.correlation_id or None, envelope.event_id):
            with self.uow_factory() as uow:
                inbox = uow.table("inbox")
                seen = uow.session.execute(
                    select(inbox.c.event_id).where(inbox.c.consumer == self.name, inbox.c.event_id == envelope.event_id)
                ).first()
                if seen is not None:
                    if tracker is not None and position is not None:
                        tracker(uow, envelope, position)
                        uow.commit()
                    return "duplicate"
                subscription.handler(uow, envelope, payload)
                if tracker is not None and position is not None:
                    tracker(uow, envelope, position)
                uow.session.execute(
                    insert(inbox).values(
                        consumer=self.name, event_id=envelope.event_id, event_type=envelope.event_type,
                        applied_at=datetime.now(UTC),
                    )
                )
                try:
                    uow.commit()
                except IntegrityError:
                    # A concurrent delivery of the same event committed first.
                    uow.rollback()
                    return "duplicate"
        return "applied"

    def _track_only(self, envelope: envelope_pb2.EventEnvelope, tracker: PositionTracker,
                    position: MessagePosition) -> None:
        system = context.system_principal(f"consumer:{self.name}")
        with context.request_context(system, envelope.correlation_id or None, envelope.event_id):
            with self.uow_factory() as uow:
                tracker(uow, envelope, position)
                uow.commit()


class PendingOffsets:
    """The next offset to read of each partition whose events were applied and not yet committed.

    Why not commit after each event: a commit is a round trip to the broker that the next
    event waits for. Committing every `interval` seconds and whenever the consumer caught up
    costs a crash at most that window replayed, which the inbox drops as duplicates.
    """

    def __init__(self, interval: float):
        self.interval = interval
        self._next: dict[TopicPartition, int] = {}
        self._last_commit = time.monotonic()

    def applied(self, tp: TopicPartition, offset: int) -> None:
        self._next[tp] = offset + 1

    def forget(self, topics: set[str]) -> None:
        """Offsets of a topic the broker lost mean nothing on the one it has now."""
        self._next = {tp: offset for tp, offset in self._next.items() if tp.topic not in topics}

    def due(self, *, caught_up: bool) -> bool:
        return bool(self._next) and (caught_up or time.monotonic() - self._last_commit >= self.interval)

    def commit(self, consumer: KafkaConsumer, *, quietly: bool = False) -> None:
        """Commit for the partitions still assigned (a revoked one's new owner replays from the
        last commit, and its inbox drops what was applied here)."""
        assigned = consumer.assignment()
        offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in self._next.items() if tp in assigned}
        self._next.clear()
        self._last_commit = time.monotonic()
        if not offsets:
            return
        if not quietly:
            consumer.commit(offsets)
            return
        try:
            consumer.commit(offsets, timeout_ms=QUIET_COMMIT_TIMEOUT_MS)
        except Exception:  # the replay it costs is dropped by the inbox
            log.debug("offsets not committed on the way out; the inbox drops the replay")


class TopicIds:
    """Each subscribed topic's id as the consumer's metadata last told it. A topic the broker
    made again (a broker restarted in memory, a topic deleted and created) has a new id,
    while its name, partitions and even offsets may look the same."""

    def __init__(self) -> None:
        self._seen: dict[str, object] = {}

    def recreated(self, consumer: KafkaConsumer) -> set[str]:
        # kafka-python keeps topic ids on its cluster view only (no public accessor).
        cluster = consumer._client.cluster
        changed = set()
        for topic in consumer.subscription() or ():
            now = cluster.topic_id(topic)
            if now is None:
                continue  # not known yet, or a broker that gives no ids
            before = self._seen.get(topic)
            if before is not None and before != now:
                changed.add(topic)
            self._seen[topic] = now
        return changed


class ConsumerRunner:
    def __init__(
        self,
        applier: EventApplier,
        topics: list[str],
        consumer_factory: Callable[[], KafkaConsumer],
        producer_factory: Callable[[], KafkaProducer],
        *,
        max_attempts: int = 5,
        retry_backoff: float = 0.2,
        poll_timeout_ms: int = 500,
        commit_interval: float = 0.2,
    ):
        self.applier = applier
        self.topics = topics
        self._consumer_factory = consumer_factory
        self._producer_factory = producer_factory
        self._producer: KafkaProducer | None = None
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff
        self.poll_timeout_ms = poll_timeout_ms  # how long a poll blocks with nothing to hand over
        self.commit_interval = commit_interval
        self.ready = threading.Event()  # set once the group has assigned partitions
        # Kept across reconnections: a consumer made after the broker came back resumes from
        # offsets committed there, which an old position may have been committed as.
        self._topic_ids = TopicIds()
        self._to_read_again: set[str] = set()  # recreated, not sought yet (no partition assigned yet)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            consumer = None
            try:
                consumer = self._consumer_factory()
                self._consume(consumer, stop)
            except Exception as exc:  # broker gone or rebalance failure: reconnect, resume from committed offset
                if stop.is_set():
                    return
                log.warning("consumer %s lost its broker; reconnecting: %s", self.applier.name, exc)
                stop.wait(1.0)
            finally:
                if consumer is not None:
                    try:
                        consumer.close(autocommit=False)
                    except Exception:  # closing a broken consumer may fail; it is discarded anyway
                        pass
                self._close_producer()

    def _consume(self, consumer: KafkaConsumer, stop: threading.Event) -> None:
        """Apply what each poll hands over; commit the offsets of what was applied every
        `commit_interval` seconds, once caught up (an empty poll) and before stopping."""
        offsets = PendingOffsets(self.commit_interval)
        self._poll_and_apply(consumer, stop, offsets)
        # Stopped (not failed: a broken connection is not waited on): what was applied need
        # not be applied again by whoever reads these partitions next.
        offsets.commit(consumer, quietly=True)

    def _poll_and_apply(self, consumer: KafkaConsumer, stop: threading.Event, offsets: PendingOffsets) -> None:
        lag_measured = 0.0
        while not stop.is_set():
            batches = consumer.poll(timeout_ms=self.poll_timeout_ms)
            if consumer.assignment():
                self.ready.set()
            self._to_read_again |= self._topic_ids.recreated(consumer)
            if self._to_read_again:
                batches = {tp: messages for tp, messages in batches.items() if tp.topic not in self._to_read_again}
                self._to_read_again -= self._read_again_from_the_start(consumer, self._to_read_again, offsets)
            if time.monotonic() - lag_measured > LAG_INTERVAL_SECONDS:
                self.measure_lag(consumer)
                lag_measured = time.monotonic()
            for tp, messages in batches.items():
                for message in messages:
                    if stop.is_set():
                        return
                    self.handle(message, stop)
                    offsets.applied(tp, message.offset)
            if offsets.due(caught_up=not batches):
                offsets.commit(consumer)

    def _read_again_from_the_start(self, consumer: KafkaConsumer, topics: set[str], offsets: PendingOffsets) -> set[str]:
        """The broker lost these topics (restarted in memory, recreated): its offsets start
        over, and a position kept from before would skip what the relays publish there again.
        Nothing read before is committed there; the inbox drops what was applied. Returns the
        topics sought (those with partitions assigned)."""
        offsets.forget(topics)
        partitions = [tp for tp in consumer.assignment() if tp.topic in topics]
        if not partitions:
            return set()
        consumer.seek_to_beginning(*partitions)
        sought = {tp.topic for tp in partitions}
        log.warning("consumer %s: %s recreated on the broker; reading it again from the start",
                    self.applier.name, ", ".join(sorted(sought)))
        return sought

    def measure_lag(self, consumer: KafkaConsumer) -> None:
        """`jamsos_consumer_lag` of each assigned partition from what the last fetch told
        (no request to the broker: a partition not fetched yet is left out)."""
        try:
            for tp in consumer.assignment():
                end = consumer.highwater(tp)
                if end is not None:
                    lag = max(end - consumer.position(tp), 0)
                    metrics.CONSUMER_LAG.labels(self.applier.service, self.applier.name, tp.topic,
                                                str(tp.partition)).set(lag)
        except Exception as exc:  # a rebalance in between: measured again at the next turn
            log.debug("consumer lag not measured: %s", exc)

    def handle(self, message: ConsumerRecord, stop: threading.Event) -> str:
        """Apply one Kafka message; returns the outcome. Only returns when it is settled."""
        name, service = self.applier.name, self.applier.service
        try:
            envelope = parse_envelope(message.value)
        except Exception as exc:  # not even an envelope: retrying cannot help
            self._dead_letter(message, "unparseable", exc, stop)
            return "dead_lettered"
        attempts = 0
        while True:
            try:
                outcome = self.applier.apply(envelope, MessagePosition(message.topic, message.partition, message.offset))
                metrics.EVENTS_CONSUMED.labels(service, name, envelope.event_type, outcome).inc()
                return outcome
            except OperationalError as exc:  # our database is down: wait for it, do not blame the event
                log.warning("consumer %s cannot reach its database; retrying: %s", name, exc)
                metrics.CONSUMER_RETRIES.labels(service, name).inc()
                if stop.wait(min(5.0, self.retry_backoff * 4)):
                    raise
            except Exception as exc:  # the event cannot be applied (bad data or a bug)
                attempts += 1
                if attempts >= self.max_attempts:
                    self._dead_letter(message, envelope.event_type, exc, stop)
                    return "dead_lettered"
                metrics.CONSUMER_RETRIES.labels(service, name).inc()
                log.warning("consumer %s failed on %s (attempt %d): %s", name, envelope.event_id, attempts, exc)
                stop.wait(self.retry_backoff * (2 ** (attempts - 1)))

    def _dead_letter(self, message: ConsumerRecord, event_type: str, exc: Exception, stop: threading.Event) -> None:
        name, service = self.applier.name, self.applier.service
        headers = [
            ("x-error", f"{type(exc).__name__}: {exc}"[:1000].encode()),
            ("x-consumer", name.encode()),
            ("x-source-topic", message.topic.encode()),
            ("x-source-partition", str(message.partition).encode()),
            ("x-source-offset", str(message.offset).encode()),
        ]
        while True:  # a dead letter must land before the offset moves on
            try:
                producer = self._producer or self._producer_factory()
                self._producer = producer
                producer.send(dead_letter_topic_of(message.topic), key=message.key, value=message.value, headers=headers).get(timeout=15)
                break
            except Exception as send_exc:
                self._close_producer()
                log.warning("dead-letter publish failed; retrying: %s", send_exc)
                if stop.wait(1.0):
                    raise
        metrics.EVENTS_DEAD_LETTERED.labels(service, name, event_type).inc()
        metrics.EVENTS_CONSUMED.labels(service, name, event_type, "dead_lettered").inc()
        log.error("event dead-lettered", extra={"consumer": name, "event_type": event_type, "error": str(exc)})

    def _close_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=2)
            except Exception:  # discarded either way
                pass
            self._producer = None


__all__ = ["ConsumerRunner", "EventApplier", "HandlerRegistry", "MessagePosition", "Subscription", "TopicPartition"]
