"""What an approved claim is paid through: a payment order for what is paid at once and a
schedule per periodic benefit (B-JKK-6, B-JKK-7, B-JK-1); for JHT the order of the settled
balance (B-JHT-1). Each exists once per claim (unique keys), so a retried approval or a
redelivered JhtSettled never opens a second one."""
from __future__ import annotations

from datetime import date

from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.domain.claims import Claim
from services.benefits.domain.payouts import OrderKind, PaymentOrder, PaymentSchedule
from services.chassis.ids import uuid7


def order_for(claim: Claim, kind: OrderKind, amount: int, today: date) -> PaymentOrder:
    return PaymentOrder(order_id=uuid7(), claim_id=claim.claim_id, kpj=claim.kpj, branch_code=claim.branch_code,
                        kind=kind, beneficiary=claim.beneficiary, amount=amount, created_on=today)


def open_payouts(payouts: PayoutRepository, claim: Claim, today: date) -> tuple[PaymentOrder | None,
                                                                                tuple[PaymentSchedule, ...]]:
    """On approval (JKK, JK, JPK): the lump-sum order (none for Rp0) and the schedules."""
    assert claim.approved_on is not None and claim.assessment is not None
    order = None
    if claim.payable_now > 0 and payouts.order_of_claim(claim.claim_id, OrderKind.LUMP_SUM) is None:
        order = order_for(claim, OrderKind.LUMP_SUM, claim.payable_now, today)
        payouts.add_order(order)
    schedules = tuple(PaymentSchedule(
        schedule_id=uuid7(), claim_id=claim.claim_id, kpj=claim.kpj, branch_code=claim.branch_code, code=p.code,
        rule_id=p.rule_id, monthly=p.monthly, months=p.months, starts_on=claim.approved_on,
        beneficiary=claim.beneficiary) for p in claim.assessment.periodic if p.months > 0 and p.monthly > 0)
    for schedule in schedules:
        payouts.add_schedule(schedule)
    return order, schedules
