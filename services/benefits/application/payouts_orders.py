"""Finance's side of a payout (O-3): approve a payment order, mark it paid (the claim is then
PAID and ClaimPaid published), re-issue a failed one to a corrected account (approved by
another officer, O-4), and read orders and schedules in the caller's branches (O-2)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from services.benefits.adapters.claim_repository import ClaimRepository
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.application.claim_events import (
    claim_paid, emit_claim, emit_order, payment_order_failed, payment_order_paid,
)
from services.benefits.application.claims_submission import actor_of, now
from services.benefits.domain.claims import ClaimState
from services.benefits.domain.payouts import BankAccount, OrderKind, OrderState, PaymentOrder, PaymentSchedule
from services.chassis.errors import InvalidArgument
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ScheduleView:
    schedule: PaymentSchedule
    paid: tuple[tuple[int, date, date, int, str], ...]  # (number, due on, paid on, amount, order id)
    ordered: tuple[tuple[int, date, int, str], ...] = ()  # not paid yet: (number, due on, amount, order id)


class PaymentOrders:
    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None]):
        self.ctx = ctx
        self.on_change = on_change

    def approve(self, uow: UnitOfWork, scope: BranchScope, order_id: str) -> PaymentOrder:
        payouts = PayoutRepository(uow.session, scope)
        order = payouts.writable_order(order_id).approve(scope.principal.user_id, self.ctx.today())
        payouts.save_order(order)
        uow.audit("payment_order.approve", order_id, {"claim_id": order.claim_id, "amount": order.amount})
        uow.count("payment_order_approved")
        return order

    def mark_paid(self, uow: UnitOfWork, scope: BranchScope, order_id: str, paid_on: date | None,
                  bank_reference: str) -> PaymentOrder:
        today = self.ctx.today()
        day = paid_on or today
        if day > today:
            raise InvalidArgument.field("paid_on", f"{day.isoformat()} is in the future")
        payouts = PayoutRepository(uow.session, scope)
        order = payouts.writable_order(order_id).mark_paid(scope.principal.user_id, day, bank_reference)
        record_paid(uow, scope, payouts, order, self.on_change)
        return order

    def reissue(self, uow: UnitOfWork, scope: BranchScope, order_id: str,
                beneficiary: BankAccount | None) -> PaymentOrder:
        """A failed order again, for the same claim and amount, to the corrected account; it
        waits for approval by an officer other than the one who re-issued it (O-4)."""
        payouts = PayoutRepository(uow.session, scope)
        failed, new = payouts.writable_order(order_id).reissue(uuid7(), beneficiary, scope.principal.user_id,
                                                               self.ctx.today())
        payouts.save_order(failed)
        payouts.add_order(new)
        uow.audit("payment_order.reissue", new.order_id, {
            "reissue_of": order_id, "claim_id": new.claim_id, "amount": new.amount,
            "failure_code": failed.failure_code, "account_changed": failed.beneficiary != new.beneficiary})
        uow.count("payment_order_reissued")
        return new

    def get(self, scope: BranchScope, order_id: str) -> PaymentOrder:
        with self.ctx.base.read_session() as session:
            return PayoutRepository(session, scope).readable_order(order_id)

    def list(self, scope: BranchScope, *, branch_code: str | None, state: OrderState | None, before_id: str | None,
             size: int) -> tuple[list[PaymentOrder], str | None]:
        with self.ctx.base.read_session() as session:
            found = PayoutRepository(session, scope).page_orders(branch_code=branch_code, state=state,
                                                                 before_id=before_id, limit=size + 1)
        return found[:size], (found[size - 1].order_id if len(found) > size else None)

    def schedules(self, scope: BranchScope, claim_id: str) -> list[ScheduleView]:
        with self.ctx.base.read_session() as session:
            ClaimRepository(session, scope).readable_claim(claim_id)  # O-2: another branch's claim is NotFound
            payouts = PayoutRepository(session, scope)
            schedules = payouts.schedules_of_claim(claim_id)
            paid = payouts.paid_instalments(s.schedule_id for s in schedules)
        return [ScheduleView(s, tuple((r.number, r.due_on, r.paid_on, int(r.amount), r.order_id or "")
                                      for r in paid[s.schedule_id] if r.paid_on is not None),
                             tuple((r.number, r.due_on, int(r.amount), r.order_id or "")
                                   for r in paid[s.schedule_id] if r.paid_on is None))
                for s in schedules]


def record_paid(uow: UnitOfWork, scope: BranchScope, payouts: PayoutRepository, order: PaymentOrder,
                on_change: Callable[[], None]) -> None:
    """An order just marked paid (by hand or by the bank's status report): saved, and its
    claim PAID with ClaimPaid when it was still waiting for the money."""
    assert order.paid_on is not None
    payouts.save_order(order)
    emit_order(uow, order, payment_order_paid(order))
    if order.kind is OrderKind.INSTALMENT:  # one month of a periodic benefit: the claim was paid by its own order
        payouts.instalment_paid(order)
        uow.audit("payment_order.paid", order.order_id, {"claim_id": order.claim_id, "amount": order.amount,
                                                         "paid_on": order.paid_on, "instalment": order.instalment,
                                                         "bank_reference": order.bank_reference})
        uow.count("payment_order_paid")
        return
    claims = ClaimRepository(uow.session, scope)
    before = claims.writable_claim(order.claim_id)
    if before.state is ClaimState.APPROVED:
        paid = before.mark_paid(order.paid_on, actor_of(scope), now(),
                                f"payment order {order.order_id}, {order.bank_reference}")
        claims.save(before, paid)
        emit_claim(uow, paid, claim_paid(paid, order.amount, order.paid_on))
        uow.after_commit(on_change)
    uow.audit("payment_order.paid", order.order_id, {"claim_id": order.claim_id, "amount": order.amount,
                                                     "paid_on": order.paid_on, "bank_reference": order.bank_reference})
    uow.count("payment_order_paid")


def record_failed(uow: UnitOfWork, payouts: PayoutRepository, order: PaymentOrder, source: str) -> None:
    """An order the bank just rejected: saved FAILED, PaymentOrderFailed published."""
    payouts.save_order(order)
    emit_order(uow, order, payment_order_failed(order))
    uow.audit("payment_order.failed", order.order_id, {
        "claim_id": order.claim_id, "amount": order.amount, "payout_file": order.exported_in,
        "reason_code": order.failure_code, "reason": order.failure_reason, "source": source})
    uow.count("payment_order_failed")
