"""Small helpers shared by the membership domain: enum parsing, text fields, date arithmetic."""
from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from enum import Enum
from typing import Any, TypeGuard, TypeVar

from services.chassis.errors import InvalidArgument, Violations

E = TypeVar("E", bound=Enum)
T = TypeVar("T")

ONE_DAY = timedelta(days=1)


def parse_enum(enum_cls: type[E], value: object, field: str) -> E:
    """`value` as a member of `enum_cls`: a member, or its name/value as text (any case).

    Raises InvalidArgument naming `field` and listing the accepted values.
    """
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        key = value.strip().upper()
        for member in enum_cls:
            if key in (member.name, str(member.value).upper()):
                return member
    accepted = ", ".join(member.name for member in enum_cls)
    raise InvalidArgument.field(field, f"{value!r} is not one of {accepted}")


def collect(violations: Violations, parse: Callable[..., T], *args: Any) -> T | None:
    """Run a parser that raises InvalidArgument; move its violations into `violations`
    and return None instead, so a validator can report every problem at once."""
    try:
        return parse(*args)
    except InvalidArgument as error:
        violations.items.extend(error.violations)
        return None


def clean_text(
    value: object,
    field: str,
    violations: Violations,
    *,
    max_length: int,
    min_length: int = 1,
    required: bool = True,
) -> str | None:
    """Strip and collapse inner whitespace; record a violation when missing or out of bounds."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            violations.add(field, "is required")
        return None
    if not isinstance(value, str):
        violations.add(field, "must be text")
        return None
    text = " ".join(value.split())
    if len(text) < min_length:
        violations.add(field, f"must be at least {min_length} characters")
        return None
    if len(text) > max_length:
        violations.add(field, f"must be at most {max_length} characters (got {len(text)})")
        return None
    return text


def require_date(value: object, field: str, violations: Violations) -> date | None:
    """`value` when it is a date (not a datetime); otherwise record a violation."""
    if value is None:
        violations.add(field, "is required")
        return None
    if not isinstance(value, date) or hasattr(value, "hour"):
        violations.add(field, "must be a calendar date")
        return None
    return value


def is_whole_rupiah(value: object) -> TypeGuard[int]:
    """Money is a whole number of rupiah: an int, never a float or a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """`day` moved by whole years; 29 February becomes 1 March in a non-leap year.

    That matches `age_on`: someone born on 29 February is a year older on 1 March.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on `on` (negative if `on` is before the birth)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def in_force_on(history: Iterable[tuple[date, T]], day: date) -> tuple[date, T] | None:
    """The (effective date, value) of a dated history in force on `day`: the latest entry
    on or before it; None when every entry lies after `day`. Histories of addresses,
    marital status and risk groups all read this way, so a change dated ahead takes over
    on its day without a job rewriting the record."""
    found: tuple[date, T] | None = None
    for effective, value in sorted(history, key=lambda entry: entry[0]):
        if effective > day:
            break
        found = (effective, value)
    return found
