"""Calendar arithmetic for the JPK limits: whole months (B-JPK-3, B-JPK-6) and age (B-JPK-7)."""
from __future__ import annotations

import calendar
from datetime import date

from services.chassis.errors import InvalidArgument


def add_months(day: date, months: int, field: str) -> date:
    """`day` moved by whole calendar months, clamped to the month's end (30 Nov + 3 = 28/29 Feb);
    past the last representable year it is INVALID_ARGUMENT on `field`, not an overflow."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if year > date.max.year:
        raise InvalidArgument.field(field, f"{day.isoformat()} + {months} months is past the calendar")
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth_date: date, day: date) -> int:
    """Completed years on `day`."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
