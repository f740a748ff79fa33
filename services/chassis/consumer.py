"""Consumer runner: applies events once each, retries, dead-letters poison, commits after.

For each message, in order within its partition:
1. parse the envelope (unparseable bytes are poison: straight to the dead-letter topic);
2. find the handler for its event type (no handler: counted as ignored, skipped);
3. in one transaction: skip if the inbox already has (consumer, event_id), else run the
   handler and insert the inbox row; commit;
4. only then commit the Kafka offset (every `commit_interval`, once caught up and before
   stopping, not after each event: see `PendingOffsets`).

Batches: a transaction per event costs more than most handlers (a session, the inbox read,
the commit: 14 statements for a WorkerEnrolled in contributions, 4 of them the wrapper's). A
registry made `HandlerRegistry(in_batches=True)` has up to `batch_size` events of a poll
applied in one transaction (one inbox read, one inbox insert, each partition's position
once); every event is still applied once in effect, through the inbox. If any of them fails,
nothing of the batch is kept and its events are applied again one per transaction, so a
failing event never takes the others with it: it alone is retried and dead-lettered. A
handler registered with `many` gets the batch's consecutive events of its type at once (the
read models' enrolments: a statement for the run instead of several an event). Events
of another registry are one per transaction, and ignored ones (no handler) ride in the
transaction of the next one (a position to record is all they write).

A handler that raises is retried `max_attempts` times with back-off, then the message
goes to `<topic>.dlq` with the error in its headers, and the consumer goes on. A
database that is unreachable is not the event's fault: those failures are retried
until it is back, never dead-lettered.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from google.protobuf.message import Message
from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import MemberState, OffsetAndMetadata, TopicPartition
from sqlalchemy import Insert, Select, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from jamsos.common.v1 import envelope_pb2

from . import context, metrics
from .config import dead_letter_topic_of
from .events import parse_envelope, unpack_payload
from .kafka_clients import EndOffsetReader, FetchPacing
from .unit_of_work import UnitOfWork

log = logging.getLogger("jamsos.consumer")

Handler = Callable[[UnitOfWork, envelope_pb2.EventEnvelope, Message], None]
# A run of consecutive events of one type in one go, with the effect of each applied in order.
ManyHandler = Callable[[UnitOfWork, Sequence[tuple[envelope_pb2.EventEnvelope, Message]]], None]
M = TypeVar("M", bound=Message)


# How often a consumer refreshes its lag gauge.
LAG_INTERVAL_SECONDS = 5.0
# The last commit of a stopping consumer waits no longer than this (stopping is not held up).
QUIET_COMMIT_TIMEOUT_MS = 2_000
# A consumer stopping in the middle of its group join finishes it first, for this long at most
# (tansu holds a first join about 3 s): see `finish_join`.
FINISH_JOIN_SECONDS = 4.0


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
    many: ManyHandler | None = None


class HandlerRegistry:
    """Event type (full protobuf name of the payload) -> handler.

    `in_batches=True` says the handlers compose in one transaction: each writes only through
    `uow.session`, and none needs what another committed first (a read through a session
    of its own, an after-commit effect). The runner then applies a poll's events in batches.
    """

    def __init__(self, *, in_batches: bool = False) -> None:
        self._by_type: dict[str, Subscription] = {}
        self.position_tracker: PositionTracker | None = None
        self.in_batches = in_batches

    def on(self, payload_cls: type[M], handler: Callable[[UnitOfWork, envelope_pb2.EventEnvelope, M], None], *,
           many: Callable[[UnitOfWork, Sequence[tuple[envelope_pb2.EventEnvelope, M]]], None] | None = None) -> None:
        """`handler` applies one event; `many`, if given, a run of consecutive ones of a batch
        in one go (set-based: a statement for the run where `handler` makes one an event),
        with the effect of `handler` on each in order. Its writes carry no event's own ids
        (what it emits or audits is under the run's first event)."""
        # The applier unpacks the payload as `payload_cls` before it calls the handler.
        self._by_type[payload_cls.DESCRIPTOR.full_name] = Subscription(payload_cls, cast(Handler, handler),
                                                                       cast(ManyHandler | None, many))

    def track_positions(self, tracker: PositionTracker) -> None:
        """`tracker` runs in the transaction of every message given with its position, the
        ignored and duplicate ones too (they are behind the replica as much as the applied);
        in a batch once per partition, with its message of the highest offset (a position
        is the highest offset applied: the ones below it add nothing)."""
        self.position_tracker = tracker

    def get(self, event_type: str) -> Subscription | None:
        return self._by_type.get(event_type)

    def __bool__(self) -> bool:
        return bool(self._by_type)


Item = tuple[envelope_pb2.EventEnvelope, MessagePosition | None]


def _latest_positions(items: Sequence[Item]) -> list[tuple[envelope_pb2.EventEnvelope, MessagePosition]]:
    """Per (topic, partition) the item of the highest offset."""
    latest: dict[tuple[str, int], tuple[envelope_pb2.EventEnvelope, MessagePosition]] = {}
    for envelope, position in items:
        if position is not None:
            key = (position.topic, position.partition)
            if key not in latest or latest[key][1].offset < position.offset:
                latest[key] = (envelope, position)
    return list(latest.values())


class EventApplier:
    """Applies events exactly once per consumer, through the inbox table."""

    def __init__(self, name: str, service: str, registry: HandlerRegistry, uow_factory: Callable[[], UnitOfWork]):
        self.name = name
        self.service = service
        self.registry = registry
        self.uow_factory = uow_factory
        self._system = context.system_principal(f"consumer:{name}")
        self._statements: dict[Table, tuple[Select[Any], Insert]] = {}

    def apply(self, envelope: envelope_pb2.EventEnvelope, position: MessagePosition | None = None) -> str:
        """Returns the outcome: applied, duplicate or ignored. Raises if the handler fails."""
        return self.apply_batch([(envelope, position)])[0]

    def apply_batch(self, items: Sequence[Item]) -> list[str]:
        """The outcome of each item (applied, duplicate or ignored), all in one transaction.
        Raises if a handler fails, and then none of them is applied (the runner applies them
        one per transaction). An event twice in `items` is applied once."""
        if not items:
            return []
        subscriptions = [self.registry.get(envelope.event_type) for envelope, _ in items]
        tracker = self.registry.position_tracker
        latest = _latest_positions(items) if tracker is not None else []
        if not latest and not any(subscriptions):
            return ["ignored"] * len(items)  # nothing to apply, no position to record: no transaction
        first = items[0][0]
        with context.request_context(self._system, first.correlation_id or None, first.event_id):
            with self.uow_factory() as uow:
                outcomes, applied = self._run_handlers(uow, items, subscriptions)
                if tracker is not None:
                    for envelope, position in latest:
                        tracker(uow, envelope, position)
                elif not applied:
                    return outcomes  # duplicates and ignored only: nothing to write
                if applied:
                    now = datetime.now(UTC)  # just before the commit: when they become applied
                    uow.session.execute(self._statements_for(uow)[1], [
                        {"consumer": self.name, "event_id": e.event_id, "event_type": e.event_type, "applied_at": now}
                        for e in applied])
                try:
                    uow.commit()
                except IntegrityError:
                    uow.rollback()
                    if len(items) == 1:
                        return ["duplicate"]  # a concurrent delivery of the same event committed first
                    raise  # which one, the runner finds applying them one by one
        return outcomes

    def _run_handlers(self, uow: UnitOfWork, items: Sequence[Item], subscriptions: Sequence[Subscription | None]
                      ) -> tuple[list[str], list[envelope_pb2.EventEnvelope]]:
        """Each new event's handler in order (consecutive events of a type with a `many`
        handler in one call of it); the outcomes, and the events applied."""
        wanted = [envelope.event_id for (envelope, _), s in zip(items, subscriptions, strict=True) if s is not None]
        seen: set[str] = set()
        if wanted:
            seen = set(uow.session.execute(self._statements_for(uow)[0],
                                           {"consumer": self.name, "event_ids": wanted}).scalars())
        outcomes: list[str] = []
        to_apply: list[tuple[Subscription, envelope_pb2.EventEnvelope, Message]] = []
        for (envelope, _), subscription in zip(items, subscriptions, strict=True):
            if subscription is None:
                outcomes.append("ignored")
            elif envelope.event_id in seen:
                outcomes.append("duplicate")
            else:
                to_apply.append((subscription, envelope, unpack_payload(envelope, subscription.payload_cls)))
                seen.add(envelope.event_id)
                outcomes.append("applied")
        for _, run in itertools.groupby(to_apply, key=lambda item: id(item[0])):
            group = list(run)
            subscription = group[0][0]
            if subscription.many is not None and len(group) > 1:
                # Its own flow, as one event's: under the run's first.
                with context.request_context(self._system, group[0][1].correlation_id or None, group[0][1].event_id):
                    subscription.many(uow, [(envelope, payload) for _, envelope, payload in group])
                continue
            for _, envelope, payload in group:
                # Its own flow: what the handler emits or audits carries this event's ids.
                with context.request_context(self._system, envelope.correlation_id or None, envelope.event_id):
                    subscription.handler(uow, envelope, payload)
        return outcomes, [envelope for _, envelope, _ in to_apply]

    def _statements_for(self, uow: UnitOfWork) -> tuple[Select[Any], Insert]:
        """The inbox read and insert, built once (the values travel as parameters)."""
        inbox = uow.table("inbox")
        statements = self._statements.get(inbox)
        if statements is None:
            statements = self._statements[inbox] = (
                select(inbox.c.event_id).where(inbox.c.consumer == bindparam("consumer"),
                                               inbox.c.event_id.in_(bindparam("event_ids", expanding=True))),
                insert(inbox))
        return statements


# Events per transaction for a registry `in_batches`. The batch holds SQLite's write lock for
# its length (~1.5 ms an event for contributions' read model): 32 keeps a request's wait for
# it short, and most of the gain is in by then (the wrapper's cost shared out 32 ways).
BATCH_SIZE = 32

Parsed = tuple[ConsumerRecord, envelope_pb2.EventEnvelope | None]


def _position(message: ConsumerRecord) -> MessagePosition:
    return MessagePosition(message.topic, message.partition, message.offset)


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

    def forget_partitions(self, partitions: set[TopicPartition]) -> None:
        self._next = {tp: offset for tp, offset in self._next.items() if tp not in partitions}

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


def finish_join(consumer: KafkaConsumer, name: str, seconds: float = FINISH_JOIN_SECONDS) -> None:
    """Poll until a group join under way is through (join and sync), so the member leaves a
    stable group. tansu keeps a member that left between its JoinGroup answer and its
    SyncGroup as the group's leader: every later member's SyncGroup then waits for an
    assignment nobody sends, fails, rejoins, for good (a service stopped 0.3-3 s after it
    started never consumed again when it came back: test_consumer_stopped_mid_join). What
    these polls fetch is not applied and not committed: the next owner reads it from the
    committed offset."""
    coordinator = consumer._coordinator  # kafka-python keeps the member's state there only
    deadline = time.monotonic() + seconds
    while coordinator.state is MemberState.REBALANCING and time.monotonic() < deadline:
        consumer.poll(timeout_ms=max(1, int((deadline - time.monotonic()) * 1000)))
    if coordinator.state is MemberState.REBALANCING:
        log.warning("consumer %s: left its group in the middle of a join (not through in %.0f s)", name, seconds)


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


class StartPositions:
    """Newly assigned partitions whose group's committed offset is past the partition's end: the broker made the topic again after that offset was committed (a
    broker restarted in memory, a topic recreated). A consumer that lived through it sees a
    new topic id (`TopicIds`); one started afterwards (a new process, another replica) has
    no id of before to compare, and would wait at the old offset while the relays publish
    the outbox again below it. Such a partition is read again from the start; the inbox
    drops what was applied.

    The end is first the broker's word (one ListOffsets per assignment); tansu reports a
    partition whose last write was a batch as ending short of it, so a position past that is
    checked by reading to the true end (`EndOffsetReader`) before it is believed."""

    def __init__(self, name: str):
        self.name = name
        self._checked: set[TopicPartition] = set()

    @property
    def checked(self) -> frozenset[TopicPartition]:
        """The partitions assigned and checked."""
        return frozenset(self._checked)

    def past_the_end(self, consumer: KafkaConsumer) -> set[TopicPartition]:
        assigned = set(consumer.assignment())
        self._checked &= assigned  # a partition revoked and assigned again is checked again
        new = sorted(assigned - self._checked, key=lambda tp: (tp.topic, tp.partition))
        if not new:
            return set()
        # The committed offsets, not the positions: a first poll may have read past them already.
        positions = {tp: consumer.committed(tp) or 0 for tp in new}
        reported = consumer.end_offsets(new)
        suspect = [tp for tp in new if positions[tp] > reported.get(tp, 0)]
        behind: set[TopicPartition] = set()
        if suspect:
            ends = EndOffsetReader(consumer.config["bootstrap_servers"], f"{self.name}-start-check")(
                [(tp.topic, tp.partition) for tp in suspect]).ends
            behind = {tp for tp in suspect if positions[tp] > ends.get((tp.topic, tp.partition), 0)}
        if behind:
            consumer.seek_to_beginning(*behind)
            log.warning("consumer %s: committed offsets past the end of %s (the topic was made again); "
                        "reading them again from the start", self.name,
                        ", ".join(f"{tp.topic}[{tp.partition}]" for tp in sorted(behind)))
        self._checked.update(new)  # after the check: one that failed is checked at the next poll
        return behind


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
        batch_size: int = BATCH_SIZE,
        busy_fetch_wait_ms: int | None = None,
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
        self.batch_size = batch_size  # events per transaction, for a registry `in_batches`
        self.busy_fetch_wait_ms = busy_fetch_wait_ms  # `FetchPacing`; None: the consumer's one wait
        self.ready = threading.Event()  # set once the group has assigned partitions
        # Kept across reconnections: a consumer made after the broker came back resumes from
        # offsets committed there, which an old position may have been committed as.
        self._topic_ids = TopicIds()
        self._to_read_again: set[str] = set()  # recreated, not sought yet (no partition assigned yet)
        self.start_positions = StartPositions(applier.name)

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
        self.start_positions = StartPositions(self.applier.name)  # each new client checks what it is given
        self._poll_and_apply(consumer, stop, offsets)
        finish_join(consumer, self.applier.name)
        # Stopped (not failed: a broken connection is not waited on): what was applied need
        # not be applied again by whoever reads these partitions next.
        offsets.commit(consumer, quietly=True)

    def _poll_and_apply(self, consumer: KafkaConsumer, stop: threading.Event, offsets: PendingOffsets) -> None:
        lag_measured = 0.0
        pacing = FetchPacing(consumer, self.busy_fetch_wait_ms)
        while not stop.is_set():
            batches = consumer.poll(timeout_ms=self.poll_timeout_ms)
            pacing.after_poll(handed_over=bool(batches))
            if consumer.assignment():
                self.ready.set()
            self._to_read_again |= self._topic_ids.recreated(consumer)
            if self._to_read_again:
                batches = {tp: messages for tp, messages in batches.items() if tp.topic not in self._to_read_again}
                self._to_read_again -= self._read_again_from_the_start(consumer, self._to_read_again, offsets)
            behind = self.start_positions.past_the_end(consumer)
            if behind:
                offsets.forget_partitions(behind)
                batches = {tp: messages for tp, messages in batches.items() if tp not in behind}
            if time.monotonic() - lag_measured > LAG_INTERVAL_SECONDS:
                self.measure_lag(consumer)
                lag_measured = time.monotonic()
            for chunk in self._chunks(batches):
                if stop.is_set():
                    return
                for message in self._settle(chunk, stop):
                    offsets.applied(TopicPartition(message.topic, message.partition), message.offset)
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

    def _chunks(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> Iterator[list[Parsed]]:
        """A poll's messages (each partition's in order) as the runs applied in one transaction:
        up to `batch_size` for a registry `in_batches`; else each event with a handler, with
        the ignored ones before it. Unparseable bytes go alone (to the dead-letter topic)."""
        registry: HandlerRegistry | None = getattr(self.applier, "registry", None)  # None: a test's stand-in
        in_batches = registry is not None and registry.in_batches
        chunk: list[Parsed] = []
        for messages in batches.values():
            for message in messages:
                try:
                    envelope: envelope_pb2.EventEnvelope | None = parse_envelope(message.value)
                except Exception:  # not even an envelope: settled alone, by `handle`
                    envelope = None
                if envelope is None:
                    if chunk:
                        yield chunk
                    yield [(message, None)]
                    chunk = []
                    continue
                chunk.append((message, envelope))
                handled = registry is None or registry.get(envelope.event_type) is not None
                if len(chunk) >= self.batch_size or (handled and not in_batches):
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    def _settle(self, chunk: list[Parsed], stop: threading.Event) -> list[ConsumerRecord]:
        """Apply a run of messages in one transaction; if that fails, each one alone (retried,
        dead-lettered). Returns the messages settled, in order (all, unless stopped)."""
        apply_batch = getattr(self.applier, "apply_batch", None)  # a test's stand-in may apply one at a time
        parsed = [(message, envelope) for message, envelope in chunk if envelope is not None]
        if len(chunk) > 1 and len(parsed) == len(chunk) and apply_batch is not None:
            try:
                outcomes = apply_batch([(envelope, _position(message)) for message, envelope in parsed])
            except Exception as exc:  # one of them failed: nothing was kept; find it one by one
                log.info("consumer %s: a batch of %d failed (%s); applying them one at a time",
                         self.applier.name, len(chunk), exc)
            else:
                for (_message, envelope), outcome in zip(parsed, outcomes, strict=True):
                    metrics.EVENTS_CONSUMED.labels(self.applier.service, self.applier.name, envelope.event_type,
                                                   outcome).inc()
                return [message for message, _ in chunk]
        settled = []
        for message, parsed_envelope in chunk:
            if stop.is_set():
                break
            self.handle(message, stop, parsed_envelope)
            settled.append(message)
        return settled

    def handle(self, message: ConsumerRecord, stop: threading.Event,
               envelope: envelope_pb2.EventEnvelope | None = None) -> str:
        """Apply one Kafka message (its envelope, when parsed already); returns the outcome.
        Only returns when it is settled."""
        name, service = self.applier.name, self.applier.service
        if envelope is None:
            try:
                envelope = parse_envelope(message.value)
            except Exception as exc:  # not even an envelope: retrying cannot help
                self._dead_letter(message, "unparseable", exc, stop)
                return "dead_lettered"
        attempts = 0
        while True:
            try:
                outcome = self.applier.apply(envelope, _position(message))
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
