"""What every contributions use case needs: the chassis's service context with the
replicated office directory, contributions' action table and the process settings."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.chassis.config import Settings
from services.chassis.roles import ActionTable
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.contributions.domain.roles import ACTIONS, ContributionsAction


@dataclass
class ContributionsContext(ServiceContext):
    actions: ActionTable = field(default=ACTIONS)
    # The process settings (None when a use case is built outside a service process).
    settings: Settings | None = None

    def authorise_read(self) -> BranchScope:
        return self.authorise(ContributionsAction.READ)
