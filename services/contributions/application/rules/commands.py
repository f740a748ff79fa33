"""Commands the rule-table use cases take and the results they return (C-1..C-6, C-6a, C-9).

Decoded from the request by `rules.mapping` (bad input: INVALID_ARGUMENT naming the
request field), so a use case runs, and is tested, without gRPC."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.contributions.application.rules.due_date_moves import DueDateMoved
from services.contributions.domain.rule_tables import ContributionRules, JhtReturnRate


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str


@dataclass(frozen=True)
class UmkRate:
    """C-6a: a branch area's regional minimum wage from a date."""

    branch_code: str
    effective_from: date
    monthly_rupiah: int


# ---- queries --------------------------------------------------------------------------
@dataclass(frozen=True)
class ListRuleVersions:
    table: str  # CONTRIBUTION_RULES or JHT_RETURN_RATES


@dataclass(frozen=True)
class GetRulesInForce:
    day: date


@dataclass(frozen=True)
class ListHolidays:
    year: int


@dataclass(frozen=True)
class ListUmkRates:
    branch_code: str  # "": every branch


# ---- changes (each with the regulation that makes it) ----------------------------------
@dataclass(frozen=True)
class AddRuleVersion:
    version: ContributionRules | JhtReturnRate
    reason: str


@dataclass(frozen=True)
class SetHolidays:
    year: int
    holidays: tuple[Holiday, ...]  # in day order, one per day
    reason: str


@dataclass(frozen=True)
class AddHoliday:
    holiday: Holiday
    reason: str


@dataclass(frozen=True)
class RemoveHoliday:
    day: date
    reason: str


@dataclass(frozen=True)
class SetUmkRate:
    rate: UmkRate
    reason: str


# ---- results --------------------------------------------------------------------------
@dataclass(frozen=True)
class RulesInForce:
    contribution_rules: ContributionRules
    jht_return_rate: JhtReturnRate | None  # None: the year's rate is not declared yet


@dataclass(frozen=True)
class HolidaysChanged:
    """The holidays as the change left them and the unpaid bills whose due date moved (C-6)."""

    holidays: tuple[Holiday, ...]
    moved: tuple[DueDateMoved, ...]
