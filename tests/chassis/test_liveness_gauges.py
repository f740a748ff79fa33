"""The gauges the alerts RelayNotRunning and ConsumerLagHigh read: the relay stamps each
cycle it completes (and not one that failed); a consumer reports, per assigned partition,
the fetched high watermark minus its position."""
from __future__ import annotations

import threading
import time
import uuid
from types import SimpleNamespace

from kafka.structs import TopicPartition
from prometheus_client import REGISTRY

from services.chassis.consumer import ConsumerRunner
from services.chassis.outbox_relay import OutboxRelay
from tests.chassis.test_consumer_runner import make_application


def test_the_relay_stamps_each_completed_cycle_and_not_a_failed_one(database_url):
    app = make_application(database_url)
    stop = threading.Event()
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"], lambda: None, idle_interval=0.01)
    relay.publish_batch = lambda: stop.set() or 0  # one cycle with nothing to send, then stop
    before = time.time()
    relay.run(stop)
    stamped = REGISTRY.get_sample_value("jamsos_outbox_relay_last_cycle_timestamp_seconds", {"service": "membership"})
    assert stamped is not None and stamped >= before

    failing, stop = OutboxRelay("membership", app.session_factory, app.tables["outbox"], lambda: None, idle_interval=0.01,
                                max_backoff=0.01), threading.Event()

    def broken() -> int:
        stop.set()
        raise ConnectionError("broker down")

    failing.publish_batch = broken
    failing.run(stop)
    assert REGISTRY.get_sample_value("jamsos_outbox_relay_last_cycle_timestamp_seconds", {"service": "membership"}) == stamped


def test_a_consumer_reports_its_lag_per_assigned_partition():
    runner = ConsumerRunner.__new__(ConsumerRunner)  # only measure_lag is exercised
    # A consumer name of its own: the registry is the process's, and a real consumer of an earlier
    # test may have set partition 2's lag under the production name.
    name = f"lag-test-{uuid.uuid4().hex[:8]}"
    runner.applier = SimpleNamespace(service="contributions", name=name)
    partitions = [TopicPartition("jamsos.membership.events.v1", 0), TopicPartition("jamsos.membership.events.v1", 1),
                  TopicPartition("jamsos.membership.events.v1", 2)]
    ends, positions = {partitions[0]: 120, partitions[1]: 40, partitions[2]: None}, {partitions[0]: 100, partitions[1]: 40}
    consumer = SimpleNamespace(assignment=lambda: set(partitions), highwater=ends.get, position=positions.get)
    runner.measure_lag(consumer)
    lag = {p: REGISTRY.get_sample_value("jamsos_consumer_lag", {
        "service": "contributions", "consumer": name, "topic": "jamsos.membership.events.v1",
        "partition": p}) for p in ("0", "1", "2")}
    assert lag == {"0": 20.0, "1": 0.0, "2": None}  # partition 2 not fetched yet: not reported
