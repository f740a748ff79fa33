"""B-JKK-5..7: the wage-based lump sums of a work accident, x 80 months' wage.

* Partial permanent disability (B-JKK-5): table percentage x 80 months' wage; a loss of
  function pays its % of that. The partial items together never exceed what a total
  disability would pay (B-JKK-6's lump sum): a worker is never better off partly disabled.
* Total permanent disability (B-JKK-6): 70% x 80 months' wage.
* Death (B-JKK-7): 60% x 80 months' wage.
Each line is rounded once (half up).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from services.chassis.errors import InvalidArgument
from services.chassis.money import BASIS_POINTS_PER_UNIT, apply_fraction

from .benefit_items import BenefitItem, percent, rupiah, within_max
from .benefit_rules import JkkRules
from .disability_table import DisabilityRow, for_worker

WAGE_FIELD = "monthly_wage"
PERCENT = 100


class Finding(Protocol):
    """What the doctor found: `jkk.DisabilityFinding`."""

    @property
    def code(self) -> str: ...
    @property
    def percentage(self) -> int | None: ...
    @property
    def loss_of_function_pct(self) -> int: ...


def wage_months_lump_sum(monthly_wage: int, rate_bp: int, rules: JkkRules) -> int:
    """`rate_bp` x `disability_wage_months` months' wage, rounded once."""
    return apply_fraction(monthly_wage, rate_bp * rules.disability_wage_months, BASIS_POINTS_PER_UNIT)


def _of_wage(rate: str, rules: JkkRules, monthly_wage: int) -> str:
    return f"{rate} x {rules.disability_wage_months} months x {rupiah(monthly_wage)}"


def total_disability_item(monthly_wage: int, rules: JkkRules) -> BenefitItem:
    amount = wage_months_lump_sum(monthly_wage, rules.total_disability_bp, rules)
    return BenefitItem("TOTAL_DISABILITY", "B-JKK-6",
                       _of_wage(percent(rules.total_disability_bp), rules, monthly_wage),
                       within_max(amount, WAGE_FIELD))


def death_item(monthly_wage: int, rules: JkkRules) -> BenefitItem:
    amount = wage_months_lump_sum(monthly_wage, rules.death_bp, rules)
    return BenefitItem("DEATH", "B-JKK-7", _of_wage(percent(rules.death_bp), rules, monthly_wage),
                       within_max(amount, WAGE_FIELD))


def partial_disability_items(monthly_wage: int, findings: Sequence[Finding], *, left_handed: bool,
                             rules: JkkRules) -> list[BenefitItem]:
    """B-JKK-5: one line per finding, in order, capped together at the total-disability sum."""
    cap = wage_months_lump_sum(monthly_wage, rules.total_disability_bp, rules)
    remaining = cap
    items = []
    for finding in findings:
        row = for_worker(finding.code, left_handed=left_handed, table=rules.disability_table)
        pct = _percentage(finding, row)
        loss = finding.loss_of_function_pct
        computed = apply_fraction(monthly_wage, pct * loss * rules.disability_wage_months, PERCENT * PERCENT)
        amount = min(computed, remaining)
        remaining -= amount
        description = _of_wage(f"{pct}% ({row.body_part})", rules, monthly_wage)
        if loss != PERCENT:
            description = f"{loss}% loss of function x {description}"
        if amount < computed:
            description += (f" = {rupiah(computed)}, capped: partial disabilities together at most the "
                            f"total disability {rupiah(cap)}")
        code = "PARTIAL_DISABILITY" if loss == PERCENT else "LOSS_OF_FUNCTION"
        items.append(BenefitItem(code, "B-JKK-5", description, within_max(amount, WAGE_FIELD)))
    return items


def _percentage(finding: Finding, row: DisabilityRow) -> int:
    """The table percentage of this finding: a fixed row's own, or the doctor's within a range."""
    given = finding.percentage
    if given is None:
        if row.is_range:
            raise InvalidArgument.field("disabilities.percentage",
                                        f"{row.code} is {row.percentage_min}-{row.percentage_max}%: give the percentage")
        return row.percentage_min
    if not row.percentage_min <= given <= row.percentage_max:
        span = (f"{row.percentage_min}%" if not row.is_range
                else f"{row.percentage_min}-{row.percentage_max}%")
        raise InvalidArgument.field("disabilities.percentage", f"{row.code} is {span}, not {given}%")
    return given
