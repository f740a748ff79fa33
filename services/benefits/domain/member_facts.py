"""What benefits knows of a member, from membership's events (the read model): the facts
eligibility is decided on (B-JHT-1, B-JKK-1, B-JK-1), never membership's database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.errors import RuleViolation


@dataclass(frozen=True)
class Employment:
    """One employment of the member (M-3: the KPJ is kept across employers)."""

    npp: str
    branch_code: str
    start_date: date
    end_date: date | None = None

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class MemberFacts:
    kpj: str
    name: str
    birth_date: date
    status: str  # ACTIVE, NON_ACTIVE (after PHK) or DECEASED (M-4)
    npp: str  # the current (or last) employer
    branch_code: str  # the member's branch: the claim belongs to it (O-2)
    programs: frozenset[str]
    member_since: date  # the first day of the first employment: membership counts from there (M-3)
    employments: tuple[Employment, ...] = ()
    end_date: date | None = None  # last day worked, after termination (M-8)
    death_date: date | None = None

    def employment_on(self, day: date) -> Employment | None:
        return next((e for e in sorted(self.employments, key=lambda e: e.start_date, reverse=True)
                     if e.covers(day)), None)


def require_member_on(facts: MemberFacts, day: date, rule_id: str, what: str, code: str) -> None:
    """`day` (an accident, a death) must not come before the member's enrolment."""
    if day < facts.member_since:
        raise RuleViolation(rule_id, f"the {what} on {day.isoformat()} is before KPJ {facts.kpj} was enrolled "
                                     f"on {facts.member_since.isoformat()}", code=code)
