"""The relay is woken by the commit that wrote outbox rows, not left to its poll: a committed
event leaves at once even with a poll of 30 s; a rollback (or a commit without events) wakes
nothing; a wake reaches only the relays of that database; commits during a send are sent
together right after it; a relay without the PostgreSQL lock is not spun by wakes."""
from __future__ import annotations

import threading

import pytest
from google.protobuf import wrappers_pb2
from kafka import KafkaConsumer

from services.chassis import outbox_signal
from services.chassis.events import parse_envelope
from services.chassis.kafka_clients import BrokerEnds, make_producer
from services.chassis.outbox_relay import OutboxRelay
from tests.chassis.eventing import Acknowledged, BatchRecordingProducer, emit, eventually, make_application, outbox_unpublished

SLOW_POLL = 30.0  # seconds: longer than any wait below, so only a wake can explain a prompt send


@pytest.fixture
def app(sqlite_url):
    return make_application(sqlite_url)


def running(relay: OutboxRelay):
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


@pytest.mark.kafka
def test_an_event_committed_while_the_relay_waits_out_a_30_s_poll_is_on_the_broker_within_seconds(
        app, kafka_broker, unique_name):
    topic = unique_name("wake")
    kafka_broker.create_topics([topic])
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"],
                        lambda: make_producer(kafka_broker.bootstrap_servers, "test-wake-relay"), idle_interval=SLOW_POLL)
    stop, thread = running(relay)
    try:
        emit(app, topic, "first")
        eventually(lambda: outbox_unpublished(app) == 0, timeout=15)  # the relay is in its 30 s pause after this
        emit(app, topic, "woken")
        eventually(lambda: outbox_unpublished(app) == 0, timeout=5)
    finally:
        stop.set()
        thread.join(10)
    consumer = KafkaConsumer(topic, bootstrap_servers=kafka_broker.bootstrap_servers, auto_offset_reset="earliest",
                             consumer_timeout_ms=3000, enable_auto_commit=False)
    values = sorted(parse_envelope(m.value).payload.value.decode()[2:] for m in consumer)
    consumer.close()
    assert values == ["first", "woken"]
    assert not thread.is_alive(), "a relay in a 30 s pause still stops at once"


def test_only_a_commit_that_wrote_outbox_rows_wakes_the_relay(app):
    wake = outbox_signal.subscribe(app.engine)
    try:
        emit(app, "topic-x", "rolled-back", commit=False)
        assert not wake.is_set(), "a transaction left without commit wakes nothing"

        with app.unit_of_work() as uow:
            uow.emit("topic-x", wrappers_pb2.StringValue(value="flushed"), aggregate_type="widget", aggregate_id="a",
                     branch_code="KC-BINJAI")
            uow.flush_events()  # in the outbox table, inside the transaction
            uow.rollback()
        assert not wake.is_set(), "rows flushed and then rolled back wake nothing"

        with app.unit_of_work() as uow:
            uow.commit()
        assert not wake.is_set(), "a commit without events wakes nothing"

        emit(app, "topic-x", "committed")
        assert wake.is_set()
    finally:
        outbox_signal.unsubscribe(app.engine, wake)


def test_a_commit_wakes_the_relays_of_its_own_database_only(tmp_path):
    membership, contributions = (make_application(f"sqlite:///{tmp_path}/{name}.db")
                                 for name in ("membership", "contributions"))
    wakes = {a: outbox_signal.subscribe(a.engine) for a in (membership, contributions)}
    try:
        emit(membership, "topic-x", "for membership's relay")
        assert wakes[membership].is_set() and not wakes[contributions].is_set()
    finally:
        for a, wake in wakes.items():
            outbox_signal.unsubscribe(a.engine, wake)


class _ProducerCommittingDuringItsSend(BatchRecordingProducer):
    """During the first batch's flush, three more events commit (their wakes arrive while
    the batch is in flight)."""

    def after_first_batch(self) -> None:
        for i in range(3):
            emit(self.app, "topic-x", f"during-the-send-{i}", aggregate_id=f"agg-{i}")


def test_commits_during_a_send_go_in_one_batch_right_after_it(app):
    producer = _ProducerCommittingDuringItsSend(app)
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"], lambda: producer,
                        idle_interval=SLOW_POLL)
    emit(app, "topic-x", "first")
    stop, thread = running(relay)
    try:
        eventually(lambda: outbox_unpublished(app) == 0 and len(producer.batches) >= 2, timeout=5)
    finally:
        stop.set()
        thread.join(10)
    assert producer.batches == [1, 3], "the three commits of the first send wait for no poll and go together"


def test_a_relay_without_the_relay_lock_is_not_spun_by_wakes(app):
    """On PostgreSQL only the lock holder relays; the others ask for the lock once per poll,
    however many commits their own process makes."""
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"], lambda: None, idle_interval=SLOW_POLL)
    asked = threading.Semaphore(0)

    def another_replica_holds_it() -> bool:
        asked.release()
        return False

    relay._holds_relay_lock = another_replica_holds_it
    stop, thread = running(relay)
    try:
        assert asked.acquire(timeout=5)
        for i in range(20):
            emit(app, "topic-x", f"commit-{i}", aggregate_id=f"agg-{i}")
        assert not asked.acquire(timeout=0.5), "a wake made the relay ask for the lock again"
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


class _AlwaysAcknowledging:
    """A broker stand-in that acknowledges every send at the next offset of partition 0."""

    def __init__(self):
        self._offset = -1

    def send(self, topic, key=None, value=None):
        self._offset += 1
        return Acknowledged(self._offset)

    def flush(self, timeout=None):
        pass

    def close(self, timeout=None):
        pass


def test_events_keep_leaving_while_the_broker_is_asked_whether_it_lost_any(app):
    """The loss check reads the broker's end offsets with a client of its own (~0.3 s on
    tansu, every 30 s): events committed meanwhile do not wait for it."""
    reading, answer = threading.Event(), threading.Event()

    def slow_end_offsets(pairs):
        reading.set()
        answer.wait(30)
        return BrokerEnds({pair: 10**6 for pair in pairs})  # the broker holds everything: nothing lost

    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"], _AlwaysAcknowledging,
                        idle_interval=SLOW_POLL, end_offsets=slow_end_offsets, loss_check_interval=0)
    emit(app, "topic-x", "acknowledged-before")
    stop, thread = running(relay)
    try:
        eventually(lambda: outbox_unpublished(app) == 0, timeout=5)
        emit(app, "topic-x", "its-cycle-starts-a-check")  # the first with an acknowledged offset to check
        assert reading.wait(5), "the check of the end offsets started"
        emit(app, "topic-x", "while-the-broker-is-asked")
        eventually(lambda: outbox_unpublished(app) == 0, timeout=5)
        assert not answer.is_set()
    finally:
        answer.set()
        stop.set()
        thread.join(10)
