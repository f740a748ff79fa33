"""The read model welfare keeps of membership's, contributions' and benefits' events: what
the rules need, and idempotent against redelivery (the inbox drops a repeated event id;
the handlers' upserts make the same payload with a new event id change nothing)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from services.chassis.context import Principal, request_context
from services.chassis.scope import BranchScope
from services.welfare.adapters import tables
from services.welfare.adapters.member_repository import MemberRepository
from tests.contributions.service.read_model_support import worker_transferred
from tests.welfare.service.support import (
    member_deceased, member_disabled, new_kpj, standing_changed, wage_changed, worker_died, worker_enrolled,
    worker_terminated,
)

RM = [tables.rm_employers, tables.rm_employer_standing, tables.rm_workers, tables.rm_employments,
      tables.rm_worker_wages, tables.rm_member_incidents]


def rows(welfare) -> dict[str, list]:
    with welfare.runtime.app.ctx.base.read_session() as session:
        return {t.name: sorted(map(tuple, session.execute(select(t)).all()), key=repr) for t in RM}


def facts(welfare, kpj: str, on: date = date(2025, 6, 2)):
    system = Principal("test", "KP", "HEAD", frozenset(), kind="system")
    with request_context(system, None), welfare.runtime.app.ctx.base.read_session() as session:
        return MemberRepository(session, BranchScope(system, None, None)).worker_unscoped(kpj, on)


@pytest.mark.rule("W-S-2", "W-K-1", "C-8")
def test_every_consumed_event_applied_again_with_a_new_event_id_changes_nothing(welfare):
    npp = welfare.employer()
    kpj = new_kpj()
    events = [worker_enrolled(kpj, npp, 4_000_000, start=date(2020, 2, 3)),
              wage_changed(kpj, npp, 4_500_000, date(2025, 1, 1)), standing_changed(npp, False, date(2025, 5, 1)),
              member_disabled(kpj, npp), member_deceased(kpj, npp), worker_terminated(kpj, npp, date(2025, 5, 31)),
              worker_died(kpj, npp, date(2025, 6, 1))]
    assert welfare.feed(*events) == ["applied"] * len(events)
    before = rows(welfare)
    assert welfare.feed(*events) == ["applied"] * len(events)  # new event ids: past the inbox
    assert rows(welfare) == before


@pytest.mark.rule("W-S-2")
def test_a_transfer_keeps_the_membership_and_moves_the_member(welfare):
    first, second = welfare.employer(), welfare.employer(branch="KC-MEDAN")
    kpj = welfare.worker(first, start=date(2019, 4, 1))
    welfare.feed(worker_transferred(kpj, second, first, 5_000_000, date(2024, 10, 1), branch="KC-MEDAN"))
    moved = facts(welfare, kpj)
    assert (moved.npp, moved.branch_code, moved.member_since, moved.monthly_wage_rupiah) == (
        second, "KC-MEDAN", date(2019, 4, 1), 5_000_000)
    assert facts(welfare, kpj, date(2024, 9, 30)).monthly_wage_rupiah == 4_000_000


@pytest.mark.rule("W-S-2")
def test_termination_death_and_work_accidents_reach_the_facts(welfare):
    npp = welfare.employer()
    kpj = welfare.worker(npp)
    welfare.feed(worker_terminated(kpj, npp, date(2025, 5, 31)))
    assert facts(welfare, kpj).status == "NON_ACTIVE"
    welfare.feed(member_deceased(kpj, npp, work_accident=False))
    assert not facts(welfare, kpj).work_accident_victim  # a death outside work opens no second path
    welfare.feed(member_disabled(kpj, npp, work_accident=True))
    assert facts(welfare, kpj).work_accident_disability


@pytest.mark.rule("C-8")
def test_the_latest_standing_counts(welfare):
    npp = welfare.employer(good=None)
    welfare.feed(standing_changed(npp, True, date(2025, 6, 1)), standing_changed(npp, False, date(2025, 3, 1)))
    system = Principal("test", "KP", "HEAD", frozenset(), kind="system")
    with request_context(system, None), welfare.runtime.app.ctx.base.read_session() as session:
        employer = MemberRepository(session, BranchScope(system, None, None)).employer_unscoped(npp)
    assert (employer.good_standing, employer.standing_as_of) == (True, date(2025, 6, 1))
