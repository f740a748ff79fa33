"""Contribution (iuran) calculation for one worker and one period: C-1..C-4, C-6a.

Each line is rounded once, by `apply_rate` (round half up to the rupiah). A bill's total is
the sum of its lines and is never rounded again, so the SPI (C-5) adds up line by line.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from services.chassis.errors import InvalidArgument, Violations
from services.chassis.money import apply_rate
from services.contributions.domain.rule_tables import RISK_GROUPS, ContributionRules


class Program(str, Enum):
    JHT = "JHT"  # Jaminan Hari Tua: old-age savings (C-1)
    JKK = "JKK"  # Jaminan Kecelakaan Kerja: work accident (C-3)
    JK = "JK"    # Jaminan Kematian: death (C-2)
    JPK = "JPK"  # Jaminan Pemeliharaan Kesehatan: health care (C-4)


class Payer(str, Enum):
    EMPLOYER = "EMPLOYER"
    WORKER = "WORKER"


class MaritalStatus(str, Enum):
    """M-4 marital status. For the JPK rate (C-4) only MARRIED is "berkeluarga" (married,
    6%): a divorced or widowed worker has no spouse to cover and pays the single rate (3%).
    Children of a divorced or widowed worker are a membership question (M-6), not a rate."""

    SINGLE = "SINGLE"
    MARRIED = "MARRIED"
    DIVORCED = "DIVORCED"
    WIDOWED = "WIDOWED"


@dataclass(frozen=True)
class WorkerWageFacts:
    """What the calculation needs about one worker for one period (M-4, C-6a).

    `wage_rupiah` is the basic wage plus fixed allowances; `umk_rupiah` the regional minimum
    wage (UMK) of the workplace, or None when not known.
    """

    kpj: str
    wage_rupiah: int
    marital_status: MaritalStatus | str
    risk_group: int
    umk_rupiah: int | None = None

    def __post_init__(self) -> None:
        problems = Violations()
        if not isinstance(self.kpj, str) or not self.kpj.strip():
            problems.add("kpj", "required")
        if not _is_int(self.wage_rupiah) or self.wage_rupiah < 0:
            problems.add("wage_rupiah", "must be a non-negative whole number of rupiah")
        try:
            object.__setattr__(self, "marital_status", MaritalStatus(self.marital_status))
        except ValueError:
            problems.add("marital_status", f"one of {', '.join(m.value for m in MaritalStatus)}")
        if not _is_int(self.risk_group) or self.risk_group not in RISK_GROUPS:
            problems.add("risk_group", "must be 1..5 (I..V)")
        if self.umk_rupiah is not None and (not _is_int(self.umk_rupiah) or self.umk_rupiah <= 0):
            problems.add("umk_rupiah", "must be a positive whole number of rupiah or absent")
        problems.raise_if_any()


@dataclass(frozen=True)
class ContributionLine:
    """One SPI line: a program's share for one payer. `amount_rupiah == apply_rate(base, rate)`."""

    program: Program
    payer: Payer
    base_rupiah: int
    rate_bp: int
    amount_rupiah: int


@dataclass(frozen=True)
class CorrectionLine:
    """C-5/C-7: the change in one program/payer share after a back-dated wage change.

    `amount_rupiah = new_amount_rupiah - old_amount_rupiah`: the difference of the two
    lines as they were rounded, so that old bill + correction == new bill to the rupiah
    (applying the rate to the wage difference could be one rupiah off)."""

    program: Program
    payer: Payer
    old_amount_rupiah: int
    new_amount_rupiah: int
    amount_rupiah: int


def contribution_base(wage_rupiah: int, umk_rupiah: int | None) -> int:
    """C-6a: the wage used is never below the regional minimum wage (UMK)."""
    return wage_rupiah if umk_rupiah is None else max(wage_rupiah, umk_rupiah)


def compute_lines(facts: WorkerWageFacts, rules: ContributionRules) -> list[ContributionLine]:
    """C-1..C-4 for one worker: JHT employer and worker, JKK, JK and JPK lines, in that order.

    JHT, JKK and JK use the whole wage; JPK uses the wage capped at `jpk_wage_cap_rupiah`;
    the wage is first raised to the UMK (C-6a). `rules` is the version in force for the period.
    """
    base = contribution_base(facts.wage_rupiah, facts.umk_rupiah)
    married = facts.marital_status is MaritalStatus.MARRIED
    return [ContributionLine(p, payer, b, bp, apply_rate(b, bp))
            for p, payer, b, bp in line_shares(base, married, facts.risk_group, rules)]


def line_plan(married: bool, risk_group: int,
              rules: ContributionRules) -> tuple[tuple[Program, Payer, int, int | None], ...]:
    """Each line of `compute_lines` as (program, payer, rate, cap), in order: the line's base
    is the contribution base, capped at `cap` when it has one (C-4's JPK wage cap). What
    differs between two workers of one plan is their base alone."""
    jpk_rate = rules.jpk_married_bp if married else rules.jpk_single_bp
    return (
        (Program.JHT, Payer.EMPLOYER, rules.jht_employer_bp, None),
        (Program.JHT, Payer.WORKER, rules.jht_worker_bp, None),
        (Program.JKK, Payer.EMPLOYER, rules.jkk_bp(risk_group), None),
        (Program.JK, Payer.EMPLOYER, rules.jk_employer_bp, None),
        (Program.JPK, Payer.EMPLOYER, jpk_rate, rules.jpk_wage_cap_rupiah),
    )


def line_shares(base: int, married: bool, risk_group: int,
                rules: ContributionRules) -> tuple[tuple[Program, Payer, int, int], ...]:
    """Each line of `compute_lines` as (program, payer, base, rate) before its rate is
    applied, for a contribution base already raised to the UMK (C-6a)."""
    return tuple((program, payer, base if cap is None else min(base, cap), rate)
                 for program, payer, rate, cap in line_plan(married, risk_group, rules))


def bill_total(lines: Iterable[ContributionLine | CorrectionLine]) -> int:
    """C-5: the total of a bill is the sum of its already rounded lines."""
    return sum(line.amount_rupiah for line in lines)


def total_by_payer(lines: Iterable[ContributionLine | CorrectionLine]) -> dict[Payer, int]:
    """What the employer pays and what it withholds from the worker's wage (C-1)."""
    totals = {Payer.EMPLOYER: 0, Payer.WORKER: 0}
    for line in lines:
        totals[line.payer] += line.amount_rupiah
    return totals


def correction_lines(old_facts: WorkerWageFacts, new_facts: WorkerWageFacts,
                     rules: ContributionRules) -> list[CorrectionLine]:
    """Difference lines (new minus old) for a back-dated change of a worker's wage facts.

    Both sides use the same `rules` (the version in force for the corrected period). Lines
    whose amount does not change are left out; a negative amount is a refund or credit.
    """
    if old_facts.kpj != new_facts.kpj:
        raise InvalidArgument.field("kpj", "a correction is for one worker: old and new KPJ differ")
    old = {(line.program, line.payer): line.amount_rupiah for line in compute_lines(old_facts, rules)}
    corrections = []
    for line in compute_lines(new_facts, rules):
        before = old[(line.program, line.payer)]
        if line.amount_rupiah != before:
            corrections.append(CorrectionLine(line.program, line.payer, before, line.amount_rupiah,
                                              line.amount_rupiah - before))
    return corrections


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
