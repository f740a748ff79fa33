"""Working-day calendar for due dates (C-6: "the next working day when the 15th is a holiday").

The calendar is plain data: weekend weekdays plus a set of holiday dates (national holidays
and collective leave days, *cuti bersama*) that the application layer loads from its own
table and passes in. Nothing here knows a holiday list by heart.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.chassis.errors import InvalidArgument

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class WorkingDayCalendar:
    """Weekends (``date.weekday()`` numbers, Saturday and Sunday by default) plus holidays."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        if not self.weekend <= set(range(7)) or len(self.weekend) >= 7:
            raise InvalidArgument.field("weekend", "weekdays 0..6, at least one working weekday")

    @classmethod
    def with_holidays(cls, holidays: Iterable[date]) -> WorkingDayCalendar:
        return cls(holidays=frozenset(holidays))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def on_or_after(self, day: date) -> date:
        """`day` itself if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day
