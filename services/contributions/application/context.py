"""What every contributions use case needs: the database, the office directory, the clock, roles."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from services.chassis.application import Application
from services.chassis.config import Settings
from services.chassis.context import current_principal
from services.chassis.errors import PermissionDenied
from services.chassis.scope import BranchScope, current_scope
from services.contributions.adapters.office_directory import ReplicatedOfficeDirectory

# O-3 roles as they appear in tokens.
ADMINISTRATION_OFFICER = "ADMINISTRATION_OFFICER"
FINANCE_OFFICER = "FINANCE_OFFICER"
BRANCH_HEAD = "BRANCH_HEAD"
HEAD_OFFICE_ADMIN = "HEAD_OFFICE_ADMIN"
HEAD_OFFICE_AUDITOR = "HEAD_OFFICE_AUDITOR"
REGIONAL_OFFICER = "REGIONAL_OFFICER"
READ_ROLES = frozenset({
    "MARKETING_OFFICER", ADMINISTRATION_OFFICER, "SERVICE_OFFICER", BRANCH_HEAD, FINANCE_OFFICER, "IT_OFFICER",
    REGIONAL_OFFICER, HEAD_OFFICE_AUDITOR, HEAD_OFFICE_ADMIN,
})


@dataclass
class ContributionsContext:
    base: Application
    directory: ReplicatedOfficeDirectory
    today: Callable[[], date] = field(default=date.today)
    # The process settings (None when a use case is built outside a service process).
    settings: Settings | None = None

    def authorise(self, action: str, roles: Iterable[str]) -> BranchScope:
        """O-3: the caller needs one of `roles` for `action`; returns its branch scope (O-2)."""
        principal = current_principal()
        allowed = frozenset(roles)
        if not principal.is_service and not principal.roles & allowed:
            raise PermissionDenied(f"O-3: {action} needs one of the roles {', '.join(sorted(allowed))}")
        return current_scope(self.directory)

    def authorise_read(self, action: str) -> BranchScope:
        return self.authorise(action, READ_ROLES)
