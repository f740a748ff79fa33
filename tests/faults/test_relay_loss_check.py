"""The relay's check for a broker that lost what it acknowledged, against the embedded broker.

Tansu (memory storage) reports the end of a partition whose last write was a batch of
several records as one past the batch's first record. Taken at its word, the relay saw a
loss at every check and sent the rest of the batch again (the fault suite's logs showed
"the broker lost 1 events" of every partition on a broker never restarted). A broker that
lost nothing is not taken for one that did; one that lost everything still is. A broker of
another cluster is taken for one that lost everything, whatever its offsets say.
"""
from __future__ import annotations

import pytest
from kafka import KafkaProducer

from services.chassis.kafka_clients import EndOffsetReader, make_producer
from services.chassis.outbox_relay import OutboxRelay
from tests.chassis.eventing import emit, make_application, outbox_unpublished
from tests.faults.processes import sigkill_broker

pytestmark = pytest.mark.kafka


def test_batches_of_several_events_are_not_taken_for_a_loss_until_the_broker_loses_them(
        sqlite_url, broker, unique_name):
    app, bootstrap, topic = make_application(sqlite_url), broker.bootstrap_servers, unique_name("batches")
    broker.create_topics([topic], partitions=3)
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"],
                        lambda: make_producer(bootstrap, "test-relay"),
                        end_offsets=EndOffsetReader(bootstrap, "test-relay-offsets"))
    for i in range(30):  # one relay batch: several records per partition in one produce request
        emit(app, topic, f"event-{i}", aggregate_id=f"agg-{i % 5}")
    assert relay.publish_batch() == 30 and outbox_unpublished(app) == 0
    ends = EndOffsetReader(bootstrap, "probe")([(topic, p) for p in range(3)])
    assert sum(ends.ends.values()) == 30, ends

    assert relay.check_for_loss() == 0, "a broker that lost nothing was taken for one that did"
    assert outbox_unpublished(app) == 0

    sigkill_broker(broker)
    broker.start()  # memory storage: the topic and its 30 events are gone
    assert relay.check_for_loss() == 30
    assert outbox_unpublished(app) == 30
    relay._reset_producer()


def test_a_broker_of_another_cluster_gets_every_retained_row_again_whatever_its_offsets(
        sqlite_url, broker, unique_name, monkeypatch):
    """A switch to another cluster (a failover, a rebuilt one) whose topic holds more records
    than this relay ever sent there: the end offsets alone would say nothing was lost."""
    app, bootstrap, topic = make_application(sqlite_url), broker.bootstrap_servers, unique_name("switched")
    broker.create_topics([topic], partitions=3)
    relay = OutboxRelay("membership", app.session_factory, app.tables["outbox"],
                        lambda: make_producer(bootstrap, "test-relay"),
                        end_offsets=EndOffsetReader(bootstrap, "test-relay-offsets"))
    for i in range(30):
        emit(app, topic, f"event-{i}", aggregate_id=f"agg-{i % 5}")
    assert relay.publish_batch() == 30
    assert relay.check_for_loss() == 0  # the first check remembers the cluster it saw
    before = EndOffsetReader(bootstrap, "probe")([(topic, 0)]).cluster_id
    assert before, "the broker names its cluster in its metadata"

    sigkill_broker(broker)
    monkeypatch.setenv("CLUSTER_ID", "jamsos-failover")  # tansu's cluster id, read at its start
    broker.start()
    broker.create_topics([topic], partitions=3)
    others = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for partition in range(3):  # another cluster's records: every partition past our offsets
            for _ in range(40):
                others.send(topic, value=b"not ours", partition=partition)
        others.flush(10)
    finally:
        others.close()
    seen = EndOffsetReader(bootstrap, "probe")([(topic, p) for p in range(3)])
    assert seen.cluster_id == "jamsos-failover" != before and min(seen.ends.values()) == 40, seen

    assert relay.check_for_loss() == 30, "a broker of another cluster was trusted on its offsets"
    assert outbox_unpublished(app) == 30
    assert relay.check_for_loss() == 0, "the same cluster again is not another switch"
    relay._reset_producer()
