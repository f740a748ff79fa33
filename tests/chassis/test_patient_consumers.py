"""Consumer groups no caller waits on fetch less often (`ConsumerSpec.patient`): their empty
fetches were CPU the service spent idle. The others keep the service's fetch wait, which sets
how soon a caught-up group sees the next event."""
from __future__ import annotations

import pytest

from services.chassis.runtime import PATIENT_FETCH_WAIT_MS
from services.contributions.application.ledger.use_cases import PAYOUT_CONSUMER
from services.contributions.application.read_model.use_cases import CONSUMER as READ_MODEL
from services.contributions.bootstrap import definition as contributions_definition
from services.membership.application.workers_benefit_events import CONSUMER as BENEFIT_EVENTS
from services.membership.bootstrap import definition as membership_definition
from tests.service_harness import start_service


def _fetch_waits(runtime) -> dict[str, int]:
    """Each group's fetch wait, as the consumer its runner would make has it."""
    waits = {}
    for runner in runtime.consumer_runners:
        consumer = runner._consumer_factory()
        try:
            waits[runner.applier.name] = consumer.config["fetch_max_wait_ms"]
        finally:
            consumer.close()
    return waits


@pytest.mark.kafka
def test_groups_no_caller_waits_on_fetch_less_often_the_others_at_the_services_wait(kafka_broker, tmp_path):
    membership = start_service(membership_definition(), f"sqlite:///{tmp_path}/m.db", kafka_broker.bootstrap_servers)
    contributions = start_service(contributions_definition(), f"sqlite:///{tmp_path}/c.db",
                                  kafka_broker.bootstrap_servers)
    try:
        service_wait = contributions.settings.events.consumer_fetch_max_wait_ms
        assert service_wait < PATIENT_FETCH_WAIT_MS
        assert _fetch_waits(membership)[BENEFIT_EVENTS] == PATIENT_FETCH_WAIT_MS
        waits = _fetch_waits(contributions)
        assert waits[PAYOUT_CONSUMER] == PATIENT_FETCH_WAIT_MS
        assert waits[READ_MODEL] == service_wait  # billing and the events' latency wait on it
    finally:
        membership.stop(grace=0)
        contributions.stop(grace=0)
