"""What welfare knows of employers and members, from other services' events (the read
model): membership's registrations and worker changes, contributions' standing (C-8),
benefits' work-accident deaths and disabilities. The conditions several programs share
are checked here once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .dates import has_lasted
from .reasons import Reason


@dataclass(frozen=True)
class EmployerFacts:
    npp: str
    branch_code: str
    legal_name: str
    registered_on: date
    good_standing: bool | None = None  # None: contributions has not published it yet
    standing_as_of: date | None = None


@dataclass(frozen=True)
class WorkerFacts:
    kpj: str
    npp: str
    branch_code: str
    name: str
    status: str  # ACTIVE, NON_ACTIVE or DECEASED (M-4)
    member_since: date  # the first day of the first employment (M-3: one KPJ for life)
    monthly_wage_rupiah: int  # in force on the day asked
    work_accident_death: bool = False  # benefits: MemberDeceased with work_accident
    work_accident_disability: bool = False  # benefits: MemberTotallyDisabled with work_accident

    @property
    def is_active(self) -> bool:
        return self.status == "ACTIVE"

    @property
    def work_accident_victim(self) -> bool:
        return self.work_accident_death or self.work_accident_disability


def employer_registration_reasons(employer: EmployerFacts, months: int, on: date, rule_id: str) -> list[Reason]:
    if has_lasted(employer.registered_on, months, on):
        return []
    return [Reason(rule_id, "EMPLOYER_REGISTERED_UNDER_1_YEAR",
                   f"employer {employer.npp} was registered on {employer.registered_on.isoformat()}, less than "
                   f"{months} months before {on.isoformat()}")]


def employer_standing_reasons(employer: EmployerFacts, rule_id: str) -> list[Reason]:
    """C-8: good standing (no arrears, complete data) as contributions last published it."""
    if employer.good_standing is None:
        return [Reason(rule_id, "EMPLOYER_STANDING_UNKNOWN",
                       f"contributions has not published the standing of employer {employer.npp} yet")]
    if not employer.good_standing:
        return [Reason(rule_id, "EMPLOYER_NOT_IN_GOOD_STANDING",
                       f"employer {employer.npp} is not in good standing (C-8) as of {employer.standing_as_of}")]
    return []
