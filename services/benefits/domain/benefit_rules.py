"""The benefits rule tables: every cap, rate and amount of B-JKK-2..8, B-JK-1 and B-JPK-2..7 as dated data.

A claim is computed with the version in force on its own date (the accident for JKK, the
death for JK, the care for JPK), so a new regulation is a new version, never a code change.
Each version is a frozen value with `effective_from`, `to_dict()` and `from_dict()`, so the
rule store can keep them; the tables below are what the service starts with. Rates are
basis points (1 bp = 0.01%) applied by `services.chassis.money`, the one place that rounds.

Sources. JKK (B-JKK-2..8): seed 003, amounts per PP 84/2010; one version from 20 December
2010, the day PP 84/2010 was promulgated (to confirm: its transitional rules). JK (B-JK-1):
the rule book gives the figures of all three versions; the dates are the regulations'
promulgation / entry dates and are to confirm: PP 84/2010 from 2010-12-20, PP 44/2015
from 2015-07-01 (BPJS Ketenagakerjaan's full operation), PP 82/2019 from 2019-12-02.
The rule book gives no scholarship for PP 82/2019 (that regulation reshaped the
scholarship into per-child amounts the table does not model yet): its version carries 0,
to confirm. Whether heirs may still take the periodic benefit month by month after PP
84/2010 is not in the rule book; the later versions pay it at once (to confirm). JPK
(B-JPK-2..7): seed 003, the Jamsostek-era JPK under PP 14/1993, one version from 1993.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from datetime import date
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

from services.chassis.errors import FieldViolation, InvalidArgument, Violations
from services.chassis.rule_tables import RuleTable, Versioned, parse_iso_date

from .benefit_items import is_int
from .disability_table import DISABILITY_ROWS, DisabilityRow, index_rows

V = TypeVar("V", bound=Versioned)


class TransportMode(str, Enum):
    """B-JKK-2: how the injured worker was carried."""

    LAND = "LAND"  # land, river or lake
    SEA = "SEA"
    AIR = "AIR"


@dataclass(frozen=True)
class StmbBlock:
    """B-JKK-3: `months` of temporary inability to work paid at `rate_bp` of the monthly
    wage; `months` None is the open-ended last block ("after that")."""

    months: int | None
    rate_bp: int

    def to_dict(self) -> dict[str, Any]:
        return {"months": self.months, "rate_bp": self.rate_bp}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StmbBlock:
        return cls(data["months"], data["rate_bp"])


@dataclass(frozen=True)
class JkkRules:
    """One version of the work-accident benefits (B-JKK-2..8)."""

    effective_from: date
    source: str
    transport_caps: Mapping[TransportMode, int]  # B-JKK-2
    stmb_blocks: tuple[StmbBlock, ...]  # B-JKK-3
    stmb_days_per_month: int  # B-JKK-3: days beyond whole months are paid pro rata
    medical_cap: int  # B-JKK-4
    dentures_cap: int  # B-JKK-4
    disability_wage_months: int  # B-JKK-5..7: "x 80 months' wage"
    disability_rows: tuple[DisabilityRow, ...]  # B-JKK-5
    total_disability_bp: int  # B-JKK-6
    death_bp: int  # B-JKK-7
    periodic_monthly: int  # B-JKK-6, B-JKK-7
    periodic_months: int
    funeral: int  # B-JKK-7
    rehabilitation_markup_bp: int  # B-JKK-8: government hospital price plus this
    medical_rehabilitation_cap: int  # B-JKK-8

    __hash__ = None  # type: ignore[assignment]  # the caps mapping is unhashable

    def __post_init__(self) -> None:
        caps = MappingProxyType({TransportMode(k): v for k, v in dict(self.transport_caps).items()})
        object.__setattr__(self, "transport_caps", caps)
        object.__setattr__(self, "stmb_blocks", tuple(self.stmb_blocks))
        object.__setattr__(self, "disability_rows", tuple(self.disability_rows))
        problems = _common_checks(self, ("stmb_days_per_month", "medical_cap", "dentures_cap",
                                         "disability_wage_months", "total_disability_bp", "death_bp",
                                         "periodic_monthly", "periodic_months", "funeral",
                                         "rehabilitation_markup_bp", "medical_rehabilitation_cap"))
        if set(caps) != set(TransportMode) or not all(is_int(v) and v >= 0 for v in caps.values()):
            problems.add("transport_caps", "needs a non-negative cap for each of LAND, SEA, AIR")
        if not _valid_blocks(self.stmb_blocks):
            problems.add("stmb_blocks", "blocks of at least one month, non-negative rates, only the last open-ended")
        if self.stmb_days_per_month == 0:
            problems.add("stmb_days_per_month", "must be positive")
        problems.raise_if_any()
        index_rows(self.disability_rows)  # an inconsistent table (a duplicate code, a missing mirror) is refused

    @property
    def disability_table(self) -> Mapping[str, DisabilityRow]:
        """B-JKK-5: this version's rows by code (a dozen rows: indexed on demand)."""
        return index_rows(self.disability_rows)

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self)
        data["transport_caps"] = {mode.value: cap for mode, cap in self.transport_caps.items()}
        data["stmb_blocks"] = [b.to_dict() for b in self.stmb_blocks]
        data["disability_rows"] = [r.to_dict() for r in self.disability_rows]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JkkRules:
        values = _values(cls, data)
        try:
            values["transport_caps"] = {TransportMode(k): v for k, v in dict(data["transport_caps"]).items()}
        except (TypeError, ValueError):
            raise InvalidArgument.field("transport_caps", "keys are LAND, SEA, AIR") from None
        values["stmb_blocks"] = tuple(StmbBlock.from_dict(b) for b in data["stmb_blocks"])
        values["disability_rows"] = tuple(DisabilityRow.from_dict(r) for r in data["disability_rows"])
        return cls(**values)


@dataclass(frozen=True)
class JkRules:
    """One version of the death benefit not from a work accident (B-JK-1).

    `periodic_monthly` x `periodic_months` is the periodic benefit, or `periodic_at_once`
    paid in one sum; `periodic_monthly_offered` says whether heirs may take it monthly.
    """

    effective_from: date
    regulation: str
    lump_sum: int
    periodic_monthly: int
    periodic_months: int
    periodic_at_once: int
    funeral: int
    scholarship: int
    periodic_monthly_offered: bool = True
    source: str = ""

    def __post_init__(self) -> None:
        problems = _common_checks(self, ("lump_sum", "periodic_monthly", "periodic_months", "periodic_at_once",
                                         "funeral", "scholarship"), source_field="regulation")
        if not isinstance(self.periodic_monthly_offered, bool):
            problems.add("periodic_monthly_offered", "must be a boolean")
        problems.raise_if_any()

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JkRules:
        return cls(**_values(cls, data))


@dataclass(frozen=True)
class JpkRules:
    """One version of the health-care coverage limits (B-JPK-2..7)."""

    effective_from: date
    source: str
    childbirth_limit: int  # B-JPK-2: covered up to the 3rd child
    facility_change_after_months: int  # B-JPK-3
    emergency_outside_network_max_days: int  # B-JPK-4
    care_days_per_case_per_year: int  # B-JPK-5
    intensive_care_max_days: int  # B-JPK-5 (per case per year, within the care days)
    claim_deadline_months: int  # B-JPK-6: after the employer paid off its arrears
    extra_checkup_from_age: int  # B-JPK-7
    # M-6 as the coverage check applies it to a dependant (membership's family rule; the
    # figures are here until membership publishes its table for a replica).
    dependant_children_max: int  # at most 3 children
    dependant_child_age_limit: int  # under 21

    def __post_init__(self) -> None:
        _common_checks(self, tuple(f.name for f in fields(self) if f.name not in ("effective_from", "source"))
                       ).raise_if_any()

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JpkRules:
        return cls(**_values(cls, data))


# ---- shared version plumbing -------------------------------------------------------------
def _common_checks(version: Any, int_fields: tuple[str, ...], *, source_field: str = "source") -> Violations:
    problems = Violations()
    if not isinstance(version.effective_from, date):
        problems.add("effective_from", "must be a date")
    text = getattr(version, source_field)
    if not isinstance(text, str) or not text.strip():
        problems.add(source_field, "cite the regulation or seed")
    for name in int_fields:
        value = getattr(version, name)
        if not is_int(value) or value < 0:
            problems.add(name, "must be a non-negative integer")
    return problems


def _valid_blocks(blocks: tuple[StmbBlock, ...]) -> bool:
    if not blocks or not all(isinstance(b, StmbBlock) for b in blocks):
        return False
    *closed, last = blocks
    return (all(is_int(b.months) and b.months is not None and b.months >= 1 for b in closed)
            and (last.months is None or (is_int(last.months) and last.months >= 1))
            and all(is_int(b.rate_bp) and b.rate_bp >= 0 for b in blocks))


def _plain(version: Any) -> dict[str, Any]:
    data = {f.name: getattr(version, f.name) for f in fields(version)}
    data["effective_from"] = version.effective_from.isoformat()
    return data


def _values(cls: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """A version's fields from stored data: every field without a default must be there."""
    required = {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}
    missing = sorted(required - set(data))
    if missing:
        raise InvalidArgument([FieldViolation(name, "missing") for name in missing])
    values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
    values["effective_from"] = parse_iso_date("effective_from", data["effective_from"])
    return values


# ---- the tables the service starts with ---------------------------------------------------
PP_84_2010 = date(2010, 12, 20)

JKK_RULES: RuleTable[JkkRules] = RuleTable((
    JkkRules(
        effective_from=PP_84_2010,
        source="PP 84/2010 (seed 003): B-JKK-2..8",
        transport_caps={TransportMode.LAND: 750_000, TransportMode.SEA: 1_000_000, TransportMode.AIR: 2_000_000},
        stmb_blocks=(StmbBlock(4, 10_000), StmbBlock(4, 7_500), StmbBlock(None, 5_000)),
        stmb_days_per_month=30,
        medical_cap=20_000_000,
        dentures_cap=2_000_000,
        disability_wage_months=80,
        disability_rows=DISABILITY_ROWS,
        total_disability_bp=7_000,
        death_bp=6_000,
        periodic_monthly=200_000,
        periodic_months=24,
        funeral=2_000_000,
        rehabilitation_markup_bp=4_000,
        medical_rehabilitation_cap=2_000_000,
    ),
), rule_id="B-JKK-2")

JK_RULES: RuleTable[JkRules] = RuleTable((
    # 14,200,000 + 200,000 x 24 (or 4,800,000 at once) + 2,000,000 = 21,000,000
    JkRules(PP_84_2010, "PP 84/2010", lump_sum=14_200_000, periodic_monthly=200_000, periodic_months=24,
            periodic_at_once=4_800_000, funeral=2_000_000, scholarship=0,
            source="rule book B-JK-1; date to confirm"),
    # 16,200,000 + 4,800,000 + 3,000,000 + 12,000,000 = 36,000,000
    JkRules(date(2015, 7, 1), "PP 44/2015", lump_sum=16_200_000, periodic_monthly=200_000, periodic_months=24,
            periodic_at_once=4_800_000, funeral=3_000_000, scholarship=12_000_000, periodic_monthly_offered=False,
            source="rule book B-JK-1; date and the at-once payment to confirm"),
    # 20,000,000 + 500,000 x 24 = 12,000,000 + 10,000,000 = 42,000,000
    JkRules(date(2019, 12, 2), "PP 82/2019", lump_sum=20_000_000, periodic_monthly=500_000, periodic_months=24,
            periodic_at_once=12_000_000, funeral=10_000_000, scholarship=0, periodic_monthly_offered=False,
            source="rule book B-JK-1; date, the at-once payment and the scholarship to confirm"),
), rule_id="B-JK-1")

JPK_RULES: RuleTable[JpkRules] = RuleTable((
    JpkRules(date(1993, 1, 1), "seed 003 (Jamsostek JPK, PP 14/1993)", childbirth_limit=3,
             facility_change_after_months=6, emergency_outside_network_max_days=7,
             care_days_per_case_per_year=60, intensive_care_max_days=20, claim_deadline_months=3,
             extra_checkup_from_age=40, dependant_children_max=3, dependant_child_age_limit=21),
), rule_id="B-JPK-1")


def jkk_rules_on(accident_date: date, table: RuleTable[JkkRules] = JKK_RULES) -> JkkRules:
    """B-JKK-2..8: the version in force on the accident date."""
    return table.in_force_on(accident_date)


def jk_rules_on(death_date: date, table: RuleTable[JkRules] = JK_RULES) -> JkRules:
    """B-JK-1: the date of death picks the version."""
    return table.in_force_on(death_date)


def jpk_rules_on(care_date: date, table: RuleTable[JpkRules] = JPK_RULES) -> JpkRules:
    """B-JPK-1..7: the version in force on the day of care (or of the claim)."""
    return table.in_force_on(care_date)


def load_table(data: Mapping[str, Any], load: Callable[[Mapping[str, Any]], V], rule_id: str) -> RuleTable[V]:
    """A stored table back, e.g. ``load_table(d, JkRules.from_dict, "B-JK-1")``."""
    return RuleTable.from_dict(data, load, rule_id=rule_id)
