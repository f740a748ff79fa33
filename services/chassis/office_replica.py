"""The office tree (O-1) as a service other than membership keeps it: one component.

Membership owns the tree and publishes `OfficeTreeChanged` with the whole tree; a service
that scopes by branch (O-2) keeps a replica of it:

    offices = OfficeReplica(metadata)                    # tables.py: adds `rm_offices`
    directory = offices.directory(base.session_factory)  # bootstrap: the scope's directory
    offices.consumer("benefits-offices", directory)      # bootstrap: its own consumer group, or
    offices.register(registry, directory)                # beside other handlers of membership's events

`branches_under(region)` answers from the replica, cached briefly; a new tree is seen by
readers once its transaction has committed.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, cast

from sqlalchemy import Column, MetaData, String, Table, delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from jamsos.common.v1 import envelope_pb2
from jamsos.membership.v1 import events_pb2, offices_pb2

from .consumer import HandlerRegistry
from .runtime import ConsumerSpec
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from alembic.operations import Operations

TABLE = "rm_offices"


def office_level_name(level: int) -> str:
    """HEAD, REGIONAL or BRANCH; an unset or unknown level is a branch (the tree's leaves)."""
    known = level in offices_pb2.OfficeLevel.values()
    name = offices_pb2.OfficeLevel.Name(cast("offices_pb2.OfficeLevel.ValueType", level)) if known else ""
    return name.removeprefix("OFFICE_LEVEL_") if name and level else "BRANCH"


class ReplicatedOfficeDirectory:
    """Which branches a regional office oversees, from the replica, cached for `ttl` seconds."""

    def __init__(self, table: Table, session_factory: sessionmaker[Session], ttl: float = 30.0):
        self._table = table
        self._session_factory = session_factory
        self._ttl = ttl
        self._lock = threading.Lock()
        self._children: dict[str, frozenset[str]] | None = None
        self._loaded_at = 0.0

    def branches_under(self, office_code: str) -> frozenset[str]:
        return self._load().get(office_code, frozenset())

    def invalidate(self) -> None:
        with self._lock:
            self._children = None

    def _load(self) -> dict[str, frozenset[str]]:
        with self._lock:
            if self._children is None or time.monotonic() - self._loaded_at > self._ttl:
                t = self._table
                with self._session_factory() as session:
                    rows = session.execute(select(t.c.code, t.c.level, t.c.parent_code)).all()
                children: dict[str, set[str]] = {}
                for code, level, parent in rows:
                    if level == "BRANCH" and parent:
                        children.setdefault(parent, set()).add(code)
                self._children = {k: frozenset(v) for k, v in children.items()}
                self._loaded_at = time.monotonic()
            return self._children


class OfficeReplica:
    """The `rm_offices` table, its directory and the handler that keeps it current."""

    def __init__(self, metadata: MetaData):
        self.table = Table(
            TABLE, metadata,
            Column("code", String(30), primary_key=True),
            Column("level", String(10), nullable=False),
            Column("parent_code", String(30), nullable=True),
        )

    def directory(self, session_factory: sessionmaker[Session]) -> ReplicatedOfficeDirectory:
        return ReplicatedOfficeDirectory(self.table, session_factory)

    def register(self, registry: HandlerRegistry, directory: ReplicatedOfficeDirectory) -> None:
        """Apply membership's OfficeTreeChanged to this service's replica."""
        def on_office_tree_changed(uow: UnitOfWork, _envelope: envelope_pb2.EventEnvelope,
                                   payload: events_pb2.OfficeTreeChanged) -> None:
            self.replace(uow, payload)
            uow.after_commit(directory.invalidate)

        registry.on(events_pb2.OfficeTreeChanged, on_office_tree_changed)

    def consumer(self, name: str, directory: ReplicatedOfficeDirectory) -> ConsumerSpec:
        """A consumer group of its own on membership's events, applying only the tree (in batches:
        the directory is invalidated once the batch has committed, and nothing in it reads it)."""
        registry = HandlerRegistry(in_batches=True)
        self.register(registry, directory)
        return ConsumerSpec(name, ("membership",), registry)

    def replace(self, uow: UnitOfWork, tree: events_pb2.OfficeTreeChanged) -> None:
        """The whole tree is in every event, so applying one replaces the replica."""
        uow.session.execute(delete(self.table))
        rows = [{"code": o.code, "parent_code": o.parent_code or None, "level": office_level_name(o.level)}
                for o in tree.offices]
        if rows:
            uow.session.execute(insert(self.table), rows)


def create_table_op(op: Operations) -> None:
    """The replica's table in a service's migration (explicit, so history never changes)."""
    import sqlalchemy as sa

    op.create_table(TABLE,
                    sa.Column("code", sa.String(length=30), nullable=False),
                    sa.Column("level", sa.String(length=10), nullable=False),
                    sa.Column("parent_code", sa.String(length=30), nullable=True),
                    sa.PrimaryKeyConstraint("code"))
