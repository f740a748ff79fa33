"""C-5: billing coverage, workers active in membership against workers billed for a period.

Contributions bills from its read model of membership's events, so a worker can be active
in membership and still missing from a period's bills for a reason the platform knows (an
event that arrived after the run and waits for the branch's next billing job, no wage in
force, an employer without a risk group, a transfer within the period billed by the later
employer) or has already corrected (a correction bill that added or took the worker off).
This module explains every difference; what it cannot explain is UNEXPLAINED, and an
unexplained difference is a rupiah left out or billed twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class CoverageReason(str, Enum):
    # The worker joined or left the period's bill after it was issued and correction
    # bills (named) billed or credited the difference.
    CORRECTED = "CORRECTED"
    # The change reached contributions after the run: the branch's next billing job bills it.
    PENDING_CORRECTION = "PENDING_CORRECTION"
    # No wage in force at the period's end: nothing to price (C-1..C-4).
    NO_WAGE = "NO_WAGE"
    # The employer has no risk group: its bill waits for one (C-3).
    NO_RISK_GROUP = "NO_RISK_GROUP"
    # No billing run has billed the employer for the period yet.
    NOT_BILLED_YET = "NOT_BILLED_YET"
    # Transferred within the period: the employment that started last bills the month.
    BILLED_BY_LATER_EMPLOYER = "BILLED_BY_LATER_EMPLOYER"
    UNEXPLAINED = "UNEXPLAINED"


@dataclass(frozen=True)
class ActiveWorker:
    """A worker employed by the employer during the period, as membership's events say."""

    kpj: str
    has_wage: bool
    later_employer: str | None = None  # the employer whose employment started later in the period


@dataclass(frozen=True)
class BilledWorker:
    """What the period's bills of the employer charged one worker (net of corrections)."""

    kpj: str
    net_rupiah: int
    on_regular_bill: bool
    correction_bills: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmployerPeriodFacts:
    npp: str
    has_risk_group: bool
    period_billed: bool  # a regular bill, or a run that went past the employer for the period
    active: tuple[ActiveWorker, ...]
    billed: tuple[BilledWorker, ...]
    pending: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CoverageDifference:
    kpj: str
    active: bool
    billed: bool
    reason: CoverageReason
    bill_numbers: tuple[str, ...] = ()
    other_npp: str = ""


@dataclass(frozen=True)
class EmployerCoverage:
    npp: str
    workers_active: int
    workers_billed: int
    differences: tuple[CoverageDifference, ...]

    @property
    def unexplained(self) -> int:
        return sum(1 for d in self.differences if d.reason is CoverageReason.UNEXPLAINED)


def employer_coverage(facts: EmployerPeriodFacts) -> EmployerCoverage:
    """Every worker active or billed for the period, matched; each mismatch with its reason."""
    active = {a.kpj: a for a in facts.active}
    billed = {b.kpj: b for b in facts.billed}
    differences = [d for kpj in sorted(set(active) | set(billed))
                   if (d := _difference(facts, active.get(kpj), billed.get(kpj))) is not None]
    return EmployerCoverage(facts.npp, len(active), sum(1 for b in billed.values() if b.net_rupiah > 0),
                            tuple(differences))


def _difference(facts: EmployerPeriodFacts, active: ActiveWorker | None,
                billed: BilledWorker | None) -> CoverageDifference | None:
    kpj = active.kpj if active is not None else billed.kpj if billed is not None else ""
    is_billed = billed is not None and billed.net_rupiah > 0
    corrections = billed.correction_bills if billed is not None else ()
    expected = (active is not None and active.has_wage and active.later_employer is None
                and facts.has_risk_group and facts.period_billed)

    def diff(reason: CoverageReason, bills: tuple[str, ...] = (), other: str = "") -> CoverageDifference:
        return CoverageDifference(kpj, active is not None, is_billed, reason, bills, other)

    if expected and is_billed:
        # Matched; a worker the regular bill did not carry was added by a correction.
        on_regular = billed is not None and billed.on_regular_bill
        return None if on_regular else diff(CoverageReason.CORRECTED, corrections)
    if kpj in facts.pending:
        return diff(CoverageReason.PENDING_CORRECTION)
    if is_billed or active is None:
        # Billed but not owed, or carried by the regular bill and credited off since.
        left_and_credited = not is_billed and bool(corrections)
        return diff(CoverageReason.CORRECTED, corrections) if left_and_credited else diff(CoverageReason.UNEXPLAINED, corrections)
    if expected:
        return diff(CoverageReason.UNEXPLAINED)
    # Not owed here, and not billed: why (with any correction that took the worker off).
    if not facts.period_billed:
        return diff(CoverageReason.NOT_BILLED_YET, corrections)
    if not facts.has_risk_group:
        return diff(CoverageReason.NO_RISK_GROUP, corrections)
    if active.later_employer is not None:
        return diff(CoverageReason.BILLED_BY_LATER_EMPLOYER, corrections, active.later_employer)
    return diff(CoverageReason.NO_WAGE, corrections)
