"""Plausibility bounds for worker records (M-4), as a rule table with effective-from dates.

These are not rates but they are policy, so they live in data like every other rule
(docs/rules.md): a change is a new row, and a record is checked with the row in force on its
own date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class WorkerRules:
    effective_from: date
    # Minimum working age: 15, the minimum age of ILO Convention 138 as ratified by
    # Indonesia (UU 20/1999) and kept by the Manpower Act (UU 13/2003).
    minimum_working_age: int = 15
    # A worker aged this or more at the start of employment is a data-entry error.
    absurd_age: int = 100
    # A monthly wage at or above this is a data-entry error (an extra zero or two), not pay.
    absurd_monthly_wage_rupiah: int = 1_000_000_000


WORKER_RULE_TABLE: tuple[WorkerRules, ...] = (
    # From the Jamsostek Act (UU 3/1992); earlier dates use this row too.
    WorkerRules(effective_from=date(1992, 2, 17)),
)


def worker_rules_on(day: date, table: tuple[WorkerRules, ...] = WORKER_RULE_TABLE) -> WorkerRules:
    """The row in force on `day` (the earliest row for days before the table starts)."""
    rows = sorted(table, key=lambda row: row.effective_from)
    in_force = [row for row in rows if row.effective_from <= day]
    return in_force[-1] if in_force else rows[0]
