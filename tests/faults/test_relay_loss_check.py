"""The relay's check for a broker that lost what it acknowledged, against the embedded broker.

Tansu (memory storage) reports the end of a partition whose last write was a batch of
several records as one past the batch's first record. Taken at its word, the relay saw a
loss at every check and sent the rest of the batch again (the fault suite's logs showed
"the broker lost 1 events" of every partition on a broker never restarted). A broker that
lost nothing is not taken for one that did; one that lost everything still is.
"""
from __future__ import annotations

import pytest

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
    assert sum(ends.values()) == 30, ends

    assert relay.check_for_loss() == 0, "a broker that lost nothing was taken for one that did"
    assert outbox_unpublished(app) == 0

    sigkill_broker(broker)
    broker.start()  # memory storage: the topic and its 30 events are gone
    assert relay.check_for_loss() == 30
    assert outbox_unpublished(app) == 30
    relay._reset_producer()
