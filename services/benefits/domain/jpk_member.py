"""The JPK coverage check on what benefits knows of a member: who the person is (the worker
or a dependant by M-6), the cover's days, the member's facility, the employer's arrears and
the care already used, turned into `CoverageFacts` for `jpk.check_coverage`.

M-6 as applied here (the figures are in the JPK rule version): a married worker's spouse
and at most 3 children, each born, under 21 and unmarried on the day of care; when more are
eligible the 3 eldest are covered (as membership covers them). Any other person named is
refused under M-6 with a code saying why, so a facility's system can branch on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .benefit_rules import JpkRules
from .facilities import FacilityChoice
from .jpk import CoverageDecision, check_coverage
from .jpk_calendar import age_on
from .jpk_facts import CoverageFacts, CoverageQuery
from .jpk_kinds import PersonKind
from .member_facts import MemberFacts


@dataclass(frozen=True)
class FamilyFacts:
    """One line of the member's family as membership last listed it (M-6)."""

    member_id: str
    name: str
    relation: str  # SPOUSE, CHILD
    birth_date: date | None
    married: bool


@dataclass(frozen=True)
class CareUsage:
    """What the cover already paid this year for the case asked about (B-JPK-5), and the
    days of the childbirths it covered (B-JPK-2)."""

    care_days: int = 0
    intensive_care_days: int = 0
    childbirths: tuple[date, ...] = ()


@dataclass(frozen=True)
class JpkMember:
    """The person's facts on the day of care, as the read model and the registry hold them."""

    member: MemberFacts
    marital_status: str
    family: tuple[FamilyFacts, ...]
    choice: FacilityChoice | None
    facility_appointed: bool  # the facility asked about is appointed on the day (B-JPK-4)
    employer_in_arrears: bool
    arrears_paid_off_on: date | None
    usage: CareUsage = CareUsage()


def _no(rule_id: str, code: str, message: str) -> CoverageDecision:
    return CoverageDecision(False, rule_id, code, message)


def covered_dependants(marital_status: str, family: tuple[FamilyFacts, ...], day: date,
                       rules: JpkRules) -> tuple[FamilyFacts, ...]:
    """M-6: the spouse first, then the eldest eligible children, at most the version's number."""
    if marital_status != "MARRIED":
        return ()
    spouses = [m for m in family if m.relation == "SPOUSE" and (m.birth_date is None or m.birth_date <= day)][:1]
    children = sorted((m for m in family if _eligible_child(m, day, rules)),
                      key=lambda m: (m.birth_date or date.min, m.member_id))
    return (*spouses, *children[:rules.dependant_children_max])


def _eligible_child(person: FamilyFacts, day: date, rules: JpkRules) -> bool:
    if person.relation != "CHILD" or person.married or person.birth_date is None or person.birth_date > day:
        return False
    return age_on(person.birth_date, day) < rules.dependant_child_age_limit


def _dependant_refusal(person: FamilyFacts, covered: tuple[FamilyFacts, ...], marital_status: str, day: date,
                       rules: JpkRules) -> CoverageDecision | None:
    if person in covered:
        return None
    if marital_status != "MARRIED":
        return _no("M-6", "WORKER_NOT_MARRIED", "only a married worker's family is covered")
    if person.relation == "SPOUSE":
        return _no("M-6", "SPOUSE_NOT_COVERED", "one spouse is covered")
    if person.married:
        return _no("M-6", "CHILD_MARRIED", f"{person.name} is married: a child is covered while unmarried")
    if person.birth_date is None or person.birth_date > day:
        return _no("M-6", "CHILD_NOT_BORN", f"{person.name} has no birth recorded by {day.isoformat()}")
    if age_on(person.birth_date, day) >= rules.dependant_child_age_limit:
        return _no("M-6", "CHILD_AGE_LIMIT",
                   f"{person.name} is {age_on(person.birth_date, day)}: a child is covered under "
                   f"{rules.dependant_child_age_limit}")
    return _no("M-6", "CHILDREN_LIMIT", f"at most {rules.dependant_children_max} children are covered "
                                        f"(the eldest eligible)")


def check_member_coverage(query: CoverageQuery, facts: JpkMember, dependant_id: str,
                          rules: JpkRules) -> CoverageDecision:
    """M-6 for a dependant (`dependant_id`, empty for the worker), then B-JPK-1..7."""
    member, day = facts.member, query.on_date
    person_kind, birth_date = PersonKind.WORKER, member.birth_date
    if dependant_id:
        person = next((p for p in facts.family if p.member_id == dependant_id), None)
        if person is None:
            return _no("M-6", "NOT_A_LISTED_DEPENDANT", f"{dependant_id} is not in KPJ {member.kpj}'s family list")
        covered = covered_dependants(facts.marital_status, facts.family, day, rules)
        refusal = _dependant_refusal(person, covered, facts.marital_status, day, rules)
        if refusal is not None:
            return refusal
        person_kind = PersonKind.SPOUSE if person.relation == "SPOUSE" else PersonKind.CHILD
        birth_date = person.birth_date or member.birth_date
    employment = _employment_for(member, day)
    choice = facts.choice
    coverage = CoverageFacts(
        person=person_kind, jpk_enrolled="JPK" in member.programs,
        covered_from=employment[0] if employment else None, covered_until=employment[1] if employment else None,
        appointed_facility_code=choice.facility_code if choice else "",
        appointed_since=choice.since if choice else None,
        network_facility_codes=frozenset({query.facility_code}) if facts.facility_appointed else frozenset(),
        childbirths_so_far=_childbirths(facts.family, facts.usage.childbirths, member.member_since, day),
        children_on_joining=_children_before(facts.family, member.member_since),
        care_days_used=facts.usage.care_days, intensive_care_days_used=facts.usage.intensive_care_days,
        birth_date=birth_date, employer_in_arrears=facts.employer_in_arrears,
        arrears_paid_off_on=facts.arrears_paid_off_on)
    return check_coverage(query, coverage, rules)


def _employment_for(member: MemberFacts, day: date) -> tuple[date, date | None] | None:
    """The cover's days around `day`: the employment covering it, else the latest before it
    (so the answer names the cover that ended), else the first (a day before enrolment)."""
    ordered = sorted(member.employments, key=lambda e: e.start_date)
    if not ordered:
        return None
    current = member.employment_on(day)
    if current is None:
        before = [e for e in ordered if e.start_date <= day]
        current = before[-1] if before else ordered[0]
    return current.start_date, current.end_date


def _children_before(family: tuple[FamilyFacts, ...], joined: date) -> int:
    """B-JPK-2: the children the worker had on joining."""
    return sum(1 for p in family if p.relation == "CHILD" and p.birth_date is not None and p.birth_date < joined)


def _childbirths(family: tuple[FamilyFacts, ...], covered: tuple[date, ...], joined: date, day: date) -> int:
    """B-JPK-2: births since joining before the day of care: the children the family lists,
    plus covered childbirths after the last listed birth (babies not on the list yet)."""
    born = sorted(p.birth_date for p in family if p.relation == "CHILD" and p.birth_date is not None
                  and joined <= p.birth_date < day)
    latest = born[-1] if born else date.min
    return len(born) + sum(1 for birth in covered if latest < birth < day)


def intensive_days_covered(query: CoverageQuery, usage: CareUsage, days_covered: int, rules: JpkRules) -> int:
    """B-JPK-5: of the stay's covered days, those in intensive care (at most 20 per case per year)."""
    left = max(0, rules.intensive_care_max_days - usage.intensive_care_days)
    return min(query.intensive_care_days, left, days_covered)
