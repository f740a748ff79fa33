"""Calendar arithmetic the benefit rules count in: whole months, ages, days left.

"5 years of membership", "a waiting period of 1 month", "Rp200,000 a month for 24 months":
a month is a calendar month, and a day that does not exist in the target month (31 January
plus one month) is the last day of that month.
"""
from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def whole_months_between(start: date, end: date) -> int:
    """Completed calendar months from `start` to `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on `day` (a 29 February birthday counts on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
