"""The consumer commits offsets in a cadence, not after each event: once caught up its group's
offsets are at the end (a restart replays nothing), between commits a crash replays only what
the inbox drops, and a partition taken away by a rebalance is not committed for."""
from __future__ import annotations

import pytest
from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata, TopicPartition

from services.chassis.config import EventSettings, Settings
from services.chassis.consumer import PendingOffsets
from tests.chassis.eventing import effect_names, eventually, make_application, start_runner
from tests.chassis.test_consumer_runner import envelope_bytes, produce

TOPIC_A0, TOPIC_A1 = TopicPartition("a", 0), TopicPartition("a", 1)


class _Consumer:
    """The two calls PendingOffsets makes of a KafkaConsumer."""

    def __init__(self, assigned: set[TopicPartition]):
        self.assigned = assigned
        self.commits: list[dict[TopicPartition, OffsetAndMetadata]] = []

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    def commit(self, offsets, timeout_ms=None) -> None:
        self.commits.append(offsets)


def test_pending_offsets_are_due_once_caught_up_or_when_the_interval_is_up():
    offsets = PendingOffsets(interval=3600)
    assert not offsets.due(caught_up=True), "nothing applied: nothing to commit"
    offsets.applied(TOPIC_A0, 41)
    assert not offsets.due(caught_up=False), "within the interval and still reading"
    assert offsets.due(caught_up=True)
    every_time = PendingOffsets(interval=0)
    every_time.applied(TOPIC_A0, 1)
    assert every_time.due(caught_up=False)


def test_the_next_offset_of_each_assigned_partition_is_committed_and_a_revoked_one_is_not():
    offsets, consumer = PendingOffsets(interval=0), _Consumer({TOPIC_A0})
    for offset in (7, 8, 9):
        offsets.applied(TOPIC_A0, offset)
    offsets.applied(TOPIC_A1, 3)  # partition 1 went to another member in a rebalance
    offsets.commit(consumer)
    assert consumer.commits == [{TOPIC_A0: OffsetAndMetadata(10, "", -1)}]  # 9 applied: 10 is read next
    offsets.commit(consumer)
    assert len(consumer.commits) == 1, "what was committed is not committed again"


def test_a_failed_commit_on_the_way_out_is_quiet_and_one_in_the_loop_is_not():
    class Failing(_Consumer):
        def commit(self, offsets, timeout_ms=None) -> None:
            raise ConnectionError("broker gone")

    offsets = PendingOffsets(interval=0)
    offsets.applied(TOPIC_A0, 1)
    offsets.commit(Failing({TOPIC_A0}), quietly=True)
    offsets.applied(TOPIC_A0, 2)
    with pytest.raises(ConnectionError):  # the runner reconnects and resumes from the last commit
        offsets.commit(Failing({TOPIC_A0}))


@pytest.mark.kafka
def test_a_caught_up_consumer_has_committed_to_the_end_of_its_partition(sqlite_url, kafka_broker, unique_name):
    app = make_application(sqlite_url)
    topic, group = unique_name("commits"), unique_name("group")
    kafka_broker.create_topics([topic], partitions=1)
    produce(kafka_broker.bootstrap_servers, topic, *(envelope_bytes(f"event-{i}") for i in range(5)))
    _runner, stop, thread = start_runner(app, kafka_broker.bootstrap_servers, topic, group, commit_interval=3600)
    try:
        eventually(lambda: len(effect_names(app)) == 5)
        reader = KafkaConsumer(bootstrap_servers=kafka_broker.bootstrap_servers, group_id=group, enable_auto_commit=False)
        try:
            eventually(lambda: reader.committed(TopicPartition(topic, 0)) == 5, timeout=10)  # offsets 0-4 applied
        finally:
            reader.close()
    finally:
        stop.set()
        thread.join(15)


def test_event_settings_come_from_the_environment_with_latency_defaults(monkeypatch):
    defaults = EventSettings()
    assert (defaults.consumer_fetch_max_wait_ms, defaults.consumer_busy_fetch_max_wait_ms,
            defaults.producer_linger_ms) == (100, 50, 5)
    for name, value in (("OUTBOX_RELAY_POLL_INTERVAL", "2.5"), ("OUTBOX_RELAY_BATCH_SIZE", "50"),
                        ("KAFKA_PRODUCER_LINGER_MS", "3"), ("KAFKA_PRODUCER_BATCH_SIZE", "32768"),
                        ("CONSUMER_FETCH_MAX_WAIT_MS", "500"), ("CONSUMER_BUSY_FETCH_MAX_WAIT_MS", "40"),
                        ("CONSUMER_FETCH_MIN_BYTES", "10"),
                        ("CONSUMER_POLL_TIMEOUT_MS", "250"), ("CONSUMER_MAX_POLL_RECORDS", "20"),
                        ("CONSUMER_COMMIT_INTERVAL_MS", "1000")):
        monkeypatch.setenv(name, value)
    assert Settings.from_env("membership").events == EventSettings(
        relay_poll_interval=2.5, relay_batch_size=50, producer_linger_ms=3, producer_batch_size=32768,
        consumer_fetch_max_wait_ms=500, consumer_busy_fetch_max_wait_ms=40, consumer_fetch_min_bytes=10, consumer_poll_timeout_ms=250,
        consumer_max_poll_records=20, consumer_commit_interval_ms=1000)
