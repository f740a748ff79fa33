"""Calendar arithmetic the welfare rules count in: whole months ("registered at least 1
year", "a term of 60 months", "monthly instalments")."""
from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months; a day the target month lacks (31 March plus
    one month) becomes that month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def has_lasted(since: date, months: int, on: date) -> bool:
    """Whether something begun on `since` has lasted at least `months` whole months on `on`."""
    return add_months(since, months) <= on


def first_of_next_month(day: date) -> date:
    return add_months(day.replace(day=1), 1)


def monthly(first: date, count: int) -> list[date]:
    """`count` monthly dates from `first`, each on `first`'s day of the month (or the
    month's last day when it is shorter), never drifting after a short month."""
    return [add_months(first, n) for n in range(count)]
