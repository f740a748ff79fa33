"""Paying an approved claim: payment orders and periodic schedules.

A payment order is what finance pays at once: the assessed lump sum on approval, or for JHT
the balance contributions settled (B-JHT-1). Finance approves it, then marks it paid (O-3:
the finance officer pays out). A periodic benefit (Rp200,000 a month for 24 months,
B-JKK-6, B-JKK-7, B-JK-1) is a schedule: instalment n falls due n months after approval,
and the daily payout pays every instalment due and not yet paid, so a run that missed days
catches up and a second run on the same day pays nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, RuleViolation, Violations

from .dates import add_months

HOLDER_MAX = 100
BANK_MAX = 60
ACCOUNT_DIGITS = (6, 20)
REFERENCE_MAX = 100


class OrderState(str, Enum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    PAID = "PAID"


class OrderKind(str, Enum):
    LUMP_SUM = "LUMP_SUM"  # the assessed items of a JKK, JK or JPK claim
    JHT_BALANCE = "JHT_BALANCE"  # the whole JHT balance contributions settled


@dataclass(frozen=True)
class BankAccount:
    """Who receives the money: the member, or for a death claim the heir (B-JK-1)."""

    holder_name: str
    bank_name: str
    account_number: str


def bank_account(holder_name: str, bank_name: str, account_number: str, field: str = "beneficiary") -> BankAccount:
    """A cleaned bank account, or InvalidArgument naming each bad field (`beneficiary.bank_name`)."""
    v = Violations()
    holder = " ".join(holder_name.split())
    bank = " ".join(bank_name.split())
    account = "".join(ch for ch in account_number if ch not in " -.")
    if not holder:
        v.add(f"{field}.holder_name", "is required")
    elif len(holder) > HOLDER_MAX:
        v.add(f"{field}.holder_name", f"at most {HOLDER_MAX} characters")
    if not bank:
        v.add(f"{field}.bank_name", "is required")
    elif len(bank) > BANK_MAX:
        v.add(f"{field}.bank_name", f"at most {BANK_MAX} characters")
    low, high = ACCOUNT_DIGITS
    if not account:
        v.add(f"{field}.account_number", "is required")
    elif not (account.isascii() and account.isdigit() and low <= len(account) <= high):
        v.add(f"{field}.account_number", f"must be {low} to {high} digits")
    v.raise_if_any()
    return BankAccount(holder, bank, account)


@dataclass(frozen=True)
class PaymentOrder:
    order_id: str
    claim_id: str
    kpj: str
    branch_code: str
    kind: OrderKind
    beneficiary: BankAccount
    amount: int
    created_on: date
    state: OrderState = OrderState.PENDING_APPROVAL
    approved_by: str | None = None
    approved_on: date | None = None
    paid_by: str | None = None
    paid_on: date | None = None
    bank_reference: str | None = None

    def approve(self, by: str, on_day: date) -> PaymentOrder:
        if self.state is not OrderState.PENDING_APPROVAL:
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}, not pending approval",
                                code="ORDER_NOT_PENDING")
        return replace(self, state=OrderState.APPROVED, approved_by=by, approved_on=on_day)

    def mark_paid(self, by: str, on_day: date, bank_reference: str) -> PaymentOrder:
        if self.state is not OrderState.APPROVED:
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}: finance approves it "
                                       f"before it is paid", code="ORDER_NOT_APPROVED")
        if self.approved_on is not None and on_day < self.approved_on:
            raise InvalidArgument.field("paid_on", f"{on_day.isoformat()} is before the order was approved "
                                                   f"on {self.approved_on.isoformat()}")
        reference = bank_reference.strip()
        if not reference:
            raise InvalidArgument.field("bank_reference", "is required")
        if len(reference) > REFERENCE_MAX:
            raise InvalidArgument.field("bank_reference", f"at most {REFERENCE_MAX} characters")
        return replace(self, state=OrderState.PAID, paid_by=by, paid_on=on_day, bank_reference=reference)


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
