"""Contribution periods: a contribution is owed per worker per calendar month (C-5, C-6)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from services.chassis.errors import InvalidArgument


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month a contribution is owed for, e.g. ``Period(2020, 9)`` = "2020-09"."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not isinstance(self.year, int) or isinstance(self.year, bool) or not 1900 <= self.year <= 9998:
            raise InvalidArgument.field("period.year", "must be a year between 1900 and 9998")
        if not isinstance(self.month, int) or isinstance(self.month, bool) or not 1 <= self.month <= 12:
            raise InvalidArgument.field("period.month", "must be 1..12")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read "YYYY-MM"."""
        try:
            year, month = text.split("-")
            return cls(int(year), int(month))
        except ValueError:
            raise InvalidArgument.field("period", f"expected YYYY-MM, got {text!r}") from None

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def following(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))
