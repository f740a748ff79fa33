"""Periodic benefits paid month by month by the daily payout (B-JKK-6): instalment n of a
schedule started on approval (2024-06-03) is due n months later; a run pays what is due,
a second run the same day pays nothing, a run after missed days catches up. The module
moves the service's today forward, so it has a service of its own."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import payouts_pb2 as ppb
from tests.benefits.service.support import FINANCE, TODAY, approved_total_disability, d, member, rid


@pytest.fixture
def day(service):
    """Set the service's today for one test; back to TODAY afterwards."""
    def move(to: date) -> None:
        service.app.ctx.today = lambda: to
    yield move
    service.app.ctx.today = lambda: TODAY


def run(callers, on: date, office: str = "KC-BINJAI") -> tuple[int, int]:
    answer = callers.payouts(FINANCE, office=office).RunDailyPayout(ppb.RunDailyPayoutRequest(
        request_id=rid("run"), on_date=d(on)))
    return answer.instalments_paid, answer.amount_paid.rupiah


def paid_numbers(callers, claim_id: str) -> list[tuple[int, str, str]]:
    [schedule] = callers.payouts(FINANCE).ListPaymentSchedules(ppb.ListPaymentSchedulesRequest(
        claim_id=claim_id)).schedules
    return [(i.number, f"{i.due_on.year}-{i.due_on.month:02d}-{i.due_on.day:02d}",
             f"{i.paid_on.year}-{i.paid_on.month:02d}-{i.paid_on.day:02d}") for i in schedule.paid]


@pytest.mark.rule("B-JKK-6")
def test_b_jkk_6_the_daily_payout_pays_each_instalment_once_and_catches_up(service, feed, callers, day):
    claim = approved_total_disability(callers, member(feed)[0])
    assert run(callers, TODAY) == (0, 0)  # the first instalment falls due a month after approval
    day(date(2024, 7, 3))
    assert run(callers, date(2024, 7, 3)) == (1, 200_000)
    assert run(callers, date(2024, 7, 3)) == (0, 0)  # the same day again: nothing twice
    day(date(2024, 10, 5))  # the job did not run in August and September
    assert service.app.payouts.daily.run().instalments == 3  # the service's own run: 08-03, 09-03, 10-03
    assert service.app.payouts.daily.run().instalments == 0
    assert paid_numbers(callers, claim.claim_id) == [
        (1, "2024-07-03", "2024-07-03"), (2, "2024-08-03", "2024-10-05"), (3, "2024-09-03", "2024-10-05"),
        (4, "2024-10-03", "2024-10-05")]
    [schedule] = callers.payouts(FINANCE).ListPaymentSchedules(ppb.ListPaymentSchedulesRequest(
        claim_id=claim.claim_id)).schedules
    assert schedule.paid_total.rupiah == 800_000  # 4 x 200,000


@pytest.mark.rule("B-JKK-6")
def test_b_jkk_6_a_schedule_ends_after_its_last_month(service, feed, callers, day):
    claim = approved_total_disability(callers, member(feed)[0])
    day(date(2027, 1, 1))  # 24 months after 2024-06-03 is 2026-06-03
    service.app.payouts.daily.run()
    numbers = [n for n, _, _ in paid_numbers(callers, claim.claim_id)]
    assert numbers == list(range(1, 25))
    assert service.app.payouts.daily.run().instalments == 0


def test_finance_of_another_branch_pays_none_of_this_branch_and_the_future_is_refused(service, feed, callers, day):
    claim = approved_total_disability(callers, member(feed)[0])
    day(date(2024, 7, 4))
    before = paid_numbers(callers, claim.claim_id)
    assert run(callers, date(2024, 7, 4), office="KC-MEDAN") == (0, 0)
    assert paid_numbers(callers, claim.claim_id) == before
    with pytest.raises(grpc.RpcError) as ahead:
        run(callers, date(2024, 7, 5))
    assert ahead.value.code() == grpc.StatusCode.INVALID_ARGUMENT
