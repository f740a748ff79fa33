"""What every membership use case needs: the chassis's service context with membership's
own office directory (it owns the tree) and action table."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.chassis.roles import ActionTable
from services.chassis.service_context import ServiceContext
from services.membership.domain.roles import ACTIONS


@dataclass
class MembershipContext(ServiceContext):
    actions: ActionTable = field(default=ACTIONS)
