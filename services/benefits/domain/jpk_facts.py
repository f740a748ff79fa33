"""What a JPK coverage check is asked (`CoverageQuery`) and what the benefits service knows
about the person (`CoverageFacts`). Both refuse bad values on construction, naming the
field, so a facility's mistake is INVALID_ARGUMENT and never reaches the rules."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from services.chassis.errors import InvalidArgument, Violations

from .benefit_items import require_count, require_day
from .jpk_exclusions import EXCLUSIONS
from .jpk_kinds import CareKind, PersonKind

CODE_MAX = 64
AGE_MAX = 150


@dataclass(frozen=True)
class CoverageQuery:
    """Care `care` at `facility_code` on `on_date`; `exclusion_code` when the condition is
    one of B-JPK-5's; a stay of `inpatient_days`, `intensive_care_days` of them in intensive care.
    `asked_on` is the day the question is asked (B-JPK-6 counts a claim's 3 months to it;
    None: `on_date`)."""

    on_date: date
    facility_code: str
    care: CareKind
    exclusion_code: str | None = None
    inpatient_days: int = 0
    emergency: bool = False
    intensive_care_days: int = 0
    asked_on: date | None = None

    def __post_init__(self) -> None:
        problems = Violations()
        _check(problems, require_day, self.on_date, "on_date")
        if self.asked_on is not None:
            _check(problems, require_day, self.asked_on, "asked_on")
        _code(problems, self.facility_code, "facility_code", required=True)
        if not isinstance(self.care, CareKind):
            problems.add("care", "must be one of " + ", ".join(k.value for k in CareKind))
        if self.exclusion_code is not None and self.exclusion_code not in EXCLUSIONS:
            problems.add("exclusion_code", f"unknown exclusion {str(self.exclusion_code)[:CODE_MAX]!r}")
        _check(problems, require_count, self.inpatient_days, "inpatient_days")
        _check(problems, require_count, self.intensive_care_days, "intensive_care_days")
        if not isinstance(self.emergency, bool):
            problems.add("emergency", "must be a boolean")
        problems.raise_if_any()
        if self.intensive_care_days > self.inpatient_days:
            raise InvalidArgument.field("intensive_care_days", "cannot exceed inpatient_days")
        if self.care is CareKind.INPATIENT and self.inpatient_days == 0:
            raise InvalidArgument.field("inpatient_days", "a hospital stay is at least one day")


@dataclass(frozen=True)
class CoverageFacts:
    """The person on the day of care, as the benefits service holds it from membership's
    and contributions' events.

    `jpk_enrolled`: JPK is among the worker's programs (M-4) and, for a dependant, the
    family member is covered (M-6). `covered_from`..`covered_until` (inclusive, None =
    open): the cover's days (it ends on termination, death, or a child turning 21).
    `appointed_facility_code` is the first-level facility the member picked (B-JPK-3, since
    `appointed_since`); `network_facility_codes` the other facilities the agency appointed
    (referral hospitals, B-JPK-4). `childbirths_so_far` counts births since joining and
    `children_on_joining` the children before (B-JPK-2). `care_days_used` and
    `intensive_care_days_used` are this case's days this year (B-JPK-5). The age on the
    day comes from `birth_date`, or `age` when only that is known (B-JPK-7).
    `employer_in_arrears` says the employer owed contributions on the day of care and
    `arrears_paid_off_on` when it paid them off (None: not yet) (B-JPK-6).
    """

    person: PersonKind
    jpk_enrolled: bool
    covered_from: date | None = None
    covered_until: date | None = None
    appointed_facility_code: str = ""
    appointed_since: date | None = None
    network_facility_codes: frozenset[str] = frozenset()
    childbirths_so_far: int = 0
    children_on_joining: int = 0
    care_days_used: int = 0
    intensive_care_days_used: int = 0
    birth_date: date | None = None
    age: int | None = None
    employer_in_arrears: bool = False
    arrears_paid_off_on: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.network_facility_codes, (set, list, tuple)):
            object.__setattr__(self, "network_facility_codes", frozenset(self.network_facility_codes))
        problems = Violations()
        if not isinstance(self.person, PersonKind):
            problems.add("person", "must be one of " + ", ".join(k.value for k in PersonKind))
        if not isinstance(self.jpk_enrolled, bool):
            problems.add("jpk_enrolled", "must be a boolean")
        if not isinstance(self.employer_in_arrears, bool):
            problems.add("employer_in_arrears", "must be a boolean")
        for name in ("covered_from", "covered_until", "appointed_since", "birth_date", "arrears_paid_off_on"):
            if getattr(self, name) is not None:
                _check(problems, require_day, getattr(self, name), name)
        _code(problems, self.appointed_facility_code, "appointed_facility_code", required=False)
        if not isinstance(self.network_facility_codes, frozenset):
            problems.add("network_facility_codes", "must be a set of facility codes")
        else:
            for code in self.network_facility_codes:
                _code(problems, code, "network_facility_codes", required=True)
        for name in ("childbirths_so_far", "children_on_joining", "care_days_used", "intensive_care_days_used"):
            _check(problems, require_count, getattr(self, name), name)
        if self.age is not None:
            _check(problems, lambda v, f: require_count(v, f, maximum=AGE_MAX), self.age, "age")
        problems.raise_if_any()
        if self.covered_from and self.covered_until and self.covered_until < self.covered_from:
            raise InvalidArgument.field("covered_until", "is before covered_from")


def _check(problems: Violations, check: Callable[[object, str], object], value: object, name: str) -> None:
    try:
        check(value, name)
    except InvalidArgument as error:
        problems.items.extend(error.violations)


def _code(problems: Violations, value: object, name: str, *, required: bool) -> None:
    if not isinstance(value, str):
        problems.add(name, "must be text")
    elif required and not value.strip():
        problems.add(name, "is required")
    elif len(value) > CODE_MAX:
        problems.add(name, f"must be at most {CODE_MAX} characters")
