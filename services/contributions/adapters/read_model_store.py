"""The membership read model in the contributions database (rm_* tables): the chassis's
membership replica (`services/chassis/membership_replica.py`), with the parts billing uses.

Rows here belong to no caller: they are written by the consumer of membership's events,
for the platform, and read by billing; so this is a plain store, not a scoped repository.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.chassis.consumer import HandlerRegistry
from services.chassis.membership_replica import ChangeHooks, MembershipQueries
from services.chassis.scope import OfficeDirectory
from services.contributions.adapters.tables import membership, offices


def register_office_tree(registry: HandlerRegistry, directory: OfficeDirectory) -> None:
    """OfficeTreeChanged replaces the office tree the branch scope uses (O-1, O-2)."""
    offices.register(registry, directory)


def register_membership(registry: HandlerRegistry, hooks: ChangeHooks) -> None:
    """Membership's employer and worker events into the rm_* tables, each through `hooks`."""
    membership.register(registry, hooks)


def read_model_queries(session: Session) -> MembershipQueries:
    return membership.queries(session)
