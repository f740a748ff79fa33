"""A consumer started after the broker made its topic again (issue 11): the group's committed
offset is past the new topic's end. A runner that lived through the restart sees a new topic
id; a new process has none of before to compare, and waited at the old offset while the
events published again sat below it. It now reads such a partition from the start (the inbox
drops what it had), and only such a one: tansu reports a partition ending in a batch as
ending short of it, which must not send a healthy consumer back to the start."""
from __future__ import annotations

import pytest
from google.protobuf import wrappers_pb2
from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata, TopicPartition

from services.chassis import metrics
from services.chassis.events import make_envelope
from tests.chassis.eventing import effect_names, eventually, make_application, start_runner

pytestmark = pytest.mark.kafka


def produce_in_one_batch(bootstrap: str, topic: str, *values: str) -> None:
    """One produce request: tansu then reports the partition's end one past its first record."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=1_000)
    try:
        for value in values:
            producer.send(topic, partition=0, key=b"agg-1", value=make_envelope(
                wrappers_pb2.StringValue(value=value), aggregate_type="widget", aggregate_id="agg-1",
                branch_code="KC-BINJAI", producer="test").SerializeToString())
        producer.flush(10)
    finally:
        producer.close()


def committed(bootstrap: str, group: str, topic: str) -> int | None:
    probe = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return probe.committed(TopicPartition(topic, 0))
    finally:
        probe.close()


def commit(bootstrap: str, group: str, topic: str, offset: int) -> None:
    """What a consumer of the group that lived through the restart may have committed there."""
    tp = TopicPartition(topic, 0)
    old = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        old.assign([tp])
        old.commit({tp: OffsetAndMetadata(offset, "", -1)})
    finally:
        old.close()


def duplicates(group: str) -> float:
    return metrics.EVENTS_CONSUMED.labels("membership", group, "google.protobuf.StringValue", "duplicate")._value.get()


def consume_until(app, bootstrap: str, topic: str, group: str, names: list[str], offset: int) -> None:
    """A runner (a process of its own, as far as it knows) applies `names` and commits `offset`."""
    _runner, stop, thread = start_runner(app, bootstrap, topic, group)
    try:
        eventually(lambda: all(name in effect_names(app) for name in names))
        eventually(lambda: committed(bootstrap, group, topic) == offset)
    finally:
        stop.set()
        thread.join(15)


def test_a_consumer_started_after_its_topic_was_made_again_reads_it_from_the_start(
        sqlite_url, restartable_broker, unique_name):
    app, bootstrap = make_application(sqlite_url), restartable_broker.bootstrap_servers
    topic, group = unique_name("made-again"), unique_name("group")
    restartable_broker.create_topics([topic], partitions=1)
    before = [f"before-{i}" for i in range(5)]
    produce_in_one_batch(bootstrap, topic, *before)
    consume_until(app, bootstrap, topic, group, before, offset=5)

    restartable_broker.restart()  # memory storage: the topic, its events and the group's offsets are gone
    restartable_broker.create_topics([topic], partitions=1)
    commit(bootstrap, group, topic, 5)
    produce_in_one_batch(bootstrap, topic, "after-0", "after-1")  # the new topic ends at 2, below 5

    _runner, stop, thread = start_runner(app, bootstrap, topic, group)  # a new process: no topic id of before
    try:
        eventually(lambda: effect_names(app) == [*before, "after-0", "after-1"], timeout=30)
        produce_in_one_batch(bootstrap, topic, "later")
        eventually(lambda: effect_names(app)[-1] == "later")
        assert effect_names(app) == [*before, "after-0", "after-1", "later"]
    finally:
        stop.set()
        thread.join(15)


def test_a_consumer_at_the_end_of_a_partition_ending_in_a_batch_is_not_sent_back(
        sqlite_url, restartable_broker, unique_name):
    app, bootstrap = make_application(sqlite_url), restartable_broker.bootstrap_servers
    topic, group = unique_name("batch-end"), unique_name("group")
    restartable_broker.create_topics([topic], partitions=1)
    first = [f"first-{i}" for i in range(4)]
    produce_in_one_batch(bootstrap, topic, *first)  # reported end 1, true end 4
    consume_until(app, bootstrap, topic, group, first, offset=4)

    runner, stop, thread = start_runner(app, bootstrap, topic, group)  # restarted: committed 4 > reported 1
    try:
        eventually(lambda: bool(runner.start_positions.checked))  # nothing written since the batch until then
        produce_in_one_batch(bootstrap, topic, "next")
        eventually(lambda: effect_names(app)[-1] == "next")
        assert duplicates(group) == 0, "a healthy consumer read its partition again from the start"
        assert effect_names(app) == [*first, "next"]
    finally:
        stop.set()
        thread.join(15)
