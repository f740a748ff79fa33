"""Employers (M-1) and the other kinds of registered membership (M-7).

M-1: registration gives a nationally unique NPP (see `numbers.make_npp`), with the owning
branch, legal name, sector, address, registration date and the work-accident risk group
I-V (which sets the JKK rate, C-3).
M-7: informal-sector groups and construction projects are registered as their own kinds;
a construction project carries its name, contract value and dates.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import Any

from services.chassis.errors import InvalidArgument, Violations

from .numbers import normalise_npwp, validate_npp
from .roles import MembershipAction
from .values import clean_text, collect, is_whole_rupiah, parse_enum, require_date

LEGAL_NAME_MIN, LEGAL_NAME_MAX = 3, 200
SECTOR_MAX = 100
ADDRESS_MAX = 500
PROJECT_NAME_MAX = 200


class RiskGroup(str, Enum):
    """Work-accident risk group (kelompok risiko), I lowest to V highest (M-1, C-3)."""

    I = "I"  # noqa: E741  (the agency's own numbering)
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"

    @property
    def number(self) -> int:
        return _RISK_NUMBERS.index(self) + 1

    @classmethod
    def parse(cls, value: object, field: str = "risk_group") -> RiskGroup:
        """From a member, "I".."V" (any case) or 1..5 (int or digit text)."""
        if isinstance(value, cls):
            return value
        number = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        if number is not None:
            if 1 <= number <= 5:
                return _RISK_NUMBERS[number - 1]
        elif isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        raise InvalidArgument.field(field, f"{value!r} is not a risk group: use I-V or 1-5")


_RISK_NUMBERS = (RiskGroup.I, RiskGroup.II, RiskGroup.III, RiskGroup.IV, RiskGroup.V)


class EmployerKind(str, Enum):
    COMPANY = "COMPANY"  # perusahaan (M-1)
    INFORMAL_SECTOR_GROUP = "INFORMAL_SECTOR_GROUP"  # wadah of informal-sector participants (M-7)
    CONSTRUCTION_PROJECT = "CONSTRUCTION_PROJECT"  # proyek jasa konstruksi (M-7)


class EmployerStatus(str, Enum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"  # stopped trading or project finished


def registration_action(kind: EmployerKind) -> MembershipAction:
    """The O-3 action (and so the roles) for registering this kind (M-7: marketing)."""
    return {
        EmployerKind.COMPANY: MembershipAction.REGISTER_EMPLOYER,
        EmployerKind.INFORMAL_SECTOR_GROUP: MembershipAction.REGISTER_INFORMAL_PARTICIPANT,
        EmployerKind.CONSTRUCTION_PROJECT: MembershipAction.REGISTER_CONSTRUCTION_PROJECT,
    }[kind]


@dataclass(frozen=True)
class ConstructionProject:
    """The project data of a CONSTRUCTION_PROJECT registration (M-7)."""

    project_name: str
    contract_value_rupiah: int
    start_date: date
    end_date: date


@dataclass(frozen=True)
class Employer:
    """A registered employer (M-1), informal-sector group or construction project (M-7)."""

    npp: str
    branch_code: str
    legal_name: str
    sector: str
    address: str
    registration_date: date
    risk_group: RiskGroup
    kind: EmployerKind = EmployerKind.COMPANY
    tax_number: str | None = None  # NPWP, 16-digit form (numbers.normalise_npwp)
    project: ConstructionProject | None = None
    status: EmployerStatus = EmployerStatus.ACTIVE


@dataclass(frozen=True)
class RegisterEmployer:
    """The registration command as received; `validate_registration` checks it."""

    branch_code: str
    legal_name: str
    sector: str
    address: str
    registration_date: date
    risk_group: object  # RiskGroup, "I".."V" or 1..5
    kind: object = EmployerKind.COMPANY
    tax_number: str | None = None
    project_name: str | None = None
    contract_value_rupiah: int | None = None
    project_start_date: date | None = None
    project_end_date: date | None = None


_PROJECT_FIELDS = ("project_name", "contract_value_rupiah", "project_start_date", "project_end_date")


def _branch(value: object, violations: Violations, known_branches: Collection[str] | None) -> str | None:
    code = clean_text(value, "branch_code", violations, max_length=32)
    if code is None:
        return None
    code = code.upper()
    if known_branches is not None and code not in known_branches:
        violations.add("branch_code", f"{code} is not a branch office")
        return None
    return code



def _project(command: RegisterEmployer, violations: Violations) -> ConstructionProject | None:
    name = clean_text(command.project_name, "project_name", violations, max_length=PROJECT_NAME_MAX)
    value = command.contract_value_rupiah
    if value is None:
        violations.add("contract_value_rupiah", "is required for a construction project")
    elif not is_whole_rupiah(value) or value <= 0:
        violations.add("contract_value_rupiah", "must be a positive whole number of rupiah")
    start = require_date(command.project_start_date, "project_start_date", violations)
    end = require_date(command.project_end_date, "project_end_date", violations)
    if start and end and end < start:
        violations.add("project_end_date", f"{end.isoformat()} is before the project start {start.isoformat()}")
        return None
    if name is None or start is None or end is None or not is_whole_rupiah(value) or value <= 0:
        return None
    return ConstructionProject(name, value, start, end)


def _validated(
    command: RegisterEmployer, today: date, known_branches: Collection[str] | None
) -> tuple[Violations, dict[str, Any]]:
    v = Violations()
    clean: dict[str, Any] = {
        "branch_code": _branch(command.branch_code, v, known_branches),
        "legal_name": clean_text(command.legal_name, "legal_name", v,
                                 min_length=LEGAL_NAME_MIN, max_length=LEGAL_NAME_MAX),
        "sector": clean_text(command.sector, "sector", v, max_length=SECTOR_MAX),
        "address": clean_text(command.address, "address", v, max_length=ADDRESS_MAX),
        "registration_date": require_date(command.registration_date, "registration_date", v),
        "risk_group": collect(v, RiskGroup.parse, command.risk_group),
        "kind": collect(v, parse_enum, EmployerKind, command.kind, "kind"),
        "tax_number": None,
        "project": None,
    }
    if clean["registration_date"] and clean["registration_date"] > today:
        v.add("registration_date", f"{clean['registration_date'].isoformat()} is in the future")
    if command.tax_number is not None and command.tax_number.strip():
        clean["tax_number"] = collect(v, normalise_npwp, command.tax_number)
    if clean["kind"] is EmployerKind.CONSTRUCTION_PROJECT:
        clean["project"] = _project(command, v)
    elif clean["kind"] is not None:
        for name in _PROJECT_FIELDS:
            if getattr(command, name) is not None:
                v.add(name, "only a construction project has project data (M-7)")
    return v, clean


def validate_registration(
    command: RegisterEmployer, today: date, known_branches: Collection[str] | None = None
) -> None:
    """Check a registration (M-1, M-7), raising InvalidArgument listing every problem.

    Only the registration date must not be after `today`: a construction project is
    registered before work starts, so its dates may lie ahead.
    """
    violations, _ = _validated(command, today, known_branches)
    violations.raise_if_any()


def register_employer(
    npp: str, command: RegisterEmployer, today: date, known_branches: Collection[str] | None = None
) -> Employer:
    """The new Employer for `command` under the freshly issued `npp` (M-1, M-7)."""
    violations, clean = _validated(command, today, known_branches)
    violations.raise_if_any()
    return Employer(npp=validate_npp(npp), status=EmployerStatus.ACTIVE, **clean)


@dataclass(frozen=True)
class ChangeEmployer:
    """Fields to change; None leaves a field as it is. The NPP and branch never change here."""

    legal_name: str | None = None
    sector: str | None = None
    address: str | None = None
    risk_group: object | None = None
    tax_number: str | None = None


def change_employer(employer: Employer, change: ChangeEmployer) -> Employer:
    """The employer with `change` applied, or InvalidArgument listing every bad field (M-1).

    A new risk group changes the JKK rate (C-3); the contributions service applies it
    from the period the change takes effect.
    """
    v = Violations()
    updates: dict[str, Any] = {}
    if change.legal_name is not None:
        updates["legal_name"] = clean_text(change.legal_name, "legal_name", v,
                                           min_length=LEGAL_NAME_MIN, max_length=LEGAL_NAME_MAX)
    if change.sector is not None:
        updates["sector"] = clean_text(change.sector, "sector", v, max_length=SECTOR_MAX)
    if change.address is not None:
        updates["address"] = clean_text(change.address, "address", v, max_length=ADDRESS_MAX)
    if change.risk_group is not None:
        updates["risk_group"] = collect(v, RiskGroup.parse, change.risk_group)
    if change.tax_number is not None:
        updates["tax_number"] = collect(v, normalise_npwp, change.tax_number)
    v.raise_if_any()
    return replace(employer, **updates)
