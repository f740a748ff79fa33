"""Who may do what in the membership service (O-3): its actions and their roles, as data.

The platform's roles, the read-only rule and the check itself are the chassis's
(`services.chassis.roles`); the office scope (which branch's data) is a separate check:
see `offices.OfficeTree` (O-2).
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from services.chassis.roles import ALL_ROLES, ActionTable, Role


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

ACTIONS = ActionTable({
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
    MembershipAction.READ: ALL_ROLES,
    MembershipAction.IMPORT_PWBD: _ADMINISTRATION,
    MembershipAction.RECORD_NOTICE_LETTER: _ADMINISTRATION,
    MembershipAction.ISSUE_CARD: _ADMINISTRATION | {Role.SERVICE_OFFICER},
    MembershipAction.MANAGE_OFFICES: frozenset({Role.HEAD_OFFICE_ADMIN}),
}, reads={MembershipAction.READ})
PERMISSIONS = ACTIONS.permissions


def allowed_roles(action: MembershipAction) -> frozenset[Role]:
    return ACTIONS.roles_for(action)


def is_allowed(action: MembershipAction, roles: Iterable[Role | str]) -> bool:
    """True when any of `roles` may perform `action` (O-3)."""
    return ACTIONS.allows(action, roles)


def require_role(action: MembershipAction, roles: Iterable[Role | str]) -> None:
    """Raise PermissionDenied unless one of `roles` may perform `action` (O-3); `roles` may
    be Role members or their names as strings (as carried by the caller's token)."""
    ACTIONS.require(action, roles)
