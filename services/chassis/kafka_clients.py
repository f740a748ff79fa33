"""Kafka client construction in one place, with the settings the platform relies on."""
from __future__ import annotations

import selectors
import time
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from .config import EventSettings

DEFAULT_PARTITIONS = 6
# kafka-python backs off reconnecting to a broker that went away exponentially, up to 30 s by
# default, and every client here has it: the relay's end-offset reader and the admin client
# that makes topics block in their constructors while they wait. After an outage of 30 s the
# relay and the consumers came back up to a minute after the broker did (tests/faults). A
# second at most keeps recovery within seconds of the broker's return, whatever the outage.
RECONNECT_BACKOFF_MAX_MS = 1_000


class QuietMissSelector(selectors.DefaultSelector):
    """The platform's selector, without formatting a socket on a lookup miss.

    kafka-python 3's IO loop asks `get_key(sock)` before every read or write wait and takes
    the KeyError of a socket not registered yet as "register it". The standard library
    builds that KeyError's message with `repr(sock)` (getsockname, getpeername: two system
    calls and string formatting) each time: `socket.__repr__` was a leaf frame of every
    Kafka network thread. Same lookup, a message-less KeyError."""

    def get_key(self, fileobj: Any) -> selectors.SelectorKey:
        impl: Any = self  # the standard library's selector internals, not in its stubs
        key: selectors.SelectorKey | None = impl._fd_to_key.get(impl._fileobj_lookup(fileobj))
        if key is None:
            raise KeyError(fileobj)  # formatted only if someone prints it
        return key


# What every client here is given: no kafka-python metrics (sensors updated on each fetch,
# send and response that nothing reads: the platform's metrics are its own), and the selector.
# Together, on tansu: an idle consumer 15-19 against 22-25 ms of CPU a second; a record
# produced and consumed in one process 1.7 against 2.3-2.9 ms.
CLIENT_SETTINGS: dict[str, Any] = {"metrics_enabled": False, "selector": QuietMissSelector}


def make_producer(bootstrap_servers: str, client_id: str, events: EventSettings | None = None) -> KafkaProducer:
    """acks=all and idempotence: a retried send is never written twice by the broker.

    One request in flight per connection keeps the per-key order across retries. Linger and
    batch size: `EventSettings` (the relay flushes each batch itself).
    """
    events = events or EventSettings()
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        max_in_flight_requests_per_connection=1,
        retries=5,
        retry_backoff_ms=200,
        request_timeout_ms=10_000,
        max_block_ms=5_000,
        linger_ms=events.producer_linger_ms,
        batch_size=events.producer_batch_size,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
        **CLIENT_SETTINGS,
    )


def make_consumer(bootstrap_servers: str, group_id: str, topics: list[str], client_id: str,
                  events: EventSettings | None = None) -> KafkaConsumer:
    """No auto-commit: the runner commits an offset only after its transaction commits.

    A short session timeout keeps group joins and rebalances quick (seconds, not ~20 s), and
    a short reconnect back-off finds a broker that came back at once. The fetch wait decides
    how long a caught-up consumer takes to see the next event (`EventSettings`).
    """
    events = events or EventSettings()
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6_000,
        heartbeat_interval_ms=2_000,
        max_poll_records=events.consumer_max_poll_records,
        fetch_max_wait_ms=events.consumer_fetch_max_wait_ms,
        fetch_min_bytes=events.consumer_fetch_min_bytes,
        request_timeout_ms=30_000,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
        **CLIENT_SETTINGS,
    )
    consumer.subscribe(topics)
    return consumer


class FetchPacing:
    """How long the consumer's next fetch may wait for records: `busy_ms` right after a poll
    handed records over, the consumer's own `fetch_max_wait_ms` once a poll found nothing.

    Why two waits: tansu holds a fetch until about the wait is up even when records are there
    (`EventSettings`), so under a steady flow of events the wait is a share of each event's
    latency, while a caught-up consumer's empty fetches cost CPU at every wait. kafka-python
    reads the wait from its fetcher's config each time it builds a fetch request (kafka-python
    3.0.12, `Fetcher._create_fetch_requests`; pinned by tests/chassis/test_fetch_pacing.py), so
    setting it between polls takes effect from the next request on. A consumer without that
    fetcher (a test double) is left as it is."""

    def __init__(self, consumer: KafkaConsumer, busy_ms: int | None):
        config = getattr(getattr(consumer, "_fetcher", None), "config", None)
        if busy_ms is None or not isinstance(config, dict) or "fetch_max_wait_ms" not in config:
            config = None
        self._config: dict[str, Any] | None = config
        self.idle_ms = int(config["fetch_max_wait_ms"]) if config is not None else 0
        self.busy_ms = min(busy_ms or 0, self.idle_ms)

    def after_poll(self, handed_over: bool) -> None:
        if self._config is not None:
            self._config["fetch_max_wait_ms"] = self.busy_ms if handed_over else self.idle_ms


def ensure_topics(bootstrap_servers: str, topics: list[str], partitions: int = DEFAULT_PARTITIONS) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="jamsos-admin", request_timeout_ms=10_000,
                             reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS)
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(name, partitions, 1) for name in topics if name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another process created it first
    finally:
        admin.close()


@dataclass(frozen=True)
class BrokerEnds:
    """What the relay's loss check reads from the broker as it is now."""

    ends: dict[tuple[str, int], int]  # (topic, partition) -> end offset; 0 for one it lacks
    cluster_id: str | None = None  # None: the broker named none


class EndOffsetReader:
    """The broker's cluster id and the end offset of each (topic, partition); 0 for one it
    does not have (a broker that lost the topic). A fresh client per call: after a broker
    restart, cached metadata would describe the broker that is gone.

    The offsets the broker reports are checked by reading from there: tansu (the embedded
    broker) reports a partition whose last write was a batch of several records as ending
    one past the batch's first record, short of its last; the relay took that for a loss and
    sent the batch's other records again at every check (tests/faults)."""

    def __init__(self, bootstrap_servers: str, client_id: str, read_timeout: float = 5.0):
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.read_timeout = read_timeout

    def __call__(self, pairs: list[tuple[str, int]]) -> BrokerEnds:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap_servers, client_id=self.client_id,
                                 group_id=None, enable_auto_commit=False, request_timeout_ms=10_000,
                                 reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS, **CLIENT_SETTINGS)
        try:
            present = consumer.topics()  # a metadata request to the broker as it is now
            # The metadata answer's cluster id; kafka-python keeps it on its cluster view only.
            cluster_id = consumer._client.cluster.cluster_id
            wanted = [TopicPartition(topic, partition) for topic, partition in pairs
                      if topic in present and partition in (consumer.partitions_for_topic(topic) or set())]
            ends = {tp: int(offset) for tp, offset in (consumer.end_offsets(wanted) if wanted else {}).items()}
            read = self._read_to_the_end(consumer, ends)
            return BrokerEnds({(tp.topic, tp.partition): offset for tp, offset in read.items()},
                              str(cluster_id) if cluster_id is not None else None)
        finally:
            consumer.close()

    def _read_to_the_end(self, consumer: KafkaConsumer, ends: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
        """Each reported end, or one past the last record read from its last record on."""
        held = [tp for tp, end in ends.items() if end > 0]
        if not held:
            return ends
        consumer.assign(held)
        for tp in held:
            consumer.seek(tp, ends[tp] - 1)
        deadline = time.monotonic() + self.read_timeout
        while time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=200)
            if not batches:
                break
            for tp, records in batches.items():
                ends[tp] = max(ends[tp], records[-1].offset + 1)
        return ends
