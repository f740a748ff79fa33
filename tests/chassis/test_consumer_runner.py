"""Consumer runner: redelivery is applied once, poison goes to the dead-letter topic and the consumer goes on."""
from __future__ import annotations

import pytest
from google.protobuf import wrappers_pb2
from kafka import KafkaConsumer, KafkaProducer

from services.chassis import metrics
from services.chassis.config import dead_letter_topic_of
from services.chassis.events import make_envelope, parse_envelope
from tests.chassis.eventing import effect_names, eventually, make_application, start_runner

pytestmark = pytest.mark.kafka


def envelope_bytes(value: str) -> bytes:
    return make_envelope(wrappers_pb2.StringValue(value=value), aggregate_type="widget", aggregate_id="agg-1",
                         branch_code="KC-BINJAI", producer="test").SerializeToString()


def produce(bootstrap: str, topic: str, *values: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for value in values:
        producer.send(topic, key=b"agg-1", value=value).get(timeout=10)
    producer.close()


def consumed(group: str, event_type: str, outcome: str) -> float:
    return metrics.EVENTS_CONSUMED.labels("membership", group, event_type, outcome)._value.get()


def test_a_redelivered_event_is_applied_once(database_url, kafka_broker, unique_name):
    app = make_application(database_url)
    topic, group = unique_name("redelivery"), unique_name("group")
    kafka_broker.create_topics([topic])
    same = envelope_bytes("once")
    produce(kafka_broker.bootstrap_servers, topic, same, same, envelope_bytes("after"))
    _runner, stop, thread = start_runner(app, kafka_broker.bootstrap_servers, topic, group)
    try:
        eventually(lambda: "after" in effect_names(app))
        assert effect_names(app) == ["once", "after"]
        assert consumed(group, "google.protobuf.StringValue", "duplicate") == 1
    finally:
        stop.set()
        thread.join(15)


def test_a_poison_event_goes_to_the_dead_letter_topic_after_the_retry_limit_and_the_consumer_goes_on(database_url, kafka_broker, unique_name):
    app = make_application(database_url)
    topic, group = unique_name("poison"), unique_name("group")
    kafka_broker.create_topics([topic, dead_letter_topic_of(topic)])
    produce(kafka_broker.bootstrap_servers, topic, envelope_bytes("poison"), b"\xff not an envelope", envelope_bytes("healthy"))
    _runner, stop, thread = start_runner(app, kafka_broker.bootstrap_servers, topic, group, max_attempts=3, retry_backoff=0.01)
    try:
        eventually(lambda: "healthy" in effect_names(app))
        assert effect_names(app) == ["healthy"]
    finally:
        stop.set()
        thread.join(15)

    dlq = KafkaConsumer(dead_letter_topic_of(topic), bootstrap_servers=kafka_broker.bootstrap_servers,
                        auto_offset_reset="earliest", consumer_timeout_ms=3000)
    letters = list(dlq)
    dlq.close()
    assert len(letters) == 2
    poison = letters[0]
    assert parse_envelope(poison.value).payload.value.endswith(b"poison")
    headers = dict(poison.headers)
    assert b"cannot apply a poison event" in headers["x-error"]
    assert headers["x-source-topic"] == topic.encode()
    assert metrics.EVENTS_DEAD_LETTERED.labels("membership", group, "google.protobuf.StringValue")._value.get() == 1
    assert metrics.EVENTS_DEAD_LETTERED.labels("membership", group, "unparseable")._value.get() == 1
