"""Marital status over time (M-4, M-6): GetFamily on a past date covers by that date's status.

The record keeps one row per reported status and the day it holds from. A report back-dated
before a later one fills the gap without undoing the later one, so the status in force
today is always the latest entry on or before today, never simply the last report.
Before the first entry the record can only speak for what it was told first: the earliest
known status stands (an enrolment records the status from the birth date).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.chassis.errors import InvalidArgument

from .person import MaritalStatus
from .values import in_force_on


@dataclass(frozen=True)
class MaritalStatusEntry:
    effective_date: date
    status: MaritalStatus


def entry_on(history: Sequence[MaritalStatusEntry], day: date) -> MaritalStatusEntry | None:
    """The entry in force on `day`; before the first entry the earliest one; None only for
    an empty history."""
    if not history:
        return None
    found = in_force_on(((e.effective_date, e) for e in history), day)
    return found[1] if found is not None else min(history, key=lambda e: e.effective_date)


def status_on(history: Sequence[MaritalStatusEntry], day: date) -> MaritalStatus | None:
    """The status in force on `day`; before the first entry the earliest known one; None
    only for an empty history."""
    entry = entry_on(history, day)
    return entry.status if entry is not None else None


def check_report_date(effective: date, *, birth_date: date, today: date) -> None:
    """A status change is reported once it happened, and not before the worker was born."""
    if effective > today:
        raise InvalidArgument.field("effective_date", f"{effective.isoformat()} is in the future: report it once it happened")
    if effective < birth_date:
        raise InvalidArgument.field("effective_date", f"{effective.isoformat()} is before the birth date")


def with_report(history: Sequence[MaritalStatusEntry], entry: MaritalStatusEntry) -> tuple[MaritalStatusEntry, ...]:
    """The history with `entry` added; a second report for the same day replaces the first."""
    kept = [e for e in history if e.effective_date != entry.effective_date]
    return tuple(sorted([*kept, entry], key=lambda e: e.effective_date))
