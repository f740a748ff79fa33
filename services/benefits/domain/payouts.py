"""Paying an approved claim: payment orders and periodic schedules.

A payment order is what finance pays at once: the assessed lump sum on approval, or for JHT
the balance contributions settled (B-JHT-1). Finance approves it, then marks it paid (O-3:
the finance officer pays out), or sends it to the bank in a payout file (EXPORTED) whose
status report marks it PAID or FAILED with the bank's reason. A FAILED order is re-issued,
once, as a new order for the same claim with the corrected account; the re-issue is the
officer's work, so another officer approves it (O-4). A periodic benefit (Rp200,000 a month for 24 months,
B-JKK-6, B-JKK-7, B-JK-1) is a schedule: instalment n falls due n months after approval,
and the daily payout pays every instalment due and not yet paid, so a run that missed days
catches up and a second run on the same day pays nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, RuleViolation, Violations
from services.chassis.roles import require_second_person

from .dates import add_months

HOLDER_MAX = 100
BANK_MAX = 60
ACCOUNT_DIGITS = (6, 20)
REFERENCE_MAX = 100
FAILURE_CODE_MAX = 35
FAILURE_REASON_MAX = 500


class OrderState(str, Enum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    EXPORTED = "EXPORTED"  # in a payout file sent to the bank, waiting for its status report
    PAID = "PAID"
    FAILED = "FAILED"  # the bank rejected it (reason code and text kept); re-issued as a new order


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
    attempt: int = 1  # 1 for the claim's first order of its kind, n + 1 for the re-issue of attempt n
    reissue_of: str | None = None  # the FAILED order this one replaces
    reissued_by: str | None = None  # who re-issued it with the corrected account (O-4: not its approver)
    reissued_as: str | None = None  # on a FAILED order: the order that replaced it
    exported_in: str | None = None  # the MsgId of the payout file that carried it
    exported_on: date | None = None
    failed_on: date | None = None
    failure_code: str | None = None  # the bank's reason code (ISO 20022 StsRsnInf/Rsn/Cd, e.g. AC04)
    failure_reason: str | None = None  # the bank's text (AddtlInf)

    def approve(self, by: str, on_day: date) -> PaymentOrder:
        if self.state is not OrderState.PENDING_APPROVAL:
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}, not pending approval",
                                code="ORDER_NOT_PENDING")
        if self.reissued_by is not None:
            require_second_person(self.reissued_by, by, f"payment order {self.order_id} re-issued to a new account")
        return replace(self, state=OrderState.APPROVED, approved_by=by, approved_on=on_day)

    def exported(self, msg_id: str, on_day: date) -> PaymentOrder:
        """Sent to the bank in the payout file `msg_id`: never in a second file."""
        if self.state is not OrderState.APPROVED:
            where = f" in payout file {self.exported_in}" if self.exported_in else ""
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}{where}: only approved "
                                       f"orders not yet sent go into a payout file", code="ORDER_NOT_APPROVED")
        return replace(self, state=OrderState.EXPORTED, exported_in=msg_id, exported_on=on_day)

    def failed(self, on_day: date, code: str, reason: str) -> PaymentOrder:
        """The bank rejected the transfer: the claim stays unpaid until a re-issued order is paid."""
        if self.state is not OrderState.EXPORTED:
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}: only an order sent "
                                       f"to the bank can fail", code="ORDER_NOT_EXPORTED")
        return replace(self, state=OrderState.FAILED, failed_on=on_day, failure_code=code[:FAILURE_CODE_MAX],
                       failure_reason=reason[:FAILURE_REASON_MAX])

    def reissue(self, new_order_id: str, beneficiary: BankAccount | None, by: str, on_day: date
                ) -> tuple[PaymentOrder, PaymentOrder]:
        """(this order marked replaced, the new order pending approval) for the same claim,
        kind and amount, to `beneficiary` (None: the same account again, e.g. after the bank
        fixed its side); a failed order is re-issued once."""
        if self.state is not OrderState.FAILED:
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}: only a failed order "
                                       f"is re-issued", code="ORDER_NOT_FAILED")
        if self.reissued_as is not None:
            raise RuleViolation("O-3", f"payment order {self.order_id} was re-issued before as {self.reissued_as}",
                                code="ORDER_ALREADY_REISSUED")
        new = PaymentOrder(order_id=new_order_id, claim_id=self.claim_id, kpj=self.kpj, branch_code=self.branch_code,
                           kind=self.kind, beneficiary=beneficiary or self.beneficiary, amount=self.amount,
                           created_on=on_day,
                           attempt=self.attempt + 1, reissue_of=self.order_id, reissued_by=by)
        return replace(self, reissued_as=new_order_id), new

    def mark_paid(self, by: str, on_day: date, bank_reference: str) -> PaymentOrder:
        if self.state not in (OrderState.APPROVED, OrderState.EXPORTED):
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
