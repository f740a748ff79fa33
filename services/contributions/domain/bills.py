"""An employer's open (not fully paid) contribution bill, as standing (C-8) and payment
matching see it: only what is still owed matters, not the lines behind it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.errors import Violations
from services.contributions.domain.periods import Period


@dataclass(frozen=True)
class OpenBill:
    """A bill (SPI, C-5) with `outstanding_rupiah` still to pay; due on `due_date` (C-6)."""

    bill_number: str
    period: Period
    due_date: date
    outstanding_rupiah: int

    def __post_init__(self) -> None:
        problems = Violations()
        if not isinstance(self.bill_number, str) or not self.bill_number.strip():
            problems.add("bill_number", "required")
        if not isinstance(self.period, Period):
            problems.add("period", "must be a Period")
        if not isinstance(self.due_date, date):
            problems.add("due_date", "must be a date")
        if not isinstance(self.outstanding_rupiah, int) or self.outstanding_rupiah < 0:
            problems.add("outstanding_rupiah", "must be a non-negative whole number of rupiah")
        problems.raise_if_any()

    def days_past_due(self, as_of: date) -> int:
        """0 on or before the due date (paying on the due date is on time)."""
        return max(0, (as_of - self.due_date).days)
