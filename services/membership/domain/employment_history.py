"""Employment periods of one member (KPJ) and the length of membership (M-3, M-8).

One person keeps one KPJ for life (M-3); each employment at an employer is a period.
A transfer (mutasi) closes the previous period the day before the new one starts, so the
membership runs on without a gap. Length of membership feeds e.g. the 5-year condition of
B-JHT-1 and the 1-year condition of W-S-2.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from .values import ONE_DAY, add_months


class EndReason(str, Enum):
    """Why an employment period ended. The first five are PHK reasons (M-8)."""

    RESIGNED = "RESIGNED"  # mengundurkan diri
    LAID_OFF = "LAID_OFF"  # PHK by the employer
    CONTRACT_ENDED = "CONTRACT_ENDED"  # kontrak berakhir
    RETIRED = "RETIRED"  # pensiun
    OTHER = "OTHER"
    TRANSFERRED = "TRANSFERRED"  # mutasi to another employer (M-3)
    DECEASED = "DECEASED"  # meninggal dunia (M-8)


TERMINATION_REASONS = frozenset({
    EndReason.RESIGNED, EndReason.LAID_OFF, EndReason.CONTRACT_ENDED, EndReason.RETIRED, EndReason.OTHER,
})


@dataclass(frozen=True)
class EmploymentPeriod:
    """Employment at one employer; `end_date` is the last covered day (None: still open)."""

    npp: str
    branch_code: str
    start_date: date
    end_date: date | None = None
    end_reason: EndReason | None = None

    def __post_init__(self) -> None:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"period ends {self.end_date} before it starts {self.start_date}")
        if (self.end_date is None) != (self.end_reason is None):
            raise ValueError("a closed period has both an end date and an end reason")

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def close(self, end_date: date, reason: EndReason) -> EmploymentPeriod:
        return replace(self, end_date=end_date, end_reason=reason)


def member_since(periods: Iterable[EmploymentPeriod]) -> date | None:
    """The first day of membership (the earliest start), or None without periods."""
    starts = [p.start_date for p in periods]
    return min(starts) if starts else None


def is_active_on(periods: Iterable[EmploymentPeriod], day: date) -> bool:
    """True when some period covers `day`."""
    return any(p.covers(day) for p in periods)


def covered_stretches(periods: Iterable[EmploymentPeriod], on_date: date) -> list[tuple[date, date]]:
    """Covered time up to and including `on_date` as disjoint (first, last) day pairs.

    Overlapping periods are merged, and so are periods that touch (one ends the day
    before the next starts, as a transfer leaves them).
    """
    spans = sorted(
        (p.start_date, min(p.end_date or on_date, on_date))
        for p in periods
        if p.start_date <= on_date
    )
    merged: list[tuple[date, date]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + ONE_DAY:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


def _whole_months(first: date, end_exclusive: date) -> int:
    months = (end_exclusive.year - first.year) * 12 + end_exclusive.month - first.month
    while months > 0 and add_months(first, months) > end_exclusive:
        months -= 1
    return max(months, 0)


def months_of_membership(periods: Iterable[EmploymentPeriod], on_date: date) -> int:
    """Whole months of covered time up to and including `on_date` (M-3).

    A month is whole when the stretch covers every day before the same day of the next
    month (1 Jan to 31 Jan is one month; a day-31 start is clamped to the shorter month's
    last day, as `add_months` does). Whole months
    are counted per continuous stretch and added up; the odd days of separate stretches
    are not pooled into extra months (the conservative reading for "member at least
    N years" conditions).
    """
    return sum(_whole_months(first, last + ONE_DAY) for first, last in covered_stretches(periods, on_date))
