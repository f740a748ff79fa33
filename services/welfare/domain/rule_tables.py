"""Every rate, cap, amount and period of the welfare programs as dated rule tables
(`RuleTable` of frozen versions), so an application or loan is judged and priced with the
version in force on its own date and a new regulation is a new version, never a code edit.

The figures are the rule book's (seed 003). The rule book names no rate or term for PUMP
and for partnership loans: those versions carry the DPKP terms of W-K-2 (PUMP) and the
partnership program's administration fee of 6% a year (PER-05/MBU/2007), to be confirmed
by the head office like any other version. The seed versions are in force from
2000-01-01: the seed documents carry no date of their own.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from services.chassis.errors import InvalidArgument
from services.chassis.rule_tables import RuleTable, parse_iso_date

SEED_DATE = date(2000, 1, 1)


class _FlatVersion:
    """to_dict/from_dict for a version whose fields are `effective_from` and integers."""

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)  # type: ignore[call-overload]
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name not in data:
                raise InvalidArgument.field(f.name, "required in the rule version")
            raw = data[f.name]
            if f.name == "effective_from":
                values[f.name] = parse_iso_date(f.name, raw)
            elif isinstance(raw, bool) or not isinstance(raw, int) or raw < 0 or raw >= 10**15:
                raise InvalidArgument.field(f.name, "must be a whole number, not negative")
            elif raw == 0 and not f.name.startswith("interest"):
                raise InvalidArgument.field(f.name, "must be positive (only an interest rate may be 0)")
            else:
                values[f.name] = raw
        unknown = sorted(set(data) - {f.name for f in dataclasses.fields(cls)})  # type: ignore[arg-type]
        if unknown:
            raise InvalidArgument.field(unknown[0], f"not a figure of {cls.__name__}")
        return cls(**values)


@dataclass(frozen=True)
class ScholarshipRules(_FlatVersion):
    """W-S-1 amounts per month and level, for `months` months; W-S-2 conditions."""

    effective_from: date
    primary_monthly_rupiah: int
    junior_high_monthly_rupiah: int
    senior_high_monthly_rupiah: int
    university_monthly_rupiah: int
    months: int
    employer_registered_months: int
    membership_months: int
    wage_cap_of_umk_bp: int  # 300% of the UMK of the branch area
    school_grade_above_hundredths: int  # strictly above 7.00
    university_gpa_at_least_hundredths: int  # at least 2.75
    max_child_order: int  # 1st, 2nd or 3rd child


@dataclass(frozen=True)
class CooperativeLoanRules(_FlatVersion):
    """W-K-1 durations, W-K-2 limit, term, interest and collateral."""

    effective_from: date
    employer_registered_months: int
    cooperative_founded_months: int
    limit_of_assets_bp: int  # 30% of the cooperative's assets
    max_term_months: int  # 5 years
    interest_bp_per_year: int  # 3% a year, flat
    collateral_threshold_rupiah: int  # loans of Rp100,000,000 or more ...
    collateral_bp: int  # ... need collateral of at least 110%


@dataclass(frozen=True)
class PumpRules(_FlatVersion):
    """W-P-4 terms: the DPKP loan terms (rate, longest term) and the largest loan per worker."""

    effective_from: date
    interest_bp_per_year: int
    max_term_months: int
    max_loan_per_worker_rupiah: int


@dataclass(frozen=True)
class PartnershipRules(_FlatVersion):
    """W-M-2 small-business limits; W-M-1 loan terms per kind."""

    effective_from: date
    net_assets_cap_rupiah: int  # excluding land and buildings
    annual_sales_cap_rupiah: int
    business_months: int  # in business at least 1 year
    interest_bp_per_year: int
    ordinary_max_term_months: int
    special_max_term_months: int


SCHOLARSHIP_RULES: RuleTable[ScholarshipRules] = RuleTable([ScholarshipRules(
    effective_from=SEED_DATE, primary_monthly_rupiah=150_000, junior_high_monthly_rupiah=150_000,
    senior_high_monthly_rupiah=200_000, university_monthly_rupiah=200_000, months=12,
    employer_registered_months=12, membership_months=12, wage_cap_of_umk_bp=30_000,
    school_grade_above_hundredths=700, university_gpa_at_least_hundredths=275, max_child_order=3,
)], rule_id="W-S-1")

COOPERATIVE_LOAN_RULES: RuleTable[CooperativeLoanRules] = RuleTable([CooperativeLoanRules(
    effective_from=SEED_DATE, employer_registered_months=12, cooperative_founded_months=12,
    limit_of_assets_bp=3_000, max_term_months=60, interest_bp_per_year=300,
    collateral_threshold_rupiah=100_000_000, collateral_bp=11_000,
)], rule_id="W-K-2")

PUMP_RULES: RuleTable[PumpRules] = RuleTable([PumpRules(
    effective_from=SEED_DATE, interest_bp_per_year=300, max_term_months=60,
    max_loan_per_worker_rupiah=50_000_000,
)], rule_id="W-P-4")

PARTNERSHIP_RULES: RuleTable[PartnershipRules] = RuleTable([PartnershipRules(
    effective_from=SEED_DATE, net_assets_cap_rupiah=200_000_000, annual_sales_cap_rupiah=1_000_000_000,
    business_months=12, interest_bp_per_year=600, ordinary_max_term_months=36, special_max_term_months=12,
)], rule_id="W-M-2")
