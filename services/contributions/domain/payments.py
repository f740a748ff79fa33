"""Contribution payments: validating a bank receipt and matching it to open bills (C-7, C-8).

Allocation rule: a payment naming a bill pays that bill first; what is left pays the
employer's other open bills oldest period first (clearing the oldest arrears, C-8); what is
still left is kept as the employer's credit (overpayment, C-7), never lost or refunded here.
A payment whose employer cannot be identified, or that names a bill the employer does not
have open, goes to suspense for an officer to resolve in reconciliation (UNMATCHED_PAYMENT).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, Violations
from services.contributions.domain.bills import OpenBill
from services.contributions.domain.periods import Period


@dataclass(frozen=True)
class Payment:
    """A bank receipt: `npp` and `bill_number` as given by the payer, when given."""

    bank_reference: str
    amount_rupiah: int
    paid_on: date
    npp: str | None = None
    bill_number: str | None = None


def validate_payment(payment: Payment, today: date) -> None:
    """Amount positive whole rupiah, date not after `today`, bank reference present.
    Raises InvalidArgument listing every problem."""
    problems = Violations()
    if not isinstance(payment.amount_rupiah, int) or isinstance(payment.amount_rupiah, bool) \
            or payment.amount_rupiah <= 0:
        problems.add("amount_rupiah", "must be a positive whole number of rupiah")
    if not isinstance(payment.paid_on, date):
        problems.add("paid_on", "must be a date")
    elif payment.paid_on > today:
        problems.add("paid_on", f"cannot be after today ({today.isoformat()})")
    if not isinstance(payment.bank_reference, str) or not payment.bank_reference.strip():
        problems.add("bank_reference", "required")
    problems.raise_if_any()


@dataclass(frozen=True)
class BillAllocation:
    bill_number: str
    period: Period
    amount_rupiah: int
    settles_bill: bool


@dataclass(frozen=True)
class Allocation:
    """Where a payment went: amounts per bill and the rest kept as the employer's credit."""

    allocations: tuple[BillAllocation, ...]
    credit_rupiah: int

    @property
    def allocated_rupiah(self) -> int:
        return sum(a.amount_rupiah for a in self.allocations)


def allocate(payment_amount: int, open_bills_oldest_first: Sequence[OpenBill],
             bill_number: str | None = None) -> Allocation:
    """Spread a payment over open bills: the named bill first, then oldest period first;
    the remainder is credit. Raises InvalidArgument if `bill_number` is not open."""
    if not isinstance(payment_amount, int) or payment_amount <= 0:
        raise InvalidArgument.field("amount_rupiah", "must be a positive whole number of rupiah")
    bills = sorted(open_bills_oldest_first, key=lambda b: (b.period, b.due_date, b.bill_number))
    numbers = [b.bill_number for b in bills]
    if len(set(numbers)) != len(numbers):
        raise InvalidArgument.field("open_bills", "a bill number appears twice")
    if bill_number is not None:
        named = [b for b in bills if b.bill_number == bill_number]
        if not named:
            raise InvalidArgument.field("bill_number", f"{bill_number} is not an open bill of this employer")
        bills = named + [b for b in bills if b.bill_number != bill_number]
    remaining = payment_amount
    allocations = []
    for bill in bills:
        if remaining == 0:
            break
        if bill.outstanding_rupiah == 0:
            continue
        amount = min(remaining, bill.outstanding_rupiah)
        remaining -= amount
        allocations.append(BillAllocation(bill.bill_number, bill.period, amount, amount == bill.outstanding_rupiah))
    return Allocation(tuple(allocations), remaining)


@dataclass(frozen=True)
class PaymentOrder:
    """A payment spread in the stated order (C-6, C-7): contributions, then penalties."""

    to_bills: Allocation
    to_penalties: Allocation

    @property
    def credit_rupiah(self) -> int:
        return self.to_penalties.credit_rupiah


def allocate_in_order(amount_rupiah: int, open_bills: Sequence[OpenBill], open_penalties: Sequence[OpenBill],
                      bill_number: str | None = None) -> PaymentOrder:
    """Contributions first (the named bill, then oldest period first), then penalties,
    oldest first; the rest is credit. Contributions go first because they are the members'
    (JHT savings, C-9) while a penalty is the agency's: a partial payment never leaves a
    member's contribution unpaid to settle a penalty."""
    to_bills = allocate(amount_rupiah, open_bills, bill_number)
    if to_bills.credit_rupiah == 0 or not any(p.outstanding_rupiah for p in open_penalties):
        return PaymentOrder(to_bills, Allocation((), to_bills.credit_rupiah))
    return PaymentOrder(to_bills, allocate(to_bills.credit_rupiah, open_penalties))


class MatchOutcome(str, Enum):
    ALLOCATED = "ALLOCATED"
    SUSPENSE = "SUSPENSE"


@dataclass(frozen=True)
class PaymentMatch:
    outcome: MatchOutcome
    allocation: Allocation | None = None
    suspense_rupiah: int = 0
    reason: str | None = None


def match_payment(payment: Payment, employer_open_bills: Sequence[OpenBill] | None) -> PaymentMatch:
    """Match a (validated) payment. `employer_open_bills` is None when no employer was found
    for the payment: then, or when it names a bill that is not open, the whole amount goes to
    suspense. An employer with no open bill gets the whole amount as credit."""
    if employer_open_bills is None:
        return PaymentMatch(MatchOutcome.SUSPENSE, None, payment.amount_rupiah, "employer not identified")
    if payment.bill_number is not None and payment.bill_number not in {b.bill_number for b in employer_open_bills}:
        return PaymentMatch(MatchOutcome.SUSPENSE, None, payment.amount_rupiah,
                            f"bill {payment.bill_number} is not open for this employer")
    return PaymentMatch(MatchOutcome.ALLOCATED, allocate(payment.amount_rupiah, employer_open_bills, payment.bill_number))
