"""C-6: the late-payment penalty (denda).

Rule: for each month late, `penalty_bp_per_month` (2%; 0.5% under PP 49/2020) of the
contribution that should have been paid; a started month counts as a whole month. The
penalty is SIMPLE, not compounded: n months late is n x 2% of the late contribution (never
2% of contribution plus earlier penalty). The employer alone bears it. There is no cap
unless the rule version sets `penalty_cap_bp`. The rule version is the one in force for the
bill's period (not for the payment date), so PP 49/2020's 0.5% applies to the periods
August 2020 - January 2021 however late they are paid.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.chassis.errors import InvalidArgument
from services.chassis.money import apply_rate
from services.contributions.domain.periods import add_months
from services.contributions.domain.rule_tables import ContributionRules


def months_late(due: date, paid: date) -> int:
    """C-6: started months between the due date and the payment date.

    0 when paid on or before the due date; 1 day late = 1; paid on the same day of the next
    month (exactly one month late) = 1; one month and one day = 2. Months are calendar
    months from the due date, clamped at month ends (due 31 Jan: one month ends 28/29 Feb).
    """
    if paid <= due:
        return 0
    months = (paid.year - due.year) * 12 + (paid.month - due.month)
    if add_months(due, months) < paid:
        months += 1
    return months


def penalty_amount(late_contribution_rupiah: int, months: int, rules: ContributionRules) -> int:
    """C-6: `apply_rate(contribution, penalty_bp_per_month x months)`, capped by the version's
    `penalty_cap_bp` when it has one. One rounding, on the whole penalty."""
    if months < 0:
        raise InvalidArgument.field("months_late", "cannot be negative")
    if late_contribution_rupiah < 0:
        raise InvalidArgument.field("late_contribution_rupiah", "cannot be negative")
    rate_bp = rules.penalty_bp_per_month * months
    if rules.penalty_cap_bp is not None:
        rate_bp = min(rate_bp, rules.penalty_cap_bp)
    return apply_rate(late_contribution_rupiah, rate_bp)


def penalty_for_payment(contribution_rupiah: int, due: date, paid: date, rules: ContributionRules) -> int:
    """C-6 for a contribution paid in full on one date."""
    return penalty_amount(contribution_rupiah, months_late(due, paid), rules)


@dataclass(frozen=True)
class PenaltyPortion:
    """Part of a contribution paid (or still unpaid, `paid_on=None`) `months_late` months late."""

    amount_rupiah: int
    paid_on: date | None
    months_late: int
    penalty_rupiah: int


@dataclass(frozen=True)
class LatePenalty:
    portions: tuple[PenaltyPortion, ...]

    @property
    def total_rupiah(self) -> int:
        return sum(p.penalty_rupiah for p in self.portions)


def late_payment_penalty(contribution_rupiah: int, due: date, payments: Iterable[tuple[date, int]],
                         as_of: date, rules: ContributionRules) -> LatePenalty:
    """C-6/C-7: the penalty on a contribution paid in instalments, as of `as_of`.

    Payments (date, amount) settle the contribution oldest first; each part paid late
    carries the penalty for its own months late; the part still unpaid at `as_of` carries
    the penalty for the months started by then. Amounts paid beyond the contribution carry
    none (they are an overpayment, C-7). Only late portions are listed.
    """
    remaining = contribution_rupiah
    portions = []
    for paid_on, amount in sorted(payments):
        if paid_on > as_of:
            raise InvalidArgument.field("payments", f"payment on {paid_on} is after as_of {as_of}")
        applied = min(amount, remaining)
        remaining -= applied
        months = months_late(due, paid_on)
        if applied > 0 and months > 0:
            portions.append(PenaltyPortion(applied, paid_on, months, penalty_amount(applied, months, rules)))
    months = months_late(due, as_of)
    if remaining > 0 and months > 0:
        portions.append(PenaltyPortion(remaining, None, months, penalty_amount(remaining, months, rules)))
    return LatePenalty(tuple(portions))
