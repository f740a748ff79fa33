"""RecomputeStanding (C-8) and RunYearlyReturns (C-9) in batches, each its own transaction:
a run killed between two batches (a fault injected after a commit) and then sent again
resumes where it stopped and ends with exactly the standings, events and ledger of a run
that was never interrupted; the answer shows the run's progress."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.contributions.v1 import events_pb2, ledger_pb2, ledger_pb2_grpc, standing_pb2, standing_pb2_grpc
from services.contributions.adapters import ledger_store
from services.contributions.domain.jht_ledger import post_contribution
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import BINJAI, add_bill, add_employer, events, ledger_rows, set_today

NPPS = [f"9900001{i}" for i in range(5)]
KPJS = [f"1100000000{i}" for i in range(1, 6)]
BATCH = 2  # five items: batches of 2, 2 and 1
NEVER, AFTER_FIRST, AFTER_SECOND = None, 1, 2


class Killed(RuntimeError):
    """The process dies between two batches (after one committed, before the next began)."""


def kill_after(batches: int | None):
    def after_batch(progress) -> None:
        if progress.batches_done == batches:
            raise Killed(f"killed after batch {batches}")
    return after_batch


def interrupted_then_resumed(use_cases, kill_at: int | None, call, status):
    """`call()` with a kill after batch `kill_at` (None: none), then again, as a client
    retries; in between the run's status (`status()`) shows the batches that committed."""
    use_cases.after_batch = kill_after(kill_at)
    if kill_at is not None:
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)
        cut = status().progress
        assert (cut.batches_done, cut.items_done, cut.items_total, cut.complete, cut.attempts) == (
            kill_at, BATCH * kill_at, 5, False, 1)
        use_cases.after_batch = kill_after(None)
    answer = call()
    assert status().progress == answer.progress  # the run's status is the answer's
    return answer


@pytest.fixture
def standing(contributions, as_user):
    set_today(contributions, date(2021, 6, 30))
    contributions.app.ctx.run_batch_size = BATCH
    for i, npp in enumerate(NPPS):
        add_employer(contributions, npp)
        # The third employer's January bill is due today (not late); the others' 107 days ago.
        due = date(2021, 6, 30) if i == 2 else date(2021, 3, 15)
        add_bill(contributions, Period(2021, 1), 1_000 * (i + 1), due, npp=npp)
    return as_user(BINJAI, "ADMINISTRATION_OFFICER")(standing_pb2_grpc.StandingServiceStub)


@pytest.mark.rule("C-8")
@pytest.mark.parametrize("kill_at", [NEVER, AFTER_FIRST, AFTER_SECOND])
def test_c8_a_recompute_killed_between_batches_resumes_and_announces_each_employer_once(contributions, standing,
                                                                                       as_user, kill_at):
    def recompute():
        return standing.RecomputeStanding(standing_pb2.RecomputeStandingRequest(request_id="daily", branch_code=BINJAI))

    def status():
        return standing.GetStandingRun(standing_pb2.GetStandingRunRequest(request_id="daily"))

    with pytest.raises(grpc.RpcError) as err:  # not started yet
        status()
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    answer = interrupted_then_resumed(contributions.app.standing, kill_at, recompute, status)
    # Arrears: 1,000 x (i + 1) rupiah, 107 days past due, but the third employer's (due today).
    expected = [(NPPS[0], True, 1_000), (NPPS[1], True, 2_000), (NPPS[2], False, 0), (NPPS[3], True, 4_000),
                (NPPS[4], True, 5_000)]
    assert answer.evaluated == 5
    assert [(c.npp, c.in_arrears, c.arrears.rupiah) for c in answer.changed] == expected
    assert [(e.npp, e.in_arrears, e.arrears.rupiah) for e in events(contributions, events_pb2.StandingChanged)] == expected
    p = answer.progress
    assert (p.batches_done, p.items_done, p.items_total, p.last_key, p.complete) == (3, 5, 5, NPPS[4], True)
    assert (p.resumed, p.attempts) == ((False, 1) if kill_at is None else (True, 2))
    assert recompute() == answer  # the stored answer: nothing recomputed again
    again = standing.RecomputeStanding(standing_pb2.RecomputeStandingRequest(request_id="next", branch_code=BINJAI))
    assert (again.evaluated, list(again.changed), again.progress.resumed, again.progress.batches_done) == (5, [], False, 3)
    assert len(events(contributions, events_pb2.StandingChanged)) == 5
    colleague = as_user(BINJAI, "ADMINISTRATION_OFFICER", user="another")(standing_pb2_grpc.StandingServiceStub)
    with pytest.raises(grpc.RpcError) as err:  # a run is its caller's: the same request id of another is not it
        colleague.GetStandingRun(standing_pb2.GetStandingRunRequest(request_id="daily"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.fixture
def head_office(contributions, as_user):
    """Five members with 1,000,000 x (i + 1) rupiah of JHT by mid-2010; the 2011 run (10.10%)."""
    set_today(contributions, date(2012, 1, 5))
    contributions.app.ctx.run_batch_size = BATCH
    with contributions.app.ctx.base.unit_of_work() as uow:
        for i, kpj in enumerate(KPJS):
            ledger_store.insert_posting(uow.session, post_contribution(kpj, 1_000_000 * (i + 1), Period(2010, 5),
                                                                       date(2010, 6, 10)), kpj, BINJAI)
        uow.commit()
    return as_user("KP", "HEAD_OFFICE_ADMIN")(ledger_pb2_grpc.JhtLedgerServiceStub)


@pytest.mark.rule("C-9")
@pytest.mark.parametrize("kill_at", [NEVER, AFTER_FIRST, AFTER_SECOND])
def test_c9_yearly_returns_killed_between_batches_resume_and_credit_each_member_once(contributions, head_office,
                                                                                     kill_at):
    def run(request_id: str):
        return head_office.RunYearlyReturns(ledger_pb2.RunYearlyReturnsRequest(request_id=request_id, year=2011))

    def status():
        return head_office.GetYearlyReturnsRun(ledger_pb2.GetYearlyReturnsRunRequest(year=2011))

    answer = interrupted_then_resumed(contributions.app.ledger, kill_at, lambda: run("returns-2011"), status)
    # A whole year on the opening balance: 12 x 10.10% / 12 of 1,000,000 x (i + 1).
    returns = [101_000, 202_000, 303_000, 404_000, 505_000]
    assert (answer.rate_bp, answer.members_credited, answer.total_credited.rupiah, answer.already_run) == (
        1010, 5, 1_515_000, False)
    p = answer.progress
    assert (p.run_id, p.batches_done, p.items_done, p.items_total, p.last_key, p.complete) == (
        "JHT-RETURNS/2011", 3, 5, 5, f"member:{KPJS[4]}", True)
    assert (p.resumed, p.attempts) == ((False, 1) if kill_at is None else (True, 2))
    credited = [(r.kpj, -int(r.amount_rupiah)) for r in sorted(ledger_rows(contributions), key=lambda r: r.kpj)
                if r.kind == "RETURN" and r.account.startswith("member:")]
    assert credited == list(zip(KPJS, returns, strict=True))  # each member once
    assert sum(int(r.amount_rupiah) for r in ledger_rows(contributions)) == 0  # double entry holds
    assert [(e.kpj, e.amount.rupiah) for e in events(contributions, events_pb2.JhtCredited)] == list(zip(KPJS, returns, strict=True))
    assert run("returns-2011") == answer
    later = run("another-request")
    assert (later.already_run, later.members_credited, later.total_credited.rupiah) == (True, 0, 0)


@pytest.mark.rule("C-9")
def test_c9_another_request_for_the_year_continues_the_run_a_kill_cut_off(contributions, head_office):
    contributions.app.ledger.after_batch = kill_after(AFTER_FIRST)
    with pytest.raises(grpc.RpcError):
        head_office.RunYearlyReturns(ledger_pb2.RunYearlyReturnsRequest(request_id="first", year=2011))
    contributions.app.ledger.after_batch = kill_after(None)
    answer = head_office.RunYearlyReturns(ledger_pb2.RunYearlyReturnsRequest(request_id="second", year=2011))
    assert (answer.members_credited, answer.total_credited.rupiah, answer.progress.resumed) == (5, 1_515_000, True)
    assert len(events(contributions, events_pb2.JhtCredited)) == 5
