"""What every use case of a service needs: its database, the office directory behind the
branch scope (O-2), its action table (O-3) and the clock.

A service's context is this dataclass, or a subclass adding what only that service needs
(contributions adds its settings):

    ctx = ServiceContext(base=base, directory=offices.directory(base.session_factory), actions=ACTIONS)
    scope = ctx.authorise(ClaimAction.APPROVE_CLAIM)   # O-3, then the caller's branch scope
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from .application import Application
from .context import current_principal
from .roles import ActionTable
from .scope import BranchScope, OfficeDirectory, current_scope


@dataclass
class ServiceContext:
    base: Application
    directory: OfficeDirectory
    actions: ActionTable
    today: Callable[[], date] = field(default=date.today)

    def scope(self) -> BranchScope:
        return current_scope(self.directory)

    def authorise(self, action: Enum) -> BranchScope:
        """O-3: the caller's roles must allow `action`; returns the caller's branch scope (O-2)."""
        self.actions.authorise(action, current_principal())
        return self.scope()

    def authorise_on_branch(self, action: Enum, branch_code: str, kind: str) -> BranchScope:
        """O-3 and O-2 for a step on a whole branch (a billing run, a standing recompute):
        the caller must be allowed `action` and may change `branch_code` (PermissionDenied
        naming O-2 otherwise: the office tree is no secret, a branch's records are)."""
        scope = self.authorise(action)
        scope.require_write(branch_code, kind)
        return scope
