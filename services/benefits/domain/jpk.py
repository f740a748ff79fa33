"""JPK (jaminan pemeliharaan kesehatan): does the member's cover pay for this care? (B-JPK-1..7)

The check a facility calls before (or while) treating a member, as one pure function of the
query (what care, where, when), the facts the benefits service holds about the person, and
the JPK rule version of the day. The answer names the rule that decided and a machine code,
so a facility's system branches on `reason_code`, never on the message. In order:
1. B-JPK-1 the person is enrolled in JPK and covered on the day; special services (glasses,
   dentures, hearing aids, prostheses) are for the worker only;
2. B-JPK-6 care while the employer is in arrears: not on the card until the arrears are
   paid off, then only on a claim filed within 3 months of that day;
3. B-JPK-5 an excluded condition (`EXCLUSIONS`) is refused, unless B-JPK-7 lifts it;
4. B-JPK-7 the extra check-up is for workers from 40;
5. B-JPK-2 childbirth up to the 3rd child, none for a worker who had 3 children on joining;
6. B-JPK-3 / B-JPK-4 first-level care at the member's own facility, other care at the
   appointed facilities; an emergency anywhere, a stay outside them at most 7 days;
7. B-JPK-5 care days: at most 60 per case per year, of which at most 20 in intensive care.
A stay cut short by a day limit is covered for the days left (`days_covered`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.errors import InvalidArgument

from .benefit_rules import JpkRules
from .jpk_calendar import add_months, age_on
from .jpk_exclusions import EXCLUSIONS
from .jpk_facts import CoverageFacts, CoverageQuery
from .jpk_kinds import LIFTED_BY_EXTRA, CareKind, PersonKind

__all__ = ["EXCLUSIONS", "LIFTED_BY_EXTRA", "CareKind", "CoverageDecision", "CoverageFacts", "CoverageQuery",
           "PersonKind", "check_coverage", "claim_deadline", "claim_in_time", "may_change_facility"]

_EXTRA_KINDS = frozenset({CareKind.EXTRA_CHECKUP, CareKind.EXTRA_HAEMODIALYSIS, CareKind.EXTRA_CANCER,
                          CareKind.EXTRA_HIV_AIDS, CareKind.EXTRA_HEART_SURGERY})


@dataclass(frozen=True)
class CoverageDecision:
    """`covered` with the rule that decided; `days_covered` for a hospital stay."""

    covered: bool
    rule_id: str
    reason_code: str
    message: str
    days_covered: int = 0


def _no(rule_id: str, reason: str, message: str) -> CoverageDecision:
    return CoverageDecision(False, rule_id, reason, message)


def check_coverage(query: CoverageQuery, facts: CoverageFacts, rules: JpkRules) -> CoverageDecision:
    """B-JPK-1..7: whether JPK covers `query` for this person, and for how many days."""
    if not isinstance(query, CoverageQuery) or not isinstance(facts, CoverageFacts):
        raise InvalidArgument.field("query", "a coverage query and the person's facts are required")
    for step in (_enrolment, _arrears, _exclusion, _extra_benefit, _childbirth, _facility):
        refusal = step(query, facts, rules)
        if refusal is not None:
            return refusal
    return _days(query, facts, rules)


def _enrolment(query: CoverageQuery, facts: CoverageFacts, rules: JpkRules) -> CoverageDecision | None:
    if not facts.jpk_enrolled:
        return _no("B-JPK-1", "NOT_ENROLLED", "the person is not enrolled in JPK")
    day, start, end = query.on_date, facts.covered_from, facts.covered_until
    if (start is not None and day < start) or (end is not None and day > end):
        span = f"{start.isoformat() if start else '...'} to {end.isoformat() if end else 'open'}"
        return _no("B-JPK-1", "NOT_COVERED_ON_DATE", f"no JPK cover on {day.isoformat()} (cover {span})")
    if query.care is CareKind.SPECIAL_SERVICE and facts.person is not PersonKind.WORKER:
        return _no("B-JPK-1", "SPECIAL_SERVICE_WORKER_ONLY",
                   "glasses, dentures, hearing aids and prostheses are for the worker, not dependants")
    return None


def _arrears(query: CoverageQuery, facts: CoverageFacts, rules: JpkRules) -> CoverageDecision | None:
    """B-JPK-6: while the employer owes contributions the member pays and claims a refund;
    once the arrears are paid off, care of that time is covered if claimed within 3 months."""
    if not facts.employer_in_arrears:
        return None
    if facts.arrears_paid_off_on is None:
        return _no("B-JPK-6", "EMPLOYER_IN_ARREARS",
                   f"the employer was in arrears on {query.on_date.isoformat()}: care is refunded on a claim "
                   f"filed within {rules.claim_deadline_months} months after the arrears are paid off")
    decision = claim_in_time(query.asked_on or query.on_date, facts.arrears_paid_off_on, rules)
    return None if decision.covered else decision


def _exclusion(query: CoverageQuery, facts: CoverageFacts, rules: JpkRules) -> CoverageDecision | None:
    code = query.exclusion_code
    if code is None or code in LIFTED_BY_EXTRA.get(query.care, frozenset()):
        return None
    return _no("B-JPK-5", "EXCLUDED", f"not covered: {code}, {EXCLUSIONS[code]}")


def _extra_benefit(query: CoverageQuery, facts: CoverageFacts, rules: JpkRules) -> CoverageDecision | None:
    if query.care is not CareKind.EXTRA_CHECKUP:
        return None
    if facts.person is not PersonKind.WORKER:
        return _no("B-JPK-7", "EXTRA_CHECKUP_WORKER_ONLY", "the extra check-up is for workers")
    age = _age(query, facts)
    if age is None or age < rules.extra_checkup_from_age:
        shown = "unknown" if age is None else str(age)
        return _no("B-JPK-7", "EXTRA_CHECKUP_UNDER_AGE",
                   f"the extra check-up is from age {rules.extra_checkup_from_age} (age {shown})")
    return None


def _childbirth(query: CoverageQuery, facts: CoverageFacts, rules: JpkRules) -> CoverageDecision | None:
    if query.care is not CareKind.CHILDBIRTH:
        return None
    if facts.person is PersonKind.CHILD:
        return _no("B-JPK-2", "CHILDBIRTH_WORKER_OR_SPOUSE_ONLY",
                   "childbirth is covered for a married female worker or a worker's wife")
    limit = rules.childbirth_limit
    if facts.children_on_joining >= limit:
        return _no("B-JPK-2", "HAD_CHILDREN_ON_JOINING",
                   f"{facts.children_on_joining} children on joining: no childbirth is covered (limit {limit})")
    order = facts.children_on_joining + facts.childbirths_so_far + 1
    if order > limit:
        return _no("B-JPK-2", "CHILDBIRTH_LIMIT_REACHED", f"childbirth number {order}: covered up to number {limit}")
    return None


def _facility(query: CoverageQuery, facts: CoverageFacts, rules: JpkRules) -> CoverageDecision | None:
    if _emergency(query):
        return None  # B-JPK-4: anywhere; a stay outside is limited in _days
    if query.care is CareKind.FIRST_LEVEL_OUTPATIENT:
        if query.facility_code != facts.appointed_facility_code:
            return _no("B-JPK-3", "NOT_THE_APPOINTED_FACILITY",
                       f"first-level care is at the member's own facility {facts.appointed_facility_code or '(none)'}")
        return None
    if not _in_network(query, facts):
        return _no("B-JPK-4", "NOT_AN_APPOINTED_FACILITY",
                   f"{query.facility_code} is not a facility the agency appointed, and this is no emergency")
    return None


def _days(query: CoverageQuery, facts: CoverageFacts, rules: JpkRules) -> CoverageDecision:
    """B-JPK-5 (60 care days, 20 intensive-care days per case per year) and B-JPK-4 (7 days
    outside the appointed facilities in an emergency): the days of the stay still covered."""
    rule_id, reason = ("B-JPK-7", "EXTRA_BENEFIT") if query.care in _EXTRA_KINDS else ("B-JPK-1", "COVERED")
    wanted = query.inpatient_days
    if wanted == 0:
        return CoverageDecision(True, rule_id, reason, f"{query.care.value} covered")
    care_left = max(0, rules.care_days_per_case_per_year - facts.care_days_used)
    icu_left = max(0, rules.intensive_care_max_days - facts.intensive_care_days_used)
    icu_excess = max(0, query.intensive_care_days - icu_left)
    limits = [(wanted - icu_excess, "B-JPK-5", "INTENSIVE_CARE_DAYS_LIMITED",
               f"intensive care at most {rules.intensive_care_max_days} days per case per year"),
              (care_left, "B-JPK-5", "CARE_DAYS_LIMITED",
               f"care at most {rules.care_days_per_case_per_year} days per case per year")]
    if _emergency(query) and not _in_network(query, facts):
        limits.append((rules.emergency_outside_network_max_days, "B-JPK-4", "EMERGENCY_STAY_LIMITED",
                       f"an emergency stay outside the appointed facilities is covered "
                       f"{rules.emergency_outside_network_max_days} days at most"))
    days, limit_rule, limit_reason, limit_text = min(limits, key=lambda limit: limit[0])
    if days >= wanted:
        return CoverageDecision(True, rule_id, reason, f"{query.care.value} covered, {wanted} days", wanted)
    if days <= 0:
        return _no(limit_rule, limit_reason.replace("_LIMITED", "_EXHAUSTED"), f"no days left: {limit_text}")
    return CoverageDecision(True, limit_rule, limit_reason, f"{days} of {wanted} days covered: {limit_text}", days)


def _emergency(query: CoverageQuery) -> bool:
    return query.emergency or query.care is CareKind.EMERGENCY


def _in_network(query: CoverageQuery, facts: CoverageFacts) -> bool:
    return query.facility_code == facts.appointed_facility_code or query.facility_code in facts.network_facility_codes


def _age(query: CoverageQuery, facts: CoverageFacts) -> int | None:
    if facts.birth_date is not None:
        return age_on(facts.birth_date, query.on_date)
    return facts.age


def claim_deadline(arrears_paid_off_on: date, rules: JpkRules) -> date:
    """B-JPK-6: the last day a claim may be filed, 3 months after the employer paid off its
    arrears (calendar months, clamped to the month's end: 30 Nov -> 28/29 Feb)."""
    if not isinstance(arrears_paid_off_on, date):
        raise InvalidArgument.field("arrears_paid_off_on", "must be a calendar date")
    return add_months(arrears_paid_off_on, rules.claim_deadline_months, "arrears_paid_off_on")


def claim_in_time(filed_on: date, arrears_paid_off_on: date, rules: JpkRules) -> CoverageDecision:
    """B-JPK-6: a claim filed after the deadline is refused."""
    if not isinstance(filed_on, date):
        raise InvalidArgument.field("filed_on", "must be a calendar date")
    deadline = claim_deadline(arrears_paid_off_on, rules)
    if filed_on > deadline:
        return _no("B-JPK-6", "CLAIM_TOO_LATE",
                   f"filed {filed_on.isoformat()}, the deadline was {deadline.isoformat()}")
    return CoverageDecision(True, "B-JPK-6", "CLAIM_IN_TIME", f"filed by the deadline {deadline.isoformat()}")


def may_change_facility(since: date, on_date: date, moved_house: bool, rules: JpkRules) -> CoverageDecision:
    """B-JPK-3: the first-level facility may change 6 months after it was picked, or on moving house."""
    for name, value in (("since", since), ("on_date", on_date)):
        if not isinstance(value, date):
            raise InvalidArgument.field(name, "must be a calendar date")
    if on_date < since:
        raise InvalidArgument.field("on_date", f"is before the facility was picked on {since.isoformat()}")
    if not isinstance(moved_house, bool):
        raise InvalidArgument.field("moved_house", "must be a boolean")
    first_day = add_months(since, rules.facility_change_after_months, "since")
    if on_date >= first_day:
        return CoverageDecision(True, "B-JPK-3", "WAITING_PERIOD_PASSED", f"may change since {first_day.isoformat()}")
    if moved_house:
        return CoverageDecision(True, "B-JPK-3", "MOVED_HOUSE", "may change on moving house")
    return _no("B-JPK-3", "TOO_SOON", f"may change from {first_day.isoformat()}, or on moving house")
