"""Contributions' employer standing in the chassis: one table, one handler and the questions
benefits and welfare ask of it (C-8: standing by day; B-JPK-6: when arrears were paid off),
through the consumer's own applier, idempotent against a payload re-sent under a new id."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import MetaData, create_engine, select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import events_pb2
from services.chassis.application import Application
from services.chassis.consumer import EventApplier
from services.chassis.database import make_session_factory
from services.chassis.events import make_envelope
from services.chassis.standing_replica import Standing, StandingReplica
from services.chassis.tables import add_platform_tables

NPP, OTHER_NPP = "10000001", "10000002"


def standing_changed(as_of: date | None, in_arrears: bool, arrears: int = 0, npp: str = NPP) -> events_pb2.StandingChanged:
    day = types_pb2.Date(year=as_of.year, month=as_of.month, day=as_of.day) if as_of else None
    return events_pb2.StandingChanged(npp=npp, branch_code="KC-BINJAI", in_arrears=in_arrears,
                                      good_standing=not in_arrears, arrears=types_pb2.Money(rupiah=arrears), as_of=day)


class Service:
    def __init__(self, tmp_path, with_branch: bool):
        metadata = MetaData()
        tables = add_platform_tables(metadata)
        self.replica = StandingReplica(metadata, with_branch=with_branch)
        self.engine = create_engine(f"sqlite:///{tmp_path}/standing.db")
        metadata.create_all(self.engine)
        self.app = Application("welfare", self.engine, make_session_factory(self.engine), tables)
        spec = self.replica.consumer("welfare-standing")
        self.applier = EventApplier(spec.name, "welfare", spec.registry, self.app.unit_of_work)

    def feed(self, payload, envelope=None) -> str:
        envelope = envelope or make_envelope(payload, aggregate_type="employer", aggregate_id=payload.npp,
                                             branch_code="KC-BINJAI", producer="contributions")
        return self.applier.apply(envelope)

    def rows(self) -> list[tuple]:
        with self.app.read_session() as session:
            return sorted(tuple(r) for r in session.execute(select(self.replica.table)).all())

    def ask(self, question: str, *args):
        with self.app.read_session() as session:
            return getattr(self.replica.queries(session), question)(*args)


@pytest.fixture
def welfare_like(tmp_path):
    service = Service(tmp_path, with_branch=False)
    yield service
    service.engine.dispose()


@pytest.fixture
def benefits_like(tmp_path):
    service = Service(tmp_path, with_branch=True)
    yield service
    service.engine.dispose()


def test_one_table_on_contributions_topic_with_the_branch_only_where_asked():
    plain, branched = StandingReplica(MetaData()), StandingReplica(MetaData(), with_branch=True)
    assert plain.table.name == branched.table.name == "rm_employer_standing"
    assert "branch_code" not in plain.table.c and "branch_code" in branched.table.c
    assert [c.name for c in plain.table.primary_key] == ["npp", "as_of"]
    assert plain.consumer("welfare-standing").source_services == ("contributions",)


@pytest.mark.rule("C-8")
def test_c8_one_row_per_employer_and_day_and_a_resent_payload_changes_nothing(benefits_like):
    s = benefits_like
    first = standing_changed(date(2024, 1, 16), True, 4_000_000)
    assert s.feed(first) == "applied"
    assert s.feed(standing_changed(date(2024, 1, 16), False)) == "applied"  # the same day recomputed
    assert s.feed(first) == "applied"  # the first payload again, under a new event id
    assert s.rows() == [(NPP, date(2024, 1, 16), "KC-BINJAI", True, False, 4_000_000)]
    envelope = make_envelope(first, aggregate_type="employer", aggregate_id=NPP, branch_code="KC-BINJAI",
                             producer="contributions")
    assert s.feed(first, envelope) == "applied"
    assert s.feed(first, envelope) == "duplicate"  # the same event redelivered


@pytest.mark.rule("C-8")
def test_c8_an_unset_day_is_the_day_the_event_happened(welfare_like):
    s = welfare_like
    payload = standing_changed(None, False)
    envelope = make_envelope(payload, aggregate_type="employer", aggregate_id=NPP, branch_code="KC-BINJAI", producer="contributions",
                             occurred_at=datetime(2025, 6, 2, 3, 0, tzinfo=UTC))
    assert s.feed(payload, envelope) == "applied"
    assert s.rows() == [(NPP, date(2025, 6, 2), False, True, 0)]


@pytest.mark.rule("C-8")
def test_c8_the_latest_standing_up_to_a_day(welfare_like):
    s = welfare_like
    for day, in_arrears, arrears in ((date(2025, 1, 6), False, 0), (date(2025, 3, 4), True, 1_500_000)):
        s.feed(standing_changed(day, in_arrears, arrears))
    s.feed(standing_changed(date(2025, 2, 1), False, npp=OTHER_NPP))
    assert s.ask("latest", NPP) == Standing(NPP, date(2025, 3, 4), False, True, 1_500_000)
    assert s.ask("latest", NPP, date(2025, 3, 3)) == Standing(NPP, date(2025, 1, 6), True, False, 0)
    assert s.ask("latest", NPP, date(2025, 1, 5)) is None
    assert s.ask("latest", "19999999") is None
    assert (s.ask("in_arrears_on", NPP, date(2025, 3, 3)), s.ask("in_arrears_on", NPP, date(2025, 3, 4))) == (False, True)
    assert s.ask("in_arrears_on", "19999999", date(2025, 3, 4)) is False


@pytest.mark.rule("B-JPK-6")
def test_b_jpk_6_arrears_paid_off_on_is_the_first_good_day_after_the_last_day_in_arrears(benefits_like):
    s = benefits_like
    for day, in_arrears in ((date(2024, 1, 16), True), (date(2024, 2, 1), True), (date(2024, 3, 5), False),
                            (date(2024, 3, 20), False), (date(2024, 4, 16), True), (date(2024, 5, 2), False)):
        s.feed(standing_changed(day, in_arrears, 100 if in_arrears else 0))
    assert s.ask("arrears_paid_off_on", NPP, date(2024, 1, 15)) is None  # nothing published yet
    assert s.ask("arrears_paid_off_on", NPP, date(2024, 2, 20)) is None  # in arrears, not paid off yet
    assert s.ask("arrears_paid_off_on", NPP, date(2024, 3, 31)) == date(2024, 3, 5)  # not the later good day
    assert s.ask("arrears_paid_off_on", NPP, date(2024, 4, 30)) is None  # in arrears again
    assert s.ask("arrears_paid_off_on", NPP, date(2024, 6, 1)) == date(2024, 5, 2)
    s.feed(standing_changed(date(2024, 1, 2), False, npp=OTHER_NPP))
    assert s.ask("arrears_paid_off_on", OTHER_NPP, date(2024, 6, 1)) is None  # never in arrears
