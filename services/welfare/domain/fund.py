"""The funds of a regional office as a ledger (DPKP, and the partnership program's money):
allocations in, disbursements out, repayments back in. The balance on a day is the sum of
the entries booked up to that day, and a disbursement must leave every balance from its
day on at or above zero: one booked back-dated may not overdraw a later day either."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from itertools import groupby

from services.chassis.errors import RuleViolation


class EntryKind(str, Enum):
    ALLOCATION = "ALLOCATION"
    DISBURSEMENT = "DISBURSEMENT"
    REPAYMENT = "REPAYMENT"


@dataclass(frozen=True)
class FundEntry:
    booked_on: date
    amount: int  # positive into the fund, negative out of it


def balance_on(entries: Iterable[FundEntry], day: date) -> int:
    return sum(e.amount for e in entries if e.booked_on <= day)


def available_from(entries: Iterable[FundEntry], day: date) -> int:
    """The most that can leave the fund on `day`: its lowest balance on `day` or after."""
    ordered = sorted(entries, key=lambda e: e.booked_on)
    lowest = running = balance_on(ordered, day)
    for _booked, same_day in groupby((e for e in ordered if e.booked_on > day), key=lambda e: e.booked_on):
        running += sum(e.amount for e in same_day)
        lowest = min(lowest, running)
    return lowest


def require_available(entries: Iterable[FundEntry], day: date, amount: int, rule_id: str) -> None:
    """A disbursement of `amount` on `day` may not take the fund below zero on any day."""
    available = available_from(entries, day)
    if amount > available:
        raise RuleViolation(rule_id, f"the fund has Rp{max(available, 0):,} available from {day.isoformat()}; the "
                            f"transfer needs Rp{amount:,}", code="FUND_BALANCE_INSUFFICIENT")
