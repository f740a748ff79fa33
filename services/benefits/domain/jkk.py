"""JKK (jaminan kecelakaan kerja): what a work accident pays, item by item (B-JKK-2..8).

`assess_jkk` turns the facts of a case (the wage, what the doctor found, the receipts)
into an `Assessment` with the rules of the accident's date:
* B-JKK-2 transport, per mode, capped (receipts of one mode are added, then capped once);
* B-JKK-3 STMB, temporary inability to work, by months (`jkk_stmb`);
* B-JKK-4 medical treatment and dentures, capped;
* B-JKK-5 partial permanent disability / loss of function, from the table (`jkk_disability`);
* B-JKK-6 total permanent disability, at once plus a periodic benefit;
* B-JKK-7 death, at once plus a periodic benefit plus the funeral cost;
* B-JKK-8 rehabilitation at the government hospital's price plus 40%, once per case (one
  price per case), and medical rehabilitation, capped.
Treatment, STMB and transport before a death or a disability are paid as well.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, Violations
from services.chassis.money import apply_rate

from .benefit_items import (
    Assessment,
    BenefitItem,
    PeriodicBenefit,
    percent,
    require_count,
    require_day,
    require_rupiah,
    rupiah,
    within_max,
)
from .benefit_rules import JkkRules, TransportMode
from .jkk_disability import WAGE_FIELD, death_item, partial_disability_items, total_disability_item
from .jkk_stmb import stmb_item

__all__ = ["DisabilityFinding", "JkkCase", "JkkOutcome", "TransportMode", "assess_jkk"]


class JkkOutcome(str, Enum):
    """How the case ended, per the treating doctor (form 3b/3c)."""

    RECOVERED = "RECOVERED"
    PARTIAL_DISABILITY = "PARTIAL_DISABILITY"  # cacat sebagian tetap (B-JKK-5)
    TOTAL_DISABILITY = "TOTAL_DISABILITY"  # cacat total tetap (B-JKK-6)
    DEATH = "DEATH"  # meninggal dunia (B-JKK-7)


@dataclass(frozen=True)
class DisabilityFinding:
    """A body part of the table (B-JKK-5): `percentage` only within a ranged row;
    `loss_of_function_pct` 100 when the part is lost, less when it only lost function."""

    code: str
    percentage: int | None = None
    loss_of_function_pct: int = 100

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise InvalidArgument.field("disabilities.code", "is required")
        if self.percentage is not None:
            require_count(self.percentage, "disabilities.percentage", maximum=100)
        if require_count(self.loss_of_function_pct, "disabilities.loss_of_function_pct", maximum=100) == 0:
            raise InvalidArgument.field("disabilities.loss_of_function_pct", "must be 1..100")


@dataclass(frozen=True)
class JkkCase:
    """The facts of one work accident, as the service officer verified them (B-JKK-9)."""

    monthly_wage: int
    accident_date: date
    outcome: JkkOutcome
    transport: tuple[tuple[TransportMode, int], ...] = ()  # (mode, receipt rupiah)
    stmb_months: int = 0
    stmb_extra_days: int = 0  # days beyond whole months, pro rata (/30)
    medical_claimed: int = 0
    dentures_claimed: int = 0
    disabilities: tuple[DisabilityFinding, ...] = ()
    left_handed: bool = False
    rehabilitation_price: int = 0
    medical_rehabilitation_claimed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "transport", tuple(self.transport))
        object.__setattr__(self, "disabilities", tuple(self.disabilities))
        problems = Violations()
        _check(problems, require_rupiah, self.monthly_wage, "monthly_wage")
        _check(problems, require_day, self.accident_date, "accident_date")
        if not isinstance(self.outcome, JkkOutcome):
            problems.add("outcome", "must be one of " + ", ".join(o.value for o in JkkOutcome))
        for entry in self.transport:
            _check_transport(problems, entry)
        _check(problems, require_count, self.stmb_months, "stmb_months")
        _check(problems, require_count, self.stmb_extra_days, "stmb_extra_days")
        for name in ("medical_claimed", "dentures_claimed", "rehabilitation_price", "medical_rehabilitation_claimed"):
            _check(problems, require_rupiah, getattr(self, name), name)
        if not all(isinstance(f, DisabilityFinding) for f in self.disabilities):
            problems.add("disabilities", "must be disability findings")
        if not isinstance(self.left_handed, bool):
            problems.add("left_handed", "must be a boolean")
        problems.raise_if_any()
        if self.disabilities and self.outcome is not JkkOutcome.PARTIAL_DISABILITY:
            raise InvalidArgument.field("disabilities", f"findings belong to a PARTIAL_DISABILITY outcome, "
                                                        f"not {self.outcome.value}")
        if self.outcome is JkkOutcome.PARTIAL_DISABILITY and not self.disabilities:
            raise InvalidArgument.field("disabilities", "a partial disability needs at least one finding")


def assess_jkk(case: JkkCase, rules: JkkRules) -> Assessment:
    """Every item of B-JKK-2..8 the case is owed, with `rules` (the version of its accident
    date). Zero claims give no line. The total stays <= MAX_RUPIAH or INVALID_ARGUMENT."""
    if case.stmb_extra_days >= rules.stmb_days_per_month:
        raise InvalidArgument.field("stmb_extra_days", f"must be below {rules.stmb_days_per_month}: "
                                                       "whole months go in stmb_months")
    wage = case.monthly_wage
    items: list[BenefitItem | None] = [
        *_transport_items(case, rules),
        stmb_item(wage, case.stmb_months, case.stmb_extra_days, rules),
        _capped("MEDICAL", "B-JKK-4", "medical treatment", case.medical_claimed, rules.medical_cap),
        _capped("DENTURES", "B-JKK-4", "dentures", case.dentures_claimed, rules.dentures_cap),
    ]
    periodic: list[PeriodicBenefit] = []
    if case.outcome is JkkOutcome.PARTIAL_DISABILITY:
        items += partial_disability_items(wage, case.disabilities, left_handed=case.left_handed, rules=rules)
    elif case.outcome is JkkOutcome.TOTAL_DISABILITY:
        items.append(total_disability_item(wage, rules))
        periodic.append(PeriodicBenefit("TOTAL_DISABILITY_PERIODIC", "B-JKK-6",
                                        rules.periodic_monthly, rules.periodic_months))
    elif case.outcome is JkkOutcome.DEATH:
        items.append(death_item(wage, rules))
        items.append(BenefitItem("FUNERAL", "B-JKK-7", "funeral cost", rules.funeral))
        periodic.append(PeriodicBenefit("DEATH_PERIODIC", "B-JKK-7", rules.periodic_monthly, rules.periodic_months))
    items += [_rehabilitation(case.rehabilitation_price, rules),
              _capped("MEDICAL_REHABILITATION", "B-JKK-8", "medical rehabilitation",
                      case.medical_rehabilitation_claimed, rules.medical_rehabilitation_cap)]
    assessment = Assessment(tuple(i for i in items if i is not None), tuple(periodic))
    within_max(assessment.total, WAGE_FIELD)
    return assessment


def _transport_items(case: JkkCase, rules: JkkRules) -> list[BenefitItem | None]:
    """B-JKK-2: receipts of one mode together, capped once per mode (splitting a trip into
    several receipts does not raise the cap)."""
    claimed: dict[TransportMode, int] = {}
    for mode, amount in case.transport:
        claimed[mode] = claimed.get(mode, 0) + amount
    return [_capped(f"TRANSPORT_{mode.value}", "B-JKK-2", f"{mode.value.lower()} transport",
                    within_max(claimed[mode], "transport.amount"), rules.transport_caps[mode])
            for mode in TransportMode if mode in claimed]


def _capped(code: str, rule_id: str, what: str, claimed: int, cap: int) -> BenefitItem | None:
    """A refund of a receipt, at most `cap` (None when nothing was claimed)."""
    if claimed == 0:
        return None
    amount = min(claimed, cap)
    note = f"{what}: claimed {rupiah(claimed)}" + (f", capped at {rupiah(cap)}" if amount < claimed else "")
    return BenefitItem(code, rule_id, note, amount, claimed=claimed)


def _rehabilitation(price: int, rules: JkkRules) -> BenefitItem | None:
    """B-JKK-8: the government hospital's price plus the markup, rounded once."""
    if price == 0:
        return None
    amount = price + apply_rate(price, rules.rehabilitation_markup_bp)
    return BenefitItem("REHABILITATION", "B-JKK-8",
                       f"government hospital price {rupiah(price)} + {percent(rules.rehabilitation_markup_bp)}",
                       within_max(amount, "rehabilitation_price"))


def _check(problems: Violations, check: Callable[[object, str], object], value: object, name: str) -> None:
    """Run one input check, collecting its violation so every problem is reported at once."""
    try:
        check(value, name)
    except InvalidArgument as error:
        problems.items.extend(error.violations)


def _check_transport(problems: Violations, entry: object) -> None:
    if not (isinstance(entry, tuple) and len(entry) == 2):
        problems.add("transport", "each entry is (mode, receipt rupiah)")
        return
    mode, amount = entry
    if not isinstance(mode, TransportMode):
        problems.add("transport.mode", "must be one of " + ", ".join(m.value for m in TransportMode))
    _check(problems, require_rupiah, amount, "transport.amount")

