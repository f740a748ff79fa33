"""B-JKK-3: temporary inability to work (STMB, santunan sementara tidak mampu bekerja).

The first 4 months pay 100% of the monthly wage, the next 4 months 75%, after that 50%
(the blocks are data in `JkkRules.stmb_blocks`). Days beyond the whole months are paid pro
rata at the rate of the month they fall in (/30, also data). The whole sum is rounded once.
"""
from __future__ import annotations

from services.chassis.money import BASIS_POINTS_PER_UNIT, apply_fraction

from .benefit_items import BenefitItem, percent, rupiah, within_max
from .benefit_rules import JkkRules, StmbBlock

MONTHS_FIELD = "stmb_months"


def stmb_item(monthly_wage: int, months: int, extra_days: int, rules: JkkRules) -> BenefitItem | None:
    """The STMB line for `months` whole months plus `extra_days` (None when no time off)."""
    if months == 0 and extra_days == 0:
        return None
    per_month = rules.stmb_days_per_month
    spans = _spans(months, rules.stmb_blocks)
    # bp x days over every span, so that the one rounding happens on the whole sum
    bp_days = sum(taken * block.rate_bp for taken, block in spans) * per_month
    parts = [f"{taken} months x {percent(block.rate_bp)}" for taken, block in spans if taken]
    if extra_days:
        rate_bp = _rate_of_month(months, rules.stmb_blocks)
        bp_days += extra_days * rate_bp
        parts.append(f"{extra_days}/{per_month} month x {percent(rate_bp)}")
    amount = apply_fraction(monthly_wage, bp_days, BASIS_POINTS_PER_UNIT * per_month)
    description = " + ".join(parts) or "no STMB rate for these months"
    return BenefitItem("STMB", "B-JKK-3", f"{description} of {rupiah(monthly_wage)}",
                       within_max(amount, MONTHS_FIELD))


def _spans(months: int, blocks: tuple[StmbBlock, ...]) -> list[tuple[int, StmbBlock]]:
    """How many of `months` fall in each block, in order (arithmetic, not a loop per month:
    a month count at the edge of int64 is refused by the amount, not by a hang)."""
    spans: list[tuple[int, StmbBlock]] = []
    remaining = months
    for block in blocks:
        taken = remaining if block.months is None else min(remaining, block.months)
        spans.append((taken, block))
        remaining -= taken
    return spans  # months beyond a closed last block are not paid


def _rate_of_month(index: int, blocks: tuple[StmbBlock, ...]) -> int:
    """The rate of the month at 0-based `index` (0 for a month past a closed last block)."""
    start = 0
    for block in blocks:
        if block.months is None or index < start + block.months:
            return block.rate_bp
        start += block.months
    return 0
