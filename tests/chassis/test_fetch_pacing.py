"""A consumer's fetch waits less while events flow and its idle wait once caught up
(`FetchPacing`): on tansu a fetch is held about its whole wait even with records there, so
the wait is a share of each event's latency under load, and empty fetches cost CPU when idle.
The real kafka-python consumer against the harness broker: the fetch requests it builds are
recorded, which pins the fetcher config the pacing sets."""
from __future__ import annotations

import pytest

from services.chassis.config import EventSettings
from services.chassis.kafka_clients import FetchPacing, make_consumer
from tests.chassis.eventing import eventually
from tests.chassis.test_consumer_runner import envelope_bytes, produce

IDLE_MS, BUSY_MS = 100, 30


def record_fetch_waits(consumer, monkeypatch) -> list[int]:
    """The max_wait_ms of every fetch request the consumer's fetcher builds from here on."""
    waits: list[int] = []
    fetcher = consumer._fetcher
    build = fetcher._create_fetch_requests

    def recording():
        requests = build()
        waits.extend(request.max_wait_ms for request, _offsets in requests.values())
        return requests

    monkeypatch.setattr(fetcher, "_create_fetch_requests", recording)
    return waits


@pytest.mark.kafka
def test_fetches_after_records_wait_the_busy_wait_and_after_an_empty_poll_the_idle_one(
        kafka_broker, unique_name, monkeypatch):
    topic, group = unique_name("pacing"), unique_name("group")
    kafka_broker.create_topics([topic], partitions=1)
    produce(kafka_broker.bootstrap_servers, topic, *(envelope_bytes(f"event-{i}") for i in range(3)))
    consumer = make_consumer(kafka_broker.bootstrap_servers, group, [topic], group,
                             EventSettings(consumer_fetch_max_wait_ms=IDLE_MS))
    try:
        fetch_waits = record_fetch_waits(consumer, monkeypatch)
        pacing = FetchPacing(consumer, BUSY_MS)
        received: list[object] = []

        def records_arrived() -> bool:
            received.extend(consumer.poll(timeout_ms=500).values())
            return bool(received)

        eventually(records_arrived, timeout=30)
        assert set(fetch_waits) == {IDLE_MS}, "until records come, the consumer's own wait"

        pacing.after_poll(handed_over=True)
        fetch_waits.clear()
        assert not consumer.poll(timeout_ms=400)  # all three were handed over: nothing more
        assert fetch_waits and set(fetch_waits) == {BUSY_MS}

        pacing.after_poll(handed_over=False)
        fetch_waits.clear()
        consumer.poll(timeout_ms=400)
        assert fetch_waits and set(fetch_waits) == {IDLE_MS}
    finally:
        consumer.close(autocommit=False)


def test_no_busy_wait_or_no_fetcher_leaves_the_consumer_as_it_is():
    class Fetcher:
        config = {"fetch_max_wait_ms": 500}

    class Consumer:
        _fetcher = Fetcher()

    patient = Consumer()
    FetchPacing(patient, None).after_poll(handed_over=True)
    assert patient._fetcher.config["fetch_max_wait_ms"] == 500
    FetchPacing(object(), BUSY_MS).after_poll(handed_over=True)  # a test double: nothing to set

    longer = Consumer()
    pacing = FetchPacing(longer, 1_000)  # a busy wait above the idle one is the idle one
    pacing.after_poll(handed_over=True)
    assert longer._fetcher.config["fetch_max_wait_ms"] == 500
