"""What every contributions use case needs: the database, the office directory, the clock, the O-3 check."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from services.chassis.application import Application
from services.chassis.config import Settings
from services.chassis.context import current_principal
from services.chassis.scope import BranchScope, current_scope
from services.chassis.office_replica import ReplicatedOfficeDirectory
from services.contributions.domain.roles import ACTIONS, ContributionsAction

@dataclass
class ContributionsContext:
    base: Application
    directory: ReplicatedOfficeDirectory
    today: Callable[[], date] = field(default=date.today)
    # The process settings (None when a use case is built outside a service process).
    settings: Settings | None = None

    def authorise(self, action: ContributionsAction) -> BranchScope:
        """O-3: the caller's roles must allow `action`; returns its branch scope (O-2)."""
        ACTIONS.authorise(action, current_principal())
        return current_scope(self.directory)

    def authorise_read(self) -> BranchScope:
        return self.authorise(ContributionsAction.READ)
