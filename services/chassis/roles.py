"""Who may do what (O-3) and the two-person rule (O-4), once for every service.

The roles come from the branch job descriptions; HEAD_OFFICE_ADMIN is the head-office staff
who maintain the office tree and the rule tables. Each service declares its actions and the
roles allowed for each as data (an `ActionTable`); the office scope (which branch's data,
O-2) is a separate check (`scope.py`). Roles outside this enum grant nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import MappingProxyType

from .context import Principal
from .errors import PermissionDenied, RuleViolation


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


ALL_ROLES = frozenset(Role)
# Roles that never change anything, whatever a table says (O-3: the auditor only reads).
READ_ONLY_ROLES = frozenset({Role.HEAD_OFFICE_AUDITOR})
_MAX_ANSWERS = 4096  # (action, roles) pairs kept: tokens are signed, their role sets few


def known_roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    """The platform roles among `roles` (names as tokens carry them); others grant nothing."""
    known = set()
    for role in roles:
        if isinstance(role, Role):
            known.add(role)
        elif isinstance(role, str) and role.strip().upper() in Role.__members__:
            known.add(Role[role.strip().upper()])
    return frozenset(known)


class ActionTable:
    """One service's actions and the roles that may perform each (O-3), as data.

    `reads` names the actions that change nothing: only those are open to read-only roles.
    """

    def __init__(self, permissions: Mapping[Enum, Iterable[Role]], *, reads: Iterable[Enum] = ()):
        self.permissions: Mapping[Enum, frozenset[Role]] = MappingProxyType(
            {action: frozenset(roles) for action, roles in permissions.items()})
        self.reads = frozenset(reads)
        self._answers: dict[tuple[Enum, frozenset[Role | str]], bool] = {}

    def roles_for(self, action: Enum) -> frozenset[Role]:
        return self.permissions[action]

    def allows(self, action: Enum, roles: Iterable[Role | str]) -> bool:
        if isinstance(roles, frozenset):  # a principal's: the answer kept (every call asks it)
            key = (action, roles)
            answer = self._answers.get(key)
            if answer is None:
                if len(self._answers) >= _MAX_ANSWERS:
                    self._answers.clear()
                answer = self._answers[key] = self._allows(action, roles)
            return answer
        return self._allows(action, roles)

    def _allows(self, action: Enum, roles: Iterable[Role | str]) -> bool:
        held = known_roles(roles)
        if action not in self.reads:
            held -= READ_ONLY_ROLES
        return bool(held & self.permissions[action])

    def require(self, action: Enum, roles: Iterable[Role | str]) -> None:
        """PermissionDenied naming the roles `action` needs, unless one of `roles` has it."""
        roles = roles if isinstance(roles, frozenset) else list(roles)
        if not self.allows(action, roles):
            needed = ", ".join(sorted(role.value for role in self.permissions[action]))
            held = ", ".join(sorted(str(getattr(r, "value", r)) for r in roles)) or "none"
            raise PermissionDenied(f"O-3: {describe(action)} needs one of the roles {needed} (caller has {held})")

    def authorise(self, action: Enum, principal: Principal) -> None:
        """O-3 for a caller: services and the process itself act for the platform."""
        if not principal.is_service:
            self.require(action, principal.roles)


def describe(action: Enum) -> str:
    return str(action.value).lower().replace("_", " ")


def require_second_person(first_person: str, second_person: str, step: str) -> None:
    """O-4: no one approves their own work. `first_person` did the work (requested,
    prepared, verified or computed it); `second_person` now approves it."""
    if first_person == second_person:
        raise RuleViolation("O-4", f"{step}: the officer who did the work cannot also approve it", code="SAME_PERSON")
