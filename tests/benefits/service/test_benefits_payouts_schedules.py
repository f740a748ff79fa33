"""Periodic benefits paid month by month by the daily payout (B-JKK-6): instalment n of a
schedule started on approval (2024-06-03) is due n months later; a run orders what is due
(a payment order each, approved with the schedule), a second run the same day orders
nothing, a run after missed days catches up; the orders are paid by the bank's files like
any other, a failed one re-issued (O-4). The module moves the service's today forward, so
it has a service of its own."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.benefits.v1 import payouts_pb2 as ppb
from tests.benefits.service.payout_file_support import e2e, export, get_order, import_status, pain002
from tests.benefits.service.support import FINANCE, TODAY, approved_total_disability, d, member, outbox, rid
from tests.service_harness import rule_of


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


def schedule_of(callers, claim_id: str) -> ppb.PaymentSchedule:
    [schedule] = callers.payouts(FINANCE).ListPaymentSchedules(ppb.ListPaymentSchedulesRequest(
        claim_id=claim_id)).schedules
    return schedule


def _day(value) -> str:
    return f"{value.year}-{value.month:02d}-{value.day:02d}"


def paid_numbers(callers, claim_id: str) -> list[tuple[int, str, str]]:
    """(number, due on, paid on) of the instalments whose orders are paid."""
    return [(i.number, _day(i.due_on), _day(i.paid_on)) for i in schedule_of(callers, claim_id).paid]


def ordered(callers, claim_id: str) -> list[tuple[int, str, ppb.PaymentOrder]]:
    """(number, due on, its order) of the instalments ordered and not yet paid."""
    return [(i.number, _day(i.due_on), get_order(callers, i.order_id)) for i in schedule_of(callers, claim_id).ordered]


def pay_through_the_bank(callers, orders: list[ppb.PaymentOrder], rejected: tuple[str, ...] = (),
                         on: str = "2024-10-05") -> ppb.ImportPayoutStatusResponse:
    """The orders exported in one file; the bank's pain.002 accepts them, rejects `rejected` (AC04)."""
    header, _ = export(callers, order_ids=tuple(o.order_id for o in orders))
    return import_status(callers, pain002(header.msg_id, [
        (e2e(o.order_id), "RJCT" if o.order_id in rejected else "ACSC", "AC04" if o.order_id in rejected else "", "")
        for o in orders], created=f"{on}T10:00:00+07:00"))


@pytest.mark.rule("B-JKK-6")
def test_b_jkk_6_the_daily_payout_orders_each_instalment_once_and_catches_up(service, feed, callers, day):
    claim = approved_total_disability(callers, member(feed)[0])
    assert run(callers, TODAY) == (0, 0)  # the first instalment falls due a month after approval
    day(date(2024, 7, 3))
    assert run(callers, date(2024, 7, 3)) == (1, 200_000)
    assert run(callers, date(2024, 7, 3)) == (0, 0)  # the same day again: nothing twice
    day(date(2024, 10, 5))  # the job did not run in August and September
    assert service.app.payouts.daily.run().instalments == 3  # the service's own run: 08-03, 09-03, 10-03
    assert service.app.payouts.daily.run().instalments == 0
    waiting = ordered(callers, claim.claim_id)
    assert [(n, due) for n, due, _ in waiting] == [(1, "2024-07-03"), (2, "2024-08-03"), (3, "2024-09-03"),
                                                   (4, "2024-10-03")]
    assert {(o.kind, o.state, o.amount.rupiah, o.schedule_id) for _, _, o in waiting} == {
        (ppb.PAYMENT_ORDER_KIND_INSTALMENT, ppb.PAYMENT_ORDER_STATE_APPROVED, 200_000,
         schedule_of(callers, claim.claim_id).schedule_id)}
    assert [o.instalment for _, _, o in waiting] == [1, 2, 3, 4] and paid_numbers(callers, claim.claim_id) == []


@pytest.mark.rule("B-JKK-6", "O-4")
def test_b_jkk_6_an_instalment_is_paid_by_the_bank_and_a_failed_one_reissued(service, feed, callers, day):
    claim = approved_total_disability(callers, member(feed)[0])
    day(date(2024, 10, 5))
    assert service.app.payouts.daily.run().instalments == 4  # 07-03 to 10-03
    first, second, third, fourth = [o for _, _, o in ordered(callers, claim.claim_id)]
    answer = pay_through_the_bank(callers, [first, second, third, fourth], rejected=(third.order_id,))
    assert (answer.paid, answer.failed) == (3, 1)
    assert paid_numbers(callers, claim.claim_id) == [
        (1, "2024-07-03", "2024-10-05"), (2, "2024-08-03", "2024-10-05"), (4, "2024-10-03", "2024-10-05")]
    assert schedule_of(callers, claim.claim_id).paid_total.rupiah == 600_000  # 3 x 200,000
    assert [n for n, _, _ in ordered(callers, claim.claim_id)] == [3]  # failed: still to pay
    assert 200_000 not in [e.amount.rupiah for e in outbox(service, benefits_events.ClaimPaid, claim.claim_id)]
    assert get_order(callers, third.order_id).failure_code == "AC04"

    new = callers.payouts(FINANCE, user="fin-ani").ReissuePaymentOrder(ppb.ReissuePaymentOrderRequest(
        request_id=rid(), order_id=third.order_id)).order
    assert (new.kind, new.instalment, new.attempt, new.state) == (
        ppb.PAYMENT_ORDER_KIND_INSTALMENT, 3, 2, ppb.PAYMENT_ORDER_STATE_PENDING_APPROVAL)
    with pytest.raises(grpc.RpcError) as own:
        callers.payouts(FINANCE, user="fin-ani").ApprovePaymentOrder(ppb.ApprovePaymentOrderRequest(
            request_id=rid(), order_id=new.order_id))
    assert rule_of(own.value) == "O-4"
    approved = callers.payouts(FINANCE, user="fin-budi").ApprovePaymentOrder(ppb.ApprovePaymentOrderRequest(
        request_id=rid(), order_id=new.order_id)).order
    assert pay_through_the_bank(callers, [approved]).paid == 1
    assert (3, "2024-09-03", "2024-10-05") in paid_numbers(callers, claim.claim_id)
    assert schedule_of(callers, claim.claim_id).paid_total.rupiah == 800_000
    assert service.app.payouts.daily.run().instalments == 0  # a paid (or re-issued) instalment is not ordered again


@pytest.mark.rule("B-JKK-6")
def test_b_jkk_6_a_schedule_ends_after_its_last_month(service, feed, callers, day):
    claim = approved_total_disability(callers, member(feed)[0])
    day(date(2027, 1, 1))  # 24 months after 2024-06-03 is 2026-06-03
    service.app.payouts.daily.run()
    numbers = [n for n, _, _ in ordered(callers, claim.claim_id)]
    assert numbers == list(range(1, 25))
    assert service.app.payouts.daily.run().instalments == 0


def test_finance_of_another_branch_orders_none_of_this_branch_and_the_future_is_refused(service, feed, callers, day):
    claim = approved_total_disability(callers, member(feed)[0])
    day(date(2024, 7, 4))
    before = schedule_of(callers, claim.claim_id)
    assert run(callers, date(2024, 7, 4), office="KC-MEDAN") == (0, 0)
    assert schedule_of(callers, claim.claim_id) == before
    with pytest.raises(grpc.RpcError) as ahead:
        run(callers, date(2024, 7, 5))
    assert ahead.value.code() == grpc.StatusCode.INVALID_ARGUMENT
