"""C-8: arrears (tunggakan) and good standing (tertib administrasi).

An employer with unpaid contributions past their due date is in arrears. An employer with no
arrears and complete data is in good standing, which welfare programs require (W-S-2, W-K-1).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from services.contributions.domain.bills import OpenBill


class AgeingBucket(str, Enum):
    """Days past due. Day 1 is the day after the due date: a bill on its due date, or not yet
    due, is not in arrears, so the first bucket ("0-30") holds 1..30 days."""

    UP_TO_30 = "0-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = ">90"


def bucket_for(days_past_due: int) -> AgeingBucket:
    if days_past_due <= 30:
        return AgeingBucket.UP_TO_30
    if days_past_due <= 60:
        return AgeingBucket.DAYS_31_60
    if days_past_due <= 90:
        return AgeingBucket.DAYS_61_90
    return AgeingBucket.OVER_90


@dataclass(frozen=True)
class Arrears:
    """C-8: an employer's overdue outstanding amounts as of a date, by ageing bucket."""

    as_of: date
    by_bucket: dict[AgeingBucket, int] = field(default_factory=lambda: {b: 0 for b in AgeingBucket})
    overdue_bills: tuple[OpenBill, ...] = ()

    @property
    def total_rupiah(self) -> int:
        return sum(self.by_bucket.values())

    @property
    def in_arrears(self) -> bool:
        return self.total_rupiah > 0


def arrears_as_of(open_bills: Iterable[OpenBill], as_of: date) -> Arrears:
    """C-8: sum the outstanding amounts of bills past their due date, by ageing bucket.

    Bills not yet past due (due today or later) and bills with nothing outstanding are not
    arrears."""
    by_bucket = {b: 0 for b in AgeingBucket}
    overdue = []
    for bill in open_bills:
        days = bill.days_past_due(as_of)
        if days > 0 and bill.outstanding_rupiah > 0:
            by_bucket[bucket_for(days)] += bill.outstanding_rupiah
            overdue.append(bill)
    return Arrears(as_of, by_bucket, tuple(overdue))


def in_good_standing(arrears: Arrears, data_complete: bool) -> bool:
    """C-8: good standing ("tertib administrasi") = no arrears and complete data."""
    return data_complete and not arrears.in_arrears
