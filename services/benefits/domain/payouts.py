"""Paying an approved claim: payment orders and periodic schedules.

A payment order is what finance pays at once: the assessed lump sum on approval, or for JHT
the balance contributions settled (B-JHT-1). Finance approves it, then marks it paid (O-3:
the finance officer pays out), or sends it to the bank in a payout file (EXPORTED) whose
status report marks it PAID or FAILED with the bank's reason. A FAILED order is re-issued,
once, as a new order for the same claim with the corrected account; the re-issue is the
officer's work, so another officer approves it (O-4). A periodic benefit (Rp200,000 a month for 24 months,
B-JKK-6, B-JKK-7, B-JK-1) is a schedule: instalment n falls due n months after approval,
and the daily payout orders every instalment due and not yet ordered (an INSTALMENT order,
approved with the schedule, paid like any other), so a run that missed days catches up and
a second run on the same day orders nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from services.chassis.payment_orders import (
    ACCOUNT_DIGITS, BANK_MAX, FAILURE_CODE_MAX, FAILURE_REASON_MAX, HOLDER_MAX, REFERENCE_MAX, BankAccount, OrderLife,
    OrderState, bank_account,
)

from .dates import add_months

__all__ = ["ACCOUNT_DIGITS", "BANK_MAX", "FAILURE_CODE_MAX", "FAILURE_REASON_MAX", "HOLDER_MAX", "REFERENCE_MAX",
           "BankAccount", "OrderKind", "OrderState", "PaymentOrder", "PaymentSchedule", "bank_account"]

class OrderKind(str, Enum):
    LUMP_SUM = "LUMP_SUM"  # the assessed items of a JKK, JK or JPK claim
    JHT_BALANCE = "JHT_BALANCE"  # the whole JHT balance contributions settled
    INSTALMENT = "INSTALMENT"  # one instalment of a periodic schedule, ordered by the daily payout


@dataclass(frozen=True)
class PaymentOrder(OrderLife):
    """What finance pays for a claim: its steps are the chassis's `OrderLife` (approve,
    exported, failed, reissue, mark_paid); a re-issue is attempt n + 1 of the same claim
    and kind."""

    order_id: str
    claim_id: str
    kpj: str
    branch_code: str
    kind: OrderKind
    beneficiary: BankAccount  # the member, or for a death claim the heir (B-JK-1)
    amount: int
    created_on: date
    schedule_id: str | None = None  # an INSTALMENT order's schedule
    instalment: int = 0  # and the instalment's number; 0 for the claim's other orders


@dataclass(frozen=True)
class PaymentSchedule:
    schedule_id: str
    claim_id: str
    kpj: str
    branch_code: str
    code: str  # the periodic benefit's code, e.g. JKK_PERIODIC
    rule_id: str
    monthly: int
    months: int
    starts_on: date  # the approval day: instalment n is due n months later
    beneficiary: BankAccount

    @property
    def total(self) -> int:
        return self.monthly * self.months

    def due_on(self, number: int) -> date:
        return add_months(self.starts_on, number)

    def due_through(self, day: date, paid: set[int]) -> list[tuple[int, date]]:
        """Instalments (number, due date) due on or before `day` and not yet paid, oldest first."""
        return [(n, self.due_on(n)) for n in range(1, self.months + 1)
                if n not in paid and self.due_on(n) <= day]
