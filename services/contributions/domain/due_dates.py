"""C-6: when a period's contributions are due.

Rule: by `due_day` (the 15th; the 30th under PP 49/2020) of the month after the period,
clamped to that month's last day (day 30 in February is the 28th or 29th), and moved to the
next working day when it falls on a weekend or holiday (when the rule version says so).
"""
from __future__ import annotations

import calendar
from datetime import date

from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import ContributionRules, RuleTable, rules_for_period
from services.contributions.domain.working_days import WorkingDayCalendar


def due_date(period_year: int, period_month: int, rules: ContributionRules,
             working_days: WorkingDayCalendar) -> date:
    """C-6: the due date of the contributions for period `period_year`-`period_month`.

    `rules` must be the version in force for that period (see `rules_for_period`)."""
    following = Period(period_year, period_month).following()
    last_day = calendar.monthrange(following.year, following.month)[1]
    nominal = date(following.year, following.month, min(rules.due_day, last_day))
    return working_days.on_or_after(nominal) if rules.due_rolls_to_next_working_day else nominal


def due_date_for_period(period: Period, table: RuleTable[ContributionRules],
                        working_days: WorkingDayCalendar) -> date:
    """C-6 with the rule version picked from the table by the period itself."""
    rules = rules_for_period(table, period.year, period.month)
    return due_date(period.year, period.month, rules, working_days)



def due_date_again(stored: date, table: RuleTable[ContributionRules], working_days: WorkingDayCalendar) -> date:
    """C-6: a stored due date re-derived with a changed calendar.

    A due date is a nominal one (the due day of the month after some period: the bill's
    own, or for a correction the month it was issued in) rolled to a working day. The
    nominal date is the latest one on or before the stored date (a roll moves a few days,
    nominal dates are a month apart); it is rolled again with `working_days`."""
    month = Period.of(stored)
    before = Period(month.year - 1, 12) if month.month == 1 else Period(month.year, month.month - 1)
    earlier = Period(before.year - 1, 12) if before.month == 1 else Period(before.year, before.month - 1)
    for period in (before, earlier):  # the periods whose due date is in `stored`'s month or the one before
        rules = rules_for_period(table, period.year, period.month)
        following = period.following()
        nominal = date(following.year, following.month,
                       min(rules.due_day, calendar.monthrange(following.year, following.month)[1]))
        if nominal <= stored:
            return working_days.on_or_after(nominal) if rules.due_rolls_to_next_working_day else nominal
    return stored
