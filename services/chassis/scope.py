"""Branch scope (O-2): which branches the caller may read and change.

Built once per request from the caller (contextvar) and an office directory (the office
tree, owned by membership, replicated to the other services by its events).
Repositories apply `filter()` to every query, so no caller can forget the branch.

A record of a branch the caller may not read is answered as if it did not exist
(NotFound, the same reply as for an unknown id), so a refusal reveals neither that the id
exists nor which branch owns it. A branch the caller names itself (listing "bills of
KC-X") is refused with PermissionDenied. Every refusal is logged and audited.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from sqlalchemy import ColumnElement, Select

from .context import BRANCH, HEAD, REGIONAL, Principal, current_principal, note_branches, note_refusal
from .errors import NotFound, PermissionDenied, shown

log = logging.getLogger("jamsos.scope")

# A SELECT of any columns (Select is generic over the types of its row).
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"


class OfficeDirectory(Protocol):
    def branches_under(self, office_code: str) -> frozenset[str]:
        """The branches a regional office oversees (empty for an unknown office)."""


@dataclass(frozen=True)
class BranchScope:
    principal: Principal
    readable: frozenset[str] | None  # None: every branch
    writable: frozenset[str] | None  # None: every branch (service callers only)

    def can_read(self, branch_code: str) -> bool:
        return self.readable is None or branch_code in self.readable

    def can_write(self, branch_code: str) -> bool:
        return self.writable is None or branch_code in self.writable

    def require_read(self, branch_code: str, subject: str) -> None:
        if not self.can_read(branch_code):
            self._refuse("read", branch_code, subject)

    def require_write(self, branch_code: str, subject: str) -> None:
        if not self.can_write(branch_code):
            self._refuse("change", branch_code, subject)

    def sees(self, branch_code: str, kind: str, key: str) -> bool:
        """Whether a record of `branch_code` exists for this caller; a hidden one is audited.
        For use cases that treat an unknown record as a normal case (a payment naming an
        employer the branch does not know goes to suspense), so that a hidden record and an
        absent one take the same path."""
        if self.can_read(branch_code):
            return True
        self._record("read", branch_code, f"{kind} {key}", "treated as unknown")
        return False

    def require_read_record(self, branch_code: str, kind: str, key: str) -> None:
        """A record of another branch is NotFound, exactly as an id that does not exist."""
        if not self.can_read(branch_code):
            self._hide("read", branch_code, kind, key)

    def require_write_record(self, branch_code: str, kind: str, key: str) -> None:
        """Hidden when the caller cannot even read it; refused when it can read, not change."""
        if not self.can_read(branch_code):
            self._hide("change", branch_code, kind, key)
        if not self.can_write(branch_code):
            self._refuse("change", branch_code, f"{kind} {key}")

    def filter(self, statement: AnySelect, branch_column: ColumnElement[Any]) -> AnySelect:
        if self.readable is None:
            return statement
        return statement.where(branch_column.in_(sorted(self.readable)))

    def _refuse(self, verb: str, branch_code: str, subject: str) -> None:
        self._record(verb, branch_code, subject, "refused")
        raise PermissionDenied(f"office {self.principal.office_code} may not {verb} {shown(subject)} of branch {branch_code} (O-2)")

    def _hide(self, verb: str, branch_code: str, kind: str, key: str) -> None:
        self._record(verb, branch_code, f"{kind} {key}", "answered as not found")
        raise NotFound(kind, key)

    def _record(self, verb: str, branch_code: str, subject: str, outcome: str) -> None:
        p = self.principal
        refusal = {"verb": verb, "subject": shown(subject, 150), "subject_branch": branch_code, "outcome": outcome}
        log.warning("access refused (O-2)", extra={"refused_user": p.user_id, "refused_office": p.office_code, **refusal})
        note_refusal(refusal)


def scope_for(principal: Principal, directory: OfficeDirectory) -> BranchScope:
    if principal.is_service:
        return BranchScope(principal, None, None)
    if principal.office_level == HEAD:
        return BranchScope(principal, None, frozenset())
    if principal.office_level == REGIONAL:
        return BranchScope(principal, directory.branches_under(principal.office_code), frozenset())
    if principal.office_level == BRANCH:
        own = frozenset({principal.office_code})
        return BranchScope(principal, own, own)
    raise PermissionDenied(f"unknown office level {principal.office_level}")


def current_scope(directory: OfficeDirectory) -> BranchScope:
    """The caller's scope; its branches are noted for the database's row security too."""
    scope = scope_for(current_principal(), directory)
    note_branches(scope.readable)
    return scope
