"""What every membership use case needs: the database, the office directory, the clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from services.chassis.application import Application
from services.chassis.context import current_principal
from services.chassis.scope import BranchScope, current_scope
from services.membership.adapters.office_directory import OfficeDirectory
from services.membership.domain.roles import ACTIONS, MembershipAction


@dataclass
class MembershipContext:
    base: Application
    directory: OfficeDirectory
    today: Callable[[], date] = field(default=date.today)

    def scope(self) -> BranchScope:
        return current_scope(self.directory)

    def authorise(self, action: MembershipAction) -> BranchScope:
        """O-3: the caller's roles must allow `action`; returns the caller's branch scope (O-2)."""
        ACTIONS.authorise(action, current_principal())
        return self.scope()
