"""The JPK health facility registry and the member's own first-level facility (B-JPK-3, B-JPK-4).

A branch registers the facilities it appointed (puskesmas, first-level clinics, hospitals),
each with the day its appointment starts and, when the contract ends, its last day: those
are "the appointed facilities" of B-JPK-4. A member picks one first-level facility near
home (B-JPK-3) and may change it 6 months after the pick, or sooner on moving house; the
choice is kept per KPJ (the family shares the worker's KPK facility), as a history, so a
past day's coverage is checked against the facility of that day.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, RuleViolation, Violations

from .benefit_rules import JpkRules
from .jpk import may_change_facility

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,29}$")
NAME_MAX = 200


class FacilityKind(str, Enum):
    PUSKESMAS = "PUSKESMAS"  # community health centre: first level
    CLINIC = "CLINIC"  # first-level clinic or practising doctor (PPK I)
    HOSPITAL = "HOSPITAL"  # referral care, hospital stays (PPK II/III)

    @property
    def first_level(self) -> bool:
        return self is not FacilityKind.HOSPITAL


@dataclass(frozen=True)
class Facility:
    code: str
    name: str
    branch_code: str
    kind: FacilityKind
    appointed_from: date
    appointed_until: date | None = None  # the contract's last day; None: open

    def appointed_on(self, day: date) -> bool:
        return self.appointed_from <= day and (self.appointed_until is None or day <= self.appointed_until)


def new_facility(code: str, name: str, branch_code: str, kind: FacilityKind | None, appointed_from: date,
                 appointed_until: date | None) -> Facility:
    """A facility as registered, or InvalidArgument naming every bad field."""
    problems = Violations()
    code = code.strip().upper()
    name = " ".join(name.split())
    if not CODE_PATTERN.match(code):
        problems.add("code", "3 to 30 letters, digits or dashes, e.g. PKM-BINJAI-01")
    if not name:
        problems.add("name", "is required")
    elif len(name) > NAME_MAX:
        problems.add("name", f"must be at most {NAME_MAX} characters")
    if not branch_code:
        problems.add("branch_code", "is required")
    if kind is None:
        problems.add("kind", "is required: PUSKESMAS, CLINIC or HOSPITAL")
    if appointed_until is not None and appointed_until < appointed_from:
        problems.add("appointed_until", "is before appointed_from")
    problems.raise_if_any()
    assert kind is not None
    return Facility(code, name, branch_code, kind, appointed_from, appointed_until)


@dataclass(frozen=True)
class FacilityChoice:
    """The member's first-level facility from `since` (B-JPK-3)."""

    kpj: str
    facility_code: str
    since: date
    moved_house: bool
    chosen_by: str


def choose_facility(kpj: str, facility: Facility, since: date, moved_house: bool, chosen_by: str, *,
                    current: FacilityChoice | None, member_since: date, rules: JpkRules) -> FacilityChoice:
    """B-JPK-3: the new choice, or the rule it breaks. A first choice is always allowed; a
    change only 6 months after the current pick, or on moving house."""
    if not facility.kind.first_level:
        raise RuleViolation("B-JPK-3", f"{facility.code} is a {facility.kind.value.lower()}: the member's own "
                                       f"facility is a first-level one (puskesmas or clinic)",
                            code="NOT_A_FIRST_LEVEL_FACILITY")
    if not facility.appointed_on(since):
        raise RuleViolation("B-JPK-4", f"{facility.code} is not appointed on {since.isoformat()}",
                            code="FACILITY_NOT_APPOINTED")
    if since < member_since:
        raise InvalidArgument.field("since", f"is before KPJ {kpj} was enrolled on {member_since.isoformat()}")
    if current is not None:
        if since < current.since:
            raise InvalidArgument.field("since", f"is before the current choice of {current.since.isoformat()}")
        if current.facility_code == facility.code:
            raise RuleViolation("B-JPK-3", f"{facility.code} is already the member's facility since "
                                           f"{current.since.isoformat()}", code="ALREADY_THE_MEMBERS_FACILITY")
        decision = may_change_facility(current.since, since, moved_house, rules)
        if not decision.covered:
            raise RuleViolation(decision.rule_id, decision.message, code=decision.reason_code)
    return FacilityChoice(kpj, facility.code, since, moved_house, chosen_by)
