"""Dated rule tables in the chassis: versions in force by date, storage, and a replica that
a second service keeps from the owner's events (the UMK table welfare needs, C-6a)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import MetaData, create_engine, func, select

from jamsos.common.v1 import rule_tables_pb2
from services.chassis.application import Application
from services.chassis.consumer import EventApplier, HandlerRegistry
from services.chassis.context import SYSTEM, request_context
from services.chassis.convert import from_date
from services.chassis.database import make_session_factory
from services.chassis.errors import RuleViolation
from services.chassis.events import make_envelope, parse_envelope
from services.chassis.rule_store import RuleReplica, RuleStore, publish_version
from services.chassis.rule_tables import RuleTable
from services.chassis.tables import add_platform_tables


@dataclass(frozen=True)
class Umk:
    effective_from: date
    monthly_rupiah: int

    def to_dict(self) -> dict:
        return {"effective_from": self.effective_from.isoformat(), "monthly_rupiah": self.monthly_rupiah}


@pytest.mark.rule("C-6a")
def test_the_version_in_force_is_the_latest_that_started_on_or_before_the_day():
    table = RuleTable([Umk(date(2024, 1, 1), 3_500_000), Umk(date(2025, 1, 1), 3_750_000)], rule_id="C-6a")
    assert table.in_force_on(date(2024, 12, 31)).monthly_rupiah == 3_500_000
    assert table.in_force_on(date(2025, 1, 1)).monthly_rupiah == 3_750_000
    with pytest.raises(RuleViolation) as err:
        table.in_force_on(date(2023, 12, 31))
    assert (err.value.rule_id, err.value.code) == ("C-6a", "NO_RULE_VERSION_IN_FORCE")


@pytest.fixture
def service(tmp_path):
    metadata = MetaData()
    tables = add_platform_tables(metadata)
    store, replica = RuleStore(metadata, "contributions"), RuleReplica(metadata, "contributions")
    engine = create_engine(f"sqlite:///{tmp_path}/rules.db")
    metadata.create_all(engine)
    yield Application("welfare", engine, make_session_factory(engine), tables), store, replica
    engine.dispose()


def test_a_stored_version_is_read_back_with_who_added_it_and_why(service):
    app, store, _replica = service
    with app.unit_of_work() as uow:
        store.add(uow.session, "umk_rates", date(2024, 1, 1), {"monthly_rupiah": 3_500_000}, "ani", "SK Gubernur 2023")
        uow.commit()
    with app.read_session() as session:
        [version] = store.versions(session, "umk_rates")
        assert (version.payload, version.created_by, version.reason) == ({"monthly_rupiah": 3_500_000}, "ani",
                                                                        "SK Gubernur 2023")
        assert store.has(session, "umk_rates", date(2024, 1, 1)) and not store.has(session, "umk_rates", date(2024, 2, 1))


def _published(app, branch: str, day: date, rupiah: int):
    with request_context(SYSTEM, "test"), app.unit_of_work() as uow:
        publish_version(uow, "contributions", "umk_rates", branch, day, {"monthly_rupiah": rupiah}, "SK")
        uow.commit()
    return parse_envelope(uow.committed_events[-1].envelope.SerializeToString())


@pytest.mark.rule("C-6a", "W-S-2")
def test_a_replica_follows_the_owner_s_versions_and_a_redelivery_changes_nothing(service):
    app, _store, replica = service
    registry = HandlerRegistry()
    replica.register(registry)
    applier = EventApplier("welfare-rules", "welfare", registry, app.unit_of_work)
    first = _published(app, "KC-BINJAI", date(2024, 1, 1), 3_500_000)
    later = _published(app, "KC-BINJAI", date(2025, 1, 1), 3_750_000)
    assert first.aggregate_id == "umk_rates:KC-BINJAI"  # one branch's versions stay in order
    assert [applier.apply(e) for e in (first, later, first)] == ["applied", "applied", "duplicate"]
    again = make_envelope(rule_tables_pb2.RuleVersionPublished(
        table_name="umk_rates", key="KC-BINJAI", effective_from=from_date(date(2024, 1, 1)),
        payload_json='{"monthly_rupiah": 3500000}'), aggregate_type="rule_table", aggregate_id="umk_rates:KC-BINJAI",
        branch_code="KC-BINJAI", producer="contributions")
    assert applier.apply(again) == "applied"  # re-published under a new event id: still one row
    with app.read_session() as session:
        assert session.execute(select(func.count()).select_from(replica.table)).scalar_one() == 2
        in_force = replica.in_force(session, "umk_rates", "KC-BINJAI", date(2024, 6, 30))
        assert in_force == {"monthly_rupiah": 3_500_000}
        assert replica.in_force(session, "umk_rates", "KC-BINJAI", date(2025, 3, 1)) == {"monthly_rupiah": 3_750_000}
        assert replica.in_force(session, "umk_rates", "KC-MEDAN", date(2025, 3, 1)) is None
