"""Transactional outbox and relay: nothing published unless committed, nothing lost while the broker is down."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from kafka import KafkaConsumer

from services.chassis.events import parse_envelope
from services.chassis.kafka_clients import EndOffsetReader, make_producer
from services.chassis.outbox_relay import OutboxRelay
from tests.chassis.eventing import (
    effect_names, emit, eventually, make_application, outbox_unpublished, start_runner,
)


def relay_for(app, bootstrap: str) -> OutboxRelay:
    return OutboxRelay("membership", app.session_factory, app.tables["outbox"], lambda: make_producer(bootstrap, "test-relay"), idle_interval=0.05, max_backoff=0.5)


def test_an_event_is_in_the_outbox_only_if_its_transaction_commits(database_url):
    app = make_application(database_url)
    emit(app, "topic-x", "rolled-back", commit=False)
    assert outbox_unpublished(app) == 0
    emit(app, "topic-x", "committed")
    assert outbox_unpublished(app) == 1


@pytest.mark.kafka
def test_relay_publishes_committed_events_keyed_and_in_order_per_aggregate(database_url, kafka_broker, unique_name):
    app = make_application(database_url)
    topic = unique_name("outbox")
    kafka_broker.create_topics([topic])
    for i in range(6):
        emit(app, topic, f"v{i}", aggregate_id=f"agg-{i % 2}")
    emit(app, topic, "never", commit=False)

    relay = relay_for(app, kafka_broker.bootstrap_servers)
    assert relay.publish_batch() == 6
    assert outbox_unpublished(app) == 0
    assert relay.publish_batch() == 0

    consumer = KafkaConsumer(topic, bootstrap_servers=kafka_broker.bootstrap_servers, auto_offset_reset="earliest",
                             consumer_timeout_ms=3000, enable_auto_commit=False)
    received = [(m.key.decode(), parse_envelope(m.value)) for m in consumer]
    consumer.close()
    assert len(received) == 6
    for key in ("agg-0", "agg-1"):
        values = [env.payload.value.decode()[2:] for k, env in received if k == key]
        assert values == sorted(values), "one aggregate's events keep their order"
    assert all(env.aggregate_id == key and env.event_type == "google.protobuf.StringValue" for key, env in received)


@pytest.mark.kafka
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_events_written_while_the_broker_is_down_arrive_after_restart_none_lost_none_doubled(database_url, restartable_broker, unique_name):
    app = make_application(database_url)
    bootstrap = restartable_broker.bootstrap_servers
    topic = unique_name("outage")
    restartable_broker.create_topics([topic])
    relay = relay_for(app, bootstrap)
    relay_stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(relay_stop,), daemon=True)
    relay_thread.start()
    _runner, consumer_stop, consumer_thread = start_runner(app, bootstrap, topic, unique_name("group"))
    try:
        for i in range(3):
            emit(app, topic, f"before-{i}")
        eventually(lambda: len(effect_names(app)) == 3)

        restartable_broker.stop()
        for i in range(4):
            emit(app, topic, f"during-{i}")
        eventually(lambda: outbox_unpublished(app) == 4, timeout=5)  # they wait in the outbox
        threading.Event().wait(1.0)
        assert outbox_unpublished(app) == 4, "nothing leaves the outbox while the broker is down"

        restartable_broker.start()
        restartable_broker.create_topics([topic])
        eventually(lambda: outbox_unpublished(app) == 0, timeout=40)
        eventually(lambda: len(effect_names(app)) == 7, timeout=60)
        threading.Event().wait(1.0)
        names = effect_names(app)
        assert sorted(names) == sorted([f"before-{i}" for i in range(3)] + [f"during-{i}" for i in range(4)])
        assert len(names) == len(set(names)), "no event applied twice"
    finally:
        relay_stop.set()
        consumer_stop.set()
        relay_thread.join(10)
        consumer_thread.join(15)


class _WaitingProducer:
    """A producer stand-in whose flush is where a real one waits on a slow or dead broker:
    while it waits, it checks that a service's own writes still go through at once."""

    def __init__(self, app):
        self.app = app
        self.writes_while_waiting: list[bool] = []

    def send(self, topic, key=None, value=None):
        self.sent = getattr(self, "sent", -1) + 1
        return _Acknowledged(self.sent)

    def flush(self, timeout=None):
        self.writes_while_waiting.append(_can_write_at_once(self.app))

    def close(self, timeout=None):
        pass


def _can_write_at_once(app) -> bool:
    """SQLite: take the write lock without waiting (a second connection, no busy timeout);
    PostgreSQL: commit a write (the relay's reads never block it)."""
    if app.engine.dialect.name == "sqlite":
        probe = sqlite3.connect(app.engine.url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:  # database is locked: the relay holds the write lock
            return False
        finally:
            probe.close()
    emit(app, "topic-x", "written-while-the-relay-waits", aggregate_id="other")
    return True


class _Acknowledged:
    """The broker's acknowledgement (kafka-python's RecordMetadata): partition and offset."""

    def __init__(self, offset: int):
        self.partition, self.offset = 0, offset

    def get(self, timeout=None):
        return self


def test_writes_never_wait_for_the_relay_while_it_waits_on_the_broker(database_url):
    app = make_application(database_url)
    emit(app, "topic-x", "first")
    producer = _WaitingProducer(app)
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"], lambda: producer)
    assert relay.publish_batch() == 1
    assert producer.writes_while_waiting == [True]
    assert outbox_unpublished(app) == (0 if app.engine.dialect.name == "sqlite" else 1)


@pytest.mark.postgres
def test_one_relay_per_postgresql_database_holds_the_lock_until_it_stops(postgres_url):
    app = make_application(postgres_url)
    first, second = (OutboxRelay("membership", app.session_factory, app.tables["outbox"], lambda: _WaitingProducer(app))
                     for _ in range(2))
    assert first._holds_relay_lock() and not second._holds_relay_lock()
    first._release_relay_lock()
    assert second._holds_relay_lock()
    second._release_relay_lock()


@pytest.mark.kafka
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_events_a_broker_acknowledged_and_then_lost_are_published_again_from_the_outbox(
        database_url, restartable_broker, unique_name):
    """The broker keeps topics in memory: acknowledged events that no consumer had read yet
    are gone after its restart. The outbox still has them, so they arrive, each once."""
    app = make_application(database_url)
    bootstrap = restartable_broker.bootstrap_servers
    topic = unique_name("lost")
    restartable_broker.create_topics([topic])
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"],
                        lambda: make_producer(bootstrap, "test-relay"), idle_interval=0.05, max_backoff=0.5,
                        end_offsets=EndOffsetReader(bootstrap, "test-relay-offsets"), loss_check_interval=0.5)
    relay_stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(relay_stop,), daemon=True)
    relay_thread.start()
    consumer_stop = consumer_thread = None
    try:
        for i in range(3):
            emit(app, topic, f"acknowledged-{i}", aggregate_id=f"agg-{i}")
        eventually(lambda: outbox_unpublished(app) == 0, timeout=20)  # acknowledged by the broker

        restartable_broker.restart()  # memory storage: the topic and the three events are gone
        restartable_broker.create_topics([topic])
        _runner, consumer_stop, consumer_thread = start_runner(app, bootstrap, topic, unique_name("group"))
        eventually(lambda: len(effect_names(app)) == 3, timeout=60)
        threading.Event().wait(1.0)
        names = effect_names(app)
        assert sorted(names) == [f"acknowledged-{i}" for i in range(3)] and len(set(names)) == 3
    finally:
        relay_stop.set()
        relay_thread.join(10)
        if consumer_stop is not None:
            consumer_stop.set()
            consumer_thread.join(15)
