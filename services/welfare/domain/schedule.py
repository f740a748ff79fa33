"""Instalment schedules of flat-interest loans, in exact rupiah (W-K-2, W-P-4, W-M-1).

Flat interest is charged on the whole principal for the whole term:
    interest = principal x rate a year x term in months / 12, rounded half up once.
The debtor pays (principal + interest) / term each month, in whole rupiah; the rounding
remainder goes to the last instalment, so the schedule sums exactly to what is owed.
Each instalment is split into principal and interest in proportion (cumulatively, so
the parts are never negative and sum exactly too).

Example (W-K-2): Rp120,000,000 over 48 months at 3%: interest 120,000,000 x 3% x 4 =
14,400,000; instalment (120,000,000 + 14,400,000) / 48 = 2,800,000.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.money import BASIS_POINTS_PER_UNIT, apply_fraction

from .dates import monthly

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class ScheduledInstalment:
    number: int
    due_date: date
    amount: int
    principal: int
    interest: int


def flat_interest(principal: int, rate_bp_per_year: int, term_months: int) -> int:
    """Interest over the whole term: principal x rate x months / 12, rounded half up."""
    return apply_fraction(principal, rate_bp_per_year * term_months, BASIS_POINTS_PER_UNIT * MONTHS_PER_YEAR)


def monthly_instalment(principal: int, interest: int, term_months: int) -> int:
    """What every instalment but the last comes to (the last takes the remainder)."""
    return (principal + interest) // term_months


def instalment_schedule(principal: int, interest: int, term_months: int, first_due: date) -> tuple[ScheduledInstalment, ...]:
    """`term_months` monthly instalments from `first_due` summing exactly to principal + interest."""
    if term_months <= 0:
        raise ValueError("a schedule needs at least one instalment")
    if principal < 0 or interest < 0:
        raise ValueError("principal and interest are never negative")
    total = principal + interest
    regular = total // term_months
    amounts = [regular] * (term_months - 1) + [total - regular * (term_months - 1)]
    instalments = []
    paid_so_far = interest_so_far = 0
    for number, (due, amount) in enumerate(zip(monthly(first_due, term_months), amounts, strict=True), start=1):
        paid_so_far += amount
        # The interest part of everything paid so far, in proportion to what is owed.
        interest_through = interest * paid_so_far // total if total else 0
        part = interest_through - interest_so_far
        interest_so_far = interest_through
        instalments.append(ScheduledInstalment(number, due, amount, amount - part, part))
    return tuple(instalments)
