"""Benefits' read model from membership's and contributions' events, through the consumers'
own appliers: the facts claims are decided on, and every handler idempotent, also against a
re-sent event under a new event id (M-3, M-4, M-6, M-8, C-8, B-JPK-6)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jamsos.membership.v1 import events_pb2, workers_pb2
from services.benefits.adapters.read_model_store import ReadModelStore
from services.benefits.adapters.tables import membership, standing
from tests.benefits.service.support import (
    SERVICE, at, d, employer_registered, fresh_ids, jkk_request, member, rp, standing_changed, terminated, worker,
)


def facts(service, kpj):
    with service.app.ctx.base.read_session() as session:
        return ReadModelStore(session).member_facts(kpj)


READ_MODEL = {"workers": membership.tables.workers, "employments": membership.tables.employments,
              "wages": membership.tables.wages, "family": membership.tables.family,
              "employers": membership.tables.employers, "standing": standing.table}


def rows(service) -> dict[str, list]:
    with service.app.ctx.base.read_session() as session:
        return {name: sorted(map(tuple, session.execute(select(t)).all()), key=repr) for name, t in READ_MODEL.items()}


@pytest.mark.rule("M-3", "M-8")
def test_m3_a_transfer_keeps_the_membership_and_an_accident_belongs_to_the_employer_of_its_day(service, feed, callers):
    kpj, first = member(feed, start=date(2012, 2, 1))
    _, second = fresh_ids()
    moved = events_pb2.WorkerTransferred(worker=worker(kpj, second, born=date(1980, 5, 17), start=date(2023, 9, 1)),
                                         previous_npp=first, previous_branch_code="KC-BINJAI",
                                         previous_end_date=d(date(2023, 8, 31)))
    assert feed(employer_registered(second), moved) == ["applied", "applied"]
    member_facts = facts(service, kpj)
    assert (member_facts.member_since, member_facts.npp) == (date(2012, 2, 1), second)
    assert [(e.npp, e.start_date, e.end_date) for e in member_facts.employments] == [
        (first, date(2012, 2, 1), date(2023, 8, 31)), (second, date(2023, 9, 1), None)]
    claim = callers.claims(SERVICE).SubmitClaim(jkk_request(kpj, at(2023, 5, 2))).claim
    assert claim.npp == first  # the accident of May 2023 happened at the first employer


@pytest.mark.rule("M-8")
def test_m8_termination_and_death_are_recorded(service, feed):
    kpj, npp = member(feed, start=date(2012, 2, 1), left_on=date(2024, 1, 31))
    left = facts(service, kpj)
    assert (left.status, left.end_date, left.employments[0].end_date) == ("NON_ACTIVE", date(2024, 1, 31),
                                                                         date(2024, 1, 31))
    assert feed(events_pb2.WorkerDied(kpj=kpj, npp=npp, death_date=d(date(2024, 3, 2)))) == ["applied"]
    assert (facts(service, kpj).status, facts(service, kpj).death_date) == ("DECEASED", date(2024, 3, 2))


@pytest.mark.rule("C-8", "B-JPK-6")
def test_c8_the_standing_history_tells_when_arrears_were_paid_off(service, feed):
    _, npp = member(feed)
    history = [standing_changed(npp, date(2024, 1, 16), True, 4_000_000),
               standing_changed(npp, date(2024, 3, 5), False), standing_changed(npp, date(2024, 4, 16), True, 100),
               standing_changed(npp, date(2024, 5, 2), False)]
    assert feed(*history, producer="contributions") == ["applied"] * 4
    with service.app.ctx.base.read_session() as session:
        store = ReadModelStore(session)
        assert store.arrears_paid_off_on(npp, date(2024, 3, 31)) == date(2024, 3, 5)
        assert store.arrears_paid_off_on(npp, date(2024, 4, 30)) is None  # in arrears again, not paid off yet
        assert store.arrears_paid_off_on(npp, date(2024, 6, 1)) == date(2024, 5, 2)


def test_every_handler_is_idempotent_against_a_resent_event(service, feed):
    kpj, npp = fresh_ids()
    events = [employer_registered(npp),
              events_pb2.WorkerEnrolled(worker=worker(kpj, npp, born=date(1975, 1, 1), start=date(2010, 1, 4))),
              events_pb2.WorkerWageChanged(kpj=kpj, npp=npp, monthly_wage=rp(7_000_000), effective_date=d(date(2020, 1, 1))),
              events_pb2.WorkerFamilyChanged(kpj=kpj, npp=npp, marital_status=workers_pb2.MARITAL_STATUS_MARRIED,
                                             members=[workers_pb2.FamilyMember(
                                                 name="Ani", relation=workers_pb2.RELATION_SPOUSE,
                                                 birth_date=d(date(1978, 2, 2)))]),
              terminated(kpj, npp, date(2024, 2, 29)),
              events_pb2.WorkerDied(kpj=kpj, npp=npp, death_date=d(date(2024, 5, 1)))]
    for event in events:
        assert feed(event) == ["applied"]
        once = rows(service)
        assert feed(event) == ["applied"]  # the same payload again, under a new event id
        assert rows(service) == once, event.DESCRIPTOR.name
    assert feed(standing_changed(npp, date(2024, 1, 16), True, 10), producer="contributions") == ["applied"]
    once = rows(service)
    assert feed(standing_changed(npp, date(2024, 1, 16), True, 10), producer="contributions") == ["applied"]
    assert rows(service) == once
