"""Roles and who may do what in the membership service (O-3).

The roles come from the branch job descriptions in seed 000; HEAD_OFFICE_ADMIN is added
for the head-office staff who maintain the office tree and the rule tables. The office
scope (which branch's data) is a separate check: see `offices.OfficeTree` (O-2).
"""
from __future__ import annotations

from enum import Enum
from types import MappingProxyType
from typing import Iterable, Mapping

from services.chassis.errors import PermissionDenied


class Role(str, Enum):
    MARKETING_OFFICER = "MARKETING_OFFICER"  # Penata Madya Pemasaran
    ADMINISTRATION_OFFICER = "ADMINISTRATION_OFFICER"  # Penata Madya Administrasi (Pemasaran)
    SERVICE_OFFICER = "SERVICE_OFFICER"  # Penata Madya Pelayanan
    BRANCH_HEAD = "BRANCH_HEAD"  # Kepala Kantor Cabang
    FINANCE_OFFICER = "FINANCE_OFFICER"  # Keuangan
    IT_OFFICER = "IT_OFFICER"  # Penata Madya Teknologi Informasi
    REGIONAL_OFFICER = "REGIONAL_OFFICER"  # staff of a Kantor Wilayah
    HEAD_OFFICE_AUDITOR = "HEAD_OFFICE_AUDITOR"  # read-only everywhere
    HEAD_OFFICE_ADMIN = "HEAD_OFFICE_ADMIN"  # office tree and rule tables


class MembershipAction(str, Enum):
    REGISTER_EMPLOYER = "REGISTER_EMPLOYER"  # M-1
    REGISTER_INFORMAL_PARTICIPANT = "REGISTER_INFORMAL_PARTICIPANT"  # M-7
    REGISTER_CONSTRUCTION_PROJECT = "REGISTER_CONSTRUCTION_PROJECT"  # M-7
    CHANGE_EMPLOYER = "CHANGE_EMPLOYER"  # M-1
    ENROL_WORKER = "ENROL_WORKER"  # M-3
    TRANSFER_WORKER = "TRANSFER_WORKER"  # M-3 (mutasi)
    CHANGE_WORKER_DETAILS = "CHANGE_WORKER_DETAILS"  # M-4 ("perubahan data tenaga kerja")
    CHANGE_WAGE = "CHANGE_WAGE"  # M-4
    CHANGE_FAMILY = "CHANGE_FAMILY"  # M-6
    TERMINATE_WORKER = "TERMINATE_WORKER"  # M-8 (PHK)
    RECORD_DEATH = "RECORD_DEATH"  # M-8
    READ = "READ"  # O-2 scope still applies
    IMPORT_PWBD = "IMPORT_PWBD"  # M-2
    RECORD_NOTICE_LETTER = "RECORD_NOTICE_LETTER"  # M-2
    ISSUE_CARD = "ISSUE_CARD"  # M-5
    MANAGE_OFFICES = "MANAGE_OFFICES"  # O-1


_MARKETING = frozenset({Role.MARKETING_OFFICER})
_ADMINISTRATION = frozenset({Role.ADMINISTRATION_OFFICER})

PERMISSIONS: Mapping[MembershipAction, frozenset[Role]] = MappingProxyType({
    MembershipAction.REGISTER_EMPLOYER: _MARKETING,
    MembershipAction.REGISTER_INFORMAL_PARTICIPANT: _MARKETING,
    MembershipAction.REGISTER_CONSTRUCTION_PROJECT: _MARKETING,
    MembershipAction.CHANGE_EMPLOYER: _MARKETING | _ADMINISTRATION,
    MembershipAction.ENROL_WORKER: _ADMINISTRATION,
    MembershipAction.TRANSFER_WORKER: _ADMINISTRATION,
    MembershipAction.CHANGE_WORKER_DETAILS: _ADMINISTRATION,
    MembershipAction.CHANGE_WAGE: _ADMINISTRATION,
    MembershipAction.CHANGE_FAMILY: _ADMINISTRATION,
    MembershipAction.TERMINATE_WORKER: _ADMINISTRATION,
    MembershipAction.RECORD_DEATH: _ADMINISTRATION,
    MembershipAction.READ: frozenset(Role),
    MembershipAction.IMPORT_PWBD: _ADMINISTRATION,
    MembershipAction.RECORD_NOTICE_LETTER: _ADMINISTRATION,
    MembershipAction.ISSUE_CARD: _ADMINISTRATION | {Role.SERVICE_OFFICER},
    MembershipAction.MANAGE_OFFICES: frozenset({Role.HEAD_OFFICE_ADMIN}),
})

# Roles that never change anything, whatever the table says (O-3: auditor is read-only).
READ_ONLY_ROLES = frozenset({Role.HEAD_OFFICE_AUDITOR})


def _known_roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    """The recognised roles among `roles`; unknown role names grant nothing."""
    known = set()
    for role in roles:
        if isinstance(role, Role):
            known.add(role)
        elif isinstance(role, str) and role.strip().upper() in Role.__members__:
            known.add(Role[role.strip().upper()])
    return frozenset(known)


def allowed_roles(action: MembershipAction) -> frozenset[Role]:
    return PERMISSIONS[action]


def is_allowed(action: MembershipAction, roles: Iterable[Role | str]) -> bool:
    """True when any of `roles` may perform `action` (O-3)."""
    held = _known_roles(roles)
    if action is not MembershipAction.READ:
        held -= READ_ONLY_ROLES
    return bool(held & PERMISSIONS[action])


def require_role(action: MembershipAction, roles: Iterable[Role | str]) -> None:
    """Raise PermissionDenied unless one of `roles` may perform `action` (O-3).

    `roles` may be Role members or their names as strings (as carried by the caller's
    token); unknown names are ignored.
    """
    roles = list(roles)
    if not is_allowed(action, roles):
        needed = ", ".join(sorted(role.value for role in PERMISSIONS[action]))
        action_name = action.value.lower().replace("_", " ")
        held = ", ".join(sorted(str(getattr(r, "value", r)) for r in roles)) or "none"
        raise PermissionDenied(f"O-3: {action_name} needs one of the roles {needed} (caller has {held})")
