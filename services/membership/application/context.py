"""What every membership use case needs: the database, the office directory, the clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from services.chassis.application import Application
from services.chassis.context import current_principal
from services.chassis.scope import BranchScope, current_scope
from services.membership.adapters.office_directory import OfficeDirectory
from services.membership.domain.roles import MembershipAction, require_role


@dataclass
class MembershipContext:
    base: Application
    directory: OfficeDirectory
    today: Callable[[], date] = field(default=date.today)

    def scope(self) -> BranchScope:
        return current_scope(self.directory)

    def authorise(self, action: MembershipAction) -> BranchScope:
        """O-3: the caller's roles must allow `action`; returns the caller's branch scope (O-2)."""
        principal = current_principal()
        if not principal.is_service:
            require_role(action, principal.roles)
        return self.scope()
