"""Kafka client construction in one place, with the settings the platform relies on."""
from __future__ import annotations

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

DEFAULT_PARTITIONS = 6


def make_producer(bootstrap_servers: str, client_id: str) -> KafkaProducer:
    """acks=all and idempotence: a retried send is never written twice by the broker.

    One request in flight per connection keeps the per-key order across retries.
    """
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
        linger_ms=5,
    )


def make_consumer(bootstrap_servers: str, group_id: str, topics: list[str], client_id: str) -> KafkaConsumer:
    """No auto-commit: the runner commits an offset only after its transaction commits.

    A short session timeout keeps group joins and rebalances quick (seconds, not ~20 s).
    """
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6_000,
        heartbeat_interval_ms=2_000,
        max_poll_records=200,
        request_timeout_ms=30_000,
    )
    consumer.subscribe(topics)
    return consumer


def ensure_topics(bootstrap_servers: str, topics: list[str], partitions: int = DEFAULT_PARTITIONS) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="jamsos-admin", request_timeout_ms=10_000)
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


class EndOffsetReader:
    """The broker's end offset of each (topic, partition); 0 for one it does not have (a
    broker that lost the topic). A fresh client per call: after a broker restart, cached
    metadata would describe the broker that is gone."""

    def __init__(self, bootstrap_servers: str, client_id: str):
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id

    def __call__(self, pairs: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap_servers, client_id=self.client_id,
                                 group_id=None, enable_auto_commit=False, request_timeout_ms=10_000)
        try:
            present = consumer.topics()  # a metadata request to the broker as it is now
            wanted = [TopicPartition(topic, partition) for topic, partition in pairs
                      if topic in present and partition in (consumer.partitions_for_topic(topic) or set())]
            ends = consumer.end_offsets(wanted) if wanted else {}
            return {(tp.topic, tp.partition): int(offset) for tp, offset in ends.items()}
        finally:
            consumer.close()
