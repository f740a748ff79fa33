"""A consumer stopped while it joins its group (a service stopped a second or two after it
started) leaves the group stable: the next member of the group gets its partitions and
consumes. tansu kept a member that left between its JoinGroup answer and its SyncGroup as
the group's leader, and every later member's SyncGroup waited for an assignment nobody
sent, for good: the JHT saga's contributions, restarted, never consumed again (CI)."""
from __future__ import annotations

import time

import pytest
from google.protobuf import wrappers_pb2
from kafka import KafkaProducer

from services.chassis.events import make_envelope
from tests.chassis.eventing import effect_names, eventually, make_application, start_runner

pytestmark = pytest.mark.kafka


def produce(bootstrap: str, topic: str, value: str) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        producer.send(topic, key=b"agg-1", value=make_envelope(
            wrappers_pb2.StringValue(value=value), aggregate_type="widget", aggregate_id="agg-1",
            branch_code="KC-BINJAI", producer="test").SerializeToString())
        producer.flush(10)
    finally:
        producer.close()


@pytest.mark.parametrize("seconds_into_the_join", [0.3, 1.5])
def test_a_consumer_stopped_in_the_middle_of_its_group_join_leaves_the_group_to_the_next_member(
        sqlite_url, kafka_broker, unique_name, seconds_into_the_join):
    app, bootstrap = make_application(sqlite_url), kafka_broker.bootstrap_servers
    topic, group = unique_name("mid-join"), unique_name("group")
    kafka_broker.create_topics([topic], partitions=2)

    first, stop, thread = start_runner(app, bootstrap, topic, group)
    time.sleep(seconds_into_the_join)
    assert not first.ready.is_set(), "the join was through already: this run tests nothing"  # tansu holds a first join ~3 s
    stop.set()
    thread.join(15)
    assert not thread.is_alive()

    second, stop, thread = start_runner(app, bootstrap, topic, group)
    try:
        produce(bootstrap, topic, "after the restart")
        eventually(lambda: effect_names(app) == ["after the restart"], timeout=40)
        assert second.ready.is_set()
    finally:
        stop.set()
        thread.join(15)
