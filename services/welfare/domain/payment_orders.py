"""Welfare's payment orders: what a disbursement pays through the bank (W-S-1 a scholarship's
scheduled payment; W-K-3, W-M-1 a loan's principal; W-P-4 a PUMP's transfer to the
developer). The steps are the chassis's `OrderLife`; welfare asks four eyes of every
order (O-4): who made the disbursement does not approve its order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.errors import RuleViolation
from services.chassis.payment_orders import BankAccount, OrderLife, OrderState

from .programs import TRANSFER_RULE, Program
from .scholarships import ScholarshipApplication, ScholarshipStatus

# The rule each program's payment answers to.
PAYMENT_RULE = {Program.SCHOLARSHIP: "W-S-1", **TRANSFER_RULE}


@dataclass(frozen=True)
class WelfarePaymentOrder(OrderLife):
    order_id: str
    program: Program
    application_id: str  # the scholarship, loan or PUMP application paid
    number: int  # the scholarship's payment number; 0 for a loan's or PUMP's disbursement
    branch_code: str
    beneficiary: BankAccount
    amount: int
    created_on: date
    created_by: str

    @property
    def rule_id(self) -> str:
        return PAYMENT_RULE[self.program]

    def approve_by(self, by: str, on_day: date) -> WelfarePaymentOrder:
        """O-4: never by its creator, nor (a re-issue) by who re-issued it."""
        return self.approve(by, on_day, created_by=self.created_by)

    @property
    def remittance(self) -> str:
        what = f"payment {self.number}" if self.number else "disbursement"
        return f"{self.program.value} {self.application_id} {what}"


def scholarship_payment_to_order(application: ScholarshipApplication, number: int,
                                 ordered: list[WelfarePaymentOrder]) -> int:
    """W-S-1: the amount of payment `number`, which is still unpaid and has no live order
    (`ordered`: the orders of the application's payment so far)."""
    if application.status is not ScholarshipStatus.AWARDED:
        raise RuleViolation("W-S-1", f"scholarship {application.application_id} is {application.status.value}, "
                                     f"not AWARDED", code="NOT_AWARDED")
    payment = next((p for p in application.payments if p.number == number), None)
    if payment is None:
        raise RuleViolation("W-S-1", f"the award has payments 1..{len(application.payments)}, not {number}",
                            code="NO_SUCH_PAYMENT")
    if payment.paid_on is not None:
        raise RuleViolation("W-S-1", f"payment {number} was paid on {payment.paid_on.isoformat()}",
                            code="PAYMENT_ALREADY_PAID")
    if ordered:
        raise RuleViolation("W-S-1", f"payment {number} already has payment order {ordered[0].order_id} "
                                     f"({ordered[0].state.value}); re-issue a failed one instead",
                            code="PAYMENT_ALREADY_ORDERED")
    return payment.amount


__all__ = ["PAYMENT_RULE", "BankAccount", "OrderState", "WelfarePaymentOrder", "scholarship_payment_to_order"]
