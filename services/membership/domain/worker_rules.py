"""Membership's rule tables with effective-from dates: plausibility bounds for worker
records (M-4) and JPK family coverage (M-6: how many children, until which age).

These are policy, so they live in data like every other rule (docs/rules.md): a change is
a new version, and a record is checked with the version in force on its own date.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, TypeVar

from services.chassis.rule_tables import RuleTable, Versioned

V = TypeVar("V", bound=Versioned)


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

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "effective_from": self.effective_from.isoformat()}


@dataclass(frozen=True)
class FamilyRules:
    """M-6: who of a married worker's family JPK covers, in force from `effective_from`."""

    effective_from: date
    max_covered_children: int
    child_age_limit: int  # covered while younger
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "effective_from": self.effective_from.isoformat()}


WORKER_RULE_TABLE: RuleTable[WorkerRules] = RuleTable((
    # From the Jamsostek Act (UU 3/1992); earlier dates use this row too.
    WorkerRules(effective_from=date(1992, 2, 17)),
), rule_id="M-4")

FAMILY_RULES: RuleTable[FamilyRules] = RuleTable((
    # Earlier dates use this row too.
    FamilyRules(date(1993, 1, 1), max_covered_children=3, child_age_limit=21,
                source="seed 003: spouse and at most 3 children under 21, unmarried (PP 14/1993)"),
), rule_id="M-6")


def _in_force(table: RuleTable[V], day: date) -> V:
    """The version in force on `day`, or the earliest for days before the table starts:
    the records of old members predate the first version we hold."""
    return table.in_force_on(max(day, table.versions[0].effective_from))


def worker_rules_on(day: date) -> WorkerRules:
    return _in_force(WORKER_RULE_TABLE, day)


def family_rules_on(day: date) -> FamilyRules:
    return _in_force(FAMILY_RULES, day)
