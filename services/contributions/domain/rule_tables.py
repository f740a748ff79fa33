"""Versioned rule tables: every contribution rate, cap, due day and penalty rate as data.

A bill is always computed with the rule version in force for its own period, so a new
regulation is a new row (a version with a later `effective_from`), never a code change.
The versions are frozen values with `to_dict`/`from_dict` in the chassis's `RuleTable`, so
a repository can load them from a database; the seeds below are what the service starts with.

Rates are integer basis points (1 bp = 0.01%; 3.7% = 370 bp) applied by
`services.chassis.money.apply_rate`, the one place rounding happens.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from types import MappingProxyType
from typing import Any

from services.chassis.errors import FieldViolation, InvalidArgument, RuleViolation, Violations
from services.chassis.rule_tables import RuleTable, Versioned, parse_iso_date

RISK_GROUPS = (1, 2, 3, 4, 5)  # JKK risk groups I..V (M-1, C-3)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, eq=True)
class ContributionRules:
    """One version of the contribution rules (C-1..C-4, C-6, C-6a), in force from `effective_from`.

    * C-1 JHT: `jht_employer_bp` + `jht_worker_bp`, on the whole wage.
    * C-2 JK: `jk_employer_bp`, employer, whole wage.
    * C-3 JKK: `jkk_bp_by_risk_group[1..5]`, employer, whole wage.
    * C-4 JPK: `jpk_single_bp` / `jpk_married_bp`, employer, on the wage capped at
      `jpk_wage_cap_rupiah`.
    * C-6 due date: `due_day` of the month after the period (clamped to the month's length),
      moved to the next working day when `due_rolls_to_next_working_day`.
    * C-6 penalty: `penalty_bp_per_month` per started month late, simple (not compounded);
      `penalty_cap_bp` caps the total penalty rate in basis points of the late contribution
      (None = no cap, which is the rule today).
    """

    effective_from: date
    jht_employer_bp: int
    jht_worker_bp: int
    jk_employer_bp: int
    jkk_bp_by_risk_group: Mapping[int, int]
    jpk_single_bp: int
    jpk_married_bp: int
    jpk_wage_cap_rupiah: int
    due_day: int
    due_rolls_to_next_working_day: bool
    penalty_bp_per_month: int
    penalty_cap_bp: int | None
    source: str

    # A frozen mapping keeps the version immutable; it is unhashable, so is the version.
    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        table = MappingProxyType({int(k): v for k, v in dict(self.jkk_bp_by_risk_group).items()})
        object.__setattr__(self, "jkk_bp_by_risk_group", table)
        problems = Violations()
        if not isinstance(self.effective_from, date):
            problems.add("effective_from", "must be a date")
        for name in ("jht_employer_bp", "jht_worker_bp", "jk_employer_bp", "jpk_single_bp",
                     "jpk_married_bp", "jpk_wage_cap_rupiah", "penalty_bp_per_month"):
            if not _is_int(getattr(self, name)) or getattr(self, name) < 0:
                problems.add(name, "must be a non-negative integer")
        if set(table) != set(RISK_GROUPS):
            problems.add("jkk_bp_by_risk_group", "needs exactly the risk groups 1..5")
        if any(not _is_int(bp) or bp < 0 for bp in table.values()):
            problems.add("jkk_bp_by_risk_group", "rates must be non-negative integers")
        if not _is_int(self.due_day) or not 1 <= self.due_day <= 31:
            problems.add("due_day", "must be 1..31")
        if not isinstance(self.due_rolls_to_next_working_day, bool):
            problems.add("due_rolls_to_next_working_day", "must be a boolean")
        if self.penalty_cap_bp is not None and (not _is_int(self.penalty_cap_bp) or self.penalty_cap_bp < 0):
            problems.add("penalty_cap_bp", "must be None or a non-negative integer")
        if not isinstance(self.source, str) or not self.source.strip():
            problems.add("source", "cite the regulation or seed")
        problems.raise_if_any()

    def jkk_bp(self, risk_group: int) -> int:
        """C-3: the JKK rate for a risk group I..V (1..5)."""
        try:
            return self.jkk_bp_by_risk_group[risk_group]
        except KeyError:
            raise InvalidArgument.field("risk_group", "must be 1..5 (I..V)") from None

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["effective_from"] = self.effective_from.isoformat()
        # JSON object keys are strings; from_dict turns them back into ints.
        data["jkk_bp_by_risk_group"] = {str(k): v for k, v in sorted(self.jkk_bp_by_risk_group.items())}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContributionRules:
        names = {f.name for f in fields(cls)}
        missing = sorted(names - set(data))
        if missing:
            raise InvalidArgument([FieldViolation(name, "missing") for name in missing])
        values = {name: data[name] for name in names}
        values["effective_from"] = parse_iso_date("effective_from", data["effective_from"])
        values["jkk_bp_by_risk_group"] = {int(k): v for k, v in dict(data["jkk_bp_by_risk_group"]).items()}
        return cls(**values)


def rules_for_period(table: RuleTable[ContributionRules], year: int, month: int) -> ContributionRules:
    """C-6: a bill's rules (rates, due day, penalty) are those in force on its period's first day."""
    return table.in_force_on(date(year, month, 1))


_BASELINE: dict[str, Any] = dict(
    jht_employer_bp=370, jht_worker_bp=200, jk_employer_bp=30,
    jkk_bp_by_risk_group={1: 24, 2: 54, 3: 89, 4: 127, 5: 174},
    jpk_single_bp=300, jpk_married_bp=600, jpk_wage_cap_rupiah=1_000_000,
    due_day=15, due_rolls_to_next_working_day=True, penalty_bp_per_month=200, penalty_cap_bp=None,
)

#: The seeded contribution rules. Rates from seed 003 (C-1, C-3, C-4) and PP 14/1993 (C-2).
#: PP 49/2020 (COVID-19 relief) applied only to the periods August 2020 - January 2021: due
#: on the 30th of the following month and a 0.5% monthly penalty. It is modelled as a
#: version from 2020-08-01 and a version restoring the 15th and 2% from 2021-02-01; since a
#: bill takes the version in force on its period's first day, only those six periods use it.
#: A period no version covers cannot be priced: its SPI (C-5) is refused, naming that rule.
CONTRIBUTION_RULES_RULE_ID = "C-5"

SEED_CONTRIBUTION_RULES: RuleTable[ContributionRules] = RuleTable((
    ContributionRules(
        effective_from=date(1993, 1, 1), **_BASELINE,
        source="PP 14/1993 (Jamsostek); rates per seed 003; due 15th, 2%/month penalty (C-6)",
    ),
    ContributionRules(
        effective_from=date(2020, 8, 1), **{**_BASELINE, "due_day": 30, "penalty_bp_per_month": 50},
        source="PP 49/2020: periods Aug 2020 - Jan 2021 due on the 30th, penalty 0.5%/month",
    ),
    ContributionRules(
        effective_from=date(2021, 2, 1), **_BASELINE,
        source="End of PP 49/2020 relief: due 15th, penalty 2%/month again (PP 44/2015 era rules)",
    ),
), rule_id=CONTRIBUTION_RULES_RULE_ID)


@dataclass(frozen=True)
class JhtReturnRate:
    """C-9: the declared JHT return rate (hasil pengembangan) for one calendar year, in bp.

    By law the rate is at least the average 12-month deposit rate of state banks; when that
    floor is known it is recorded and checked.
    """

    year: int
    rate_bp: int
    source: str
    deposit_rate_floor_bp: int | None = None

    def __post_init__(self) -> None:
        problems = Violations()
        if not _is_int(self.year):
            problems.add("year", "must be an integer")
        if not _is_int(self.rate_bp) or self.rate_bp < 0:
            problems.add("rate_bp", "must be a non-negative integer")
        if self.deposit_rate_floor_bp is not None and not _is_int(self.deposit_rate_floor_bp):
            problems.add("deposit_rate_floor_bp", "must be None or an integer")
        problems.raise_if_any()
        if self.deposit_rate_floor_bp is not None and self.rate_bp < self.deposit_rate_floor_bp:
            raise RuleViolation("C-9", f"{self.year}: declared rate below the state-bank deposit rate")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JhtReturnRate:
        return cls(int(data["year"]), data["rate_bp"], data["source"], data.get("deposit_rate_floor_bp"))


@dataclass(frozen=True)
class JhtReturnRates:
    """C-9: declared yearly JHT return rates by year. A year without a declared rate has none:
    it is never silently filled from another year."""

    rates: tuple[JhtReturnRate, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.rates, key=lambda r: r.year))
        if len({r.year for r in ordered}) != len(ordered):
            raise InvalidArgument.field("rates", "one declared rate per year")
        object.__setattr__(self, "rates", ordered)

    def rate_for(self, year: int) -> int:
        for rate in self.rates:
            if rate.year == year:
                return rate.rate_bp
        raise RuleViolation("C-9", f"no JHT return rate declared for {year}")

    def to_dict(self) -> dict[str, Any]:
        return {"rates": [r.to_dict() for r in self.rates]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JhtReturnRates:
        return cls(tuple(JhtReturnRate.from_dict(r) for r in data["rates"]))


_PLACEHOLDER = "SEED PLACEHOLDER: replace with the rate the agency declared for this year"

#: Seeded return rates. Only 2011 (10.10%) comes from the rule book (C-9); the other years
#: are plausible placeholders so the ledger can be exercised, to be replaced by the declared
#: rates before any statement is issued.
SEED_JHT_RETURN_RATES = JhtReturnRates((
    JhtReturnRate(2010, 1000, _PLACEHOLDER),
    JhtReturnRate(2011, 1010, "C-9: 10.10% a year from 2011 (seed 000/003, regulation)"),
    JhtReturnRate(2012, 1010, _PLACEHOLDER),
    JhtReturnRate(2013, 1010, _PLACEHOLDER),
))


__all__ = ["ContributionRules", "JhtReturnRate", "JhtReturnRates", "RISK_GROUPS", "RuleTable", "Versioned",
           "SEED_CONTRIBUTION_RULES", "SEED_JHT_RETURN_RATES", "rules_for_period"]
