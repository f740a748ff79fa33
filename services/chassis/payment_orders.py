"""A payment order's life, the same in every service that pays (benefits' claims,
welfare's scholarships and loans); what an order pays is the service's own fields.

PENDING_APPROVAL -> APPROVED (finance, O-3; a re-issued order by another officer than the
one who re-issued it, O-4, and a service may ask the same of the order's creator) ->
EXPORTED in one payout file -> PAID or FAILED by the bank's answer (or PAID by hand from
APPROVED). A FAILED order is re-issued once, as a new order (attempt + 1) for the same
thing and amount, to a corrected account or the same one. Pure: a domain may use it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from services.chassis.errors import InvalidArgument, RuleViolation, Violations
from services.chassis.roles import require_second_person

HOLDER_MAX = 100
BANK_MAX = 60
ACCOUNT_DIGITS = (6, 20)
REFERENCE_MAX = 100
FAILURE_CODE_MAX = 35
FAILURE_REASON_MAX = 500


class OrderState(str, Enum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    EXPORTED = "EXPORTED"  # in a payout file sent to the bank, waiting for its answer
    PAID = "PAID"
    FAILED = "FAILED"  # the bank rejected it (reason code and text kept); re-issued as a new order


@dataclass(frozen=True)
class BankAccount:
    """Who receives the money."""

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


O = TypeVar("O", bound="OrderLife")


@dataclass(frozen=True, kw_only=True)
class OrderLife:
    """The lifecycle fields (keyword-only, after the service's own) and steps; a service's
    order is a dataclass that extends it with what it pays, declaring at least these four."""

    if TYPE_CHECKING:  # declared by the service's order, in its own positional order
        order_id: str
        beneficiary: BankAccount
        amount: int
        created_on: date

    state: OrderState = OrderState.PENDING_APPROVAL
    approved_by: str | None = None
    approved_on: date | None = None
    paid_by: str | None = None
    paid_on: date | None = None
    bank_reference: str | None = None
    attempt: int = 1  # 1 for the first order, n + 1 for the re-issue of attempt n
    reissue_of: str | None = None  # the FAILED order this one replaces
    reissued_by: str | None = None  # who re-issued it (O-4: not its approver)
    reissued_as: str | None = None  # on a FAILED order: the order that replaced it
    exported_in: str | None = None  # the MsgId of the payout file that carried it
    exported_on: date | None = None
    failed_on: date | None = None
    failure_code: str | None = None  # the bank's reason code (ISO 20022 StsRsnInf/Rsn/Cd, e.g. AC04)
    failure_reason: str | None = None  # the bank's text (AddtlInf)

    def approve(self: O, by: str, on_day: date, *, created_by: str | None = None) -> O:
        """Approved by `by`; never by who re-issued it, nor by `created_by` when given (O-4)."""
        if self.state is not OrderState.PENDING_APPROVAL:
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}, not pending approval",
                                code="ORDER_NOT_PENDING")
        if self.reissued_by is not None:
            require_second_person(self.reissued_by, by, f"payment order {self.order_id} re-issued to a new account")
        elif created_by is not None:
            require_second_person(created_by, by, f"payment order {self.order_id}")
        return replace(self, state=OrderState.APPROVED, approved_by=by, approved_on=on_day)

    def exported(self: O, msg_id: str, on_day: date) -> O:
        """Sent to the bank in the payout file `msg_id`: never in a second file."""
        if self.state is not OrderState.APPROVED:
            where = f" in payout file {self.exported_in}" if self.exported_in else ""
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}{where}: only approved "
                                       f"orders not yet sent go into a payout file", code="ORDER_NOT_APPROVED")
        return replace(self, state=OrderState.EXPORTED, exported_in=msg_id, exported_on=on_day)

    def failed(self: O, on_day: date, code: str, reason: str) -> O:
        """The bank rejected the transfer: what it paid stays unpaid until a re-issued order is paid."""
        if self.state is not OrderState.EXPORTED:
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}: only an order sent "
                                       f"to the bank can fail", code="ORDER_NOT_EXPORTED")
        return replace(self, state=OrderState.FAILED, failed_on=on_day, failure_code=code[:FAILURE_CODE_MAX],
                       failure_reason=reason[:FAILURE_REASON_MAX])

    def reissue(self: O, new_order_id: str, beneficiary: BankAccount | None, by: str, on_day: date) -> tuple[O, O]:
        """(this order marked replaced, the new order pending approval) for the same thing
        and amount, to `beneficiary` (None: the same account again, e.g. after the bank
        fixed its side); a failed order is re-issued once."""
        if self.state is not OrderState.FAILED:
            raise RuleViolation("O-3", f"payment order {self.order_id} is {self.state.value}: only a failed order "
                                       f"is re-issued", code="ORDER_NOT_FAILED")
        if self.reissued_as is not None:
            raise RuleViolation("O-3", f"payment order {self.order_id} was re-issued before as {self.reissued_as}",
                                code="ORDER_ALREADY_REISSUED")
        new = replace(self, order_id=new_order_id, beneficiary=beneficiary or self.beneficiary, created_on=on_day,
                      state=OrderState.PENDING_APPROVAL, approved_by=None, approved_on=None, paid_by=None,
                      paid_on=None, bank_reference=None, attempt=self.attempt + 1, reissue_of=self.order_id,
                      reissued_by=by, reissued_as=None, exported_in=None, exported_on=None, failed_on=None,
                      failure_code=None, failure_reason=None)
        return replace(self, reissued_as=new_order_id), new

    def mark_paid(self: O, by: str, on_day: date, bank_reference: str) -> O:
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
