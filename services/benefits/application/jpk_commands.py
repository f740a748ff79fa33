"""The commands the JPK use cases take and the results they return (domain values; the
entrypoint maps protobuf to and from them in entrypoints/jpk_mapping.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.benefits.domain.facilities import Facility, FacilityChoice, FacilityKind
from services.benefits.domain.jpk import CoverageDecision
from services.benefits.domain.jpk_facts import CoverageQuery


@dataclass(frozen=True)
class RegisterFacility:
    code: str
    name: str
    branch_code: str  # "" : the caller's office
    kind: FacilityKind | None
    appointed_from: date | None  # None: today
    appointed_until: date | None


@dataclass(frozen=True)
class ListFacilities:
    branch_code: str | None
    kind: FacilityKind | None
    size: int
    after_code: str | None


@dataclass(frozen=True)
class FacilityPage:
    facilities: tuple[Facility, ...]
    next_after: str | None


@dataclass(frozen=True)
class ChooseFacility:
    kpj: str
    facility_code: str
    since: date | None  # None: today
    moved_house: bool


@dataclass(frozen=True)
class MemberFacility:
    kpj: str
    current: FacilityChoice | None
    facility: Facility | None
    may_change_from: date | None
    history: tuple[FacilityChoice, ...]


@dataclass(frozen=True)
class CoverageCheck:
    """Whose care (the worker, or the dependant membership names `dependant_id`) and what."""

    kpj: str
    dependant_id: str
    query: CoverageQuery
    case_code: str


@dataclass(frozen=True)
class CoverageAnswer:
    check: CoverageCheck
    decision: CoverageDecision
    record_id: str | None = None
    intensive_care_days_covered: int = 0
