"""Every event type a consumer handles has a sample payload and a replay scenario.

The handled types are read from the consumer registries of the four services as their
bootstrap wires them, and from the events.proto contracts: a consumer of a new type, or
a new contract type that a consumer takes up, fails here until tests/replay covers it.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from services.chassis.runtime import ConsumerSpec
from tests.replay.samples import SAMPLES
from tests.replay.scenarios import CASES, DEFINITIONS
from tests.replay.support import Ids, consumer_specs
from tests.service_harness import start_service

PROTOS = Path(__file__).resolve().parents[2] / "protos"


def contract_types() -> dict[str, str]:
    """Full name -> events.proto of every message an events.proto of protos/ defines (plus the rule tables')."""
    found = {}
    for path in [*sorted(PROTOS.glob("jamsos/*/v1/events.proto")), PROTOS / "jamsos/common/v1/rule_tables.proto"]:
        module = importlib.import_module(".".join(path.relative_to(PROTOS).with_suffix("").parts) + "_pb2")
        for message in module.DESCRIPTOR.message_types_by_name.values():
            found[message.full_name] = str(path.relative_to(PROTOS))
    return found


@pytest.fixture(scope="module")
def handled(tmp_path_factory) -> dict[tuple[str, str], str]:
    """(event type, consumer) -> service, for every consumer of every service on SQLite."""
    pairs = {}
    for service, definition in DEFINITIONS.items():
        runtime = start_service(definition(), f"sqlite:///{tmp_path_factory.mktemp(service)}/catalogue.db")
        try:
            specs: list[ConsumerSpec] = consumer_specs(runtime)  # with a broker's consumers too
            for spec in specs:
                for event_type in spec.registry._by_type:
                    pairs[(event_type, spec.name)] = service
        finally:
            runtime.stop(grace=0)
    return pairs


def test_the_contracts_are_found():
    contracts = contract_types()
    assert "jamsos.membership.v1.WorkerWageChanged" in contracts and "jamsos.contributions.v1.BillIssued" in contracts


def test_every_handled_event_type_has_a_sample_builder(handled):
    from_registries = {t for t, _ in handled}
    consumed_contracts = set(contract_types()) & from_registries  # events.proto types some consumer takes up
    assert {"jamsos.membership.v1.WorkerWageChanged", "jamsos.contributions.v1.BillIssued"} <= consumed_contracts
    types = from_registries | consumed_contracts
    missing = sorted(types - set(SAMPLES))
    assert not missing, f"handled event types without a sample builder in tests/replay/samples.py: {missing}"
    for name in types:
        assert SAMPLES[name](Ids.fresh()).DESCRIPTOR.full_name == name


def test_every_consumer_of_a_type_has_a_replay_scenario(handled):
    missing = sorted(f"{t} by {c} ({s})" for (t, c), s in handled.items() if (t, c) not in CASES)
    assert not missing, f"consumed event types without a replay scenario in tests/replay/scenarios.py: {missing}"
    stale = sorted(f"{t} by {c}" for t, c in CASES if (t, c) not in handled)
    assert not stale, f"replay scenarios of types no consumer handles: {stale}"
    assert all(CASES[key].service == service for key, service in handled.items())


def test_every_sample_is_of_a_handled_type(handled):
    stale = sorted(set(SAMPLES) - {t for t, _ in handled})
    assert not stale, f"sample builders of types no consumer handles: {stale}"
