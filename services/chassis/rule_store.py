"""Storage of dated rule tables and their replicas in a service's own database.

`RuleStore` keeps the versions of the tables a service administers (one row per table and
effective date, the version as JSON, who added it and why) and publishes each new version
as `RuleVersionPublished`. `RuleReplica` keeps another service's versions from those
events, so a service reads a table it does not own without calling its owner.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Date, DateTime, MetaData, String, Table, Text, insert, select
from sqlalchemy.orm import Session

from jamsos.common.v1 import envelope_pb2, rule_tables_pb2

from .config import topic_of
from .context import HEAD, HEAD_OFFICE, Principal
from .errors import AlreadyExists, InvalidArgument, PermissionDenied
from .consumer import HandlerRegistry
from .convert import from_date, to_date
from .runtime import ConsumerSpec
from .unit_of_work import UnitOfWork
from .upsert import upsert

if TYPE_CHECKING:
    from alembic.operations import Operations

RULE_AGGREGATE = "rule_table"


@dataclass(frozen=True)
class StoredVersion:
    table_name: str
    effective_from: date
    payload: dict[str, Any]
    created_by: str
    created_at: datetime
    reason: str | None


class RuleStore:
    """The rule tables this service administers (`rule_versions`)."""

    def __init__(self, metadata: MetaData, service: str):
        self.service = service
        self.table = Table(
            "rule_versions", metadata,
            Column("table_name", String(50), primary_key=True),
            Column("effective_from", Date, primary_key=True),
            Column("payload", Text, nullable=False),  # JSON of the version
            Column("created_by", String(100), nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("reason", Text, nullable=True),
        )

    def versions(self, session: Session, table_name: str) -> list[StoredVersion]:
        return self.versions_of(session, [table_name]).get(table_name, [])

    def versions_of(self, session: Session, table_names: Iterable[str]) -> dict[str, list[StoredVersion]]:
        """The stored versions of several tables in one read, by table, each by effective date."""
        t = self.table
        rows = session.execute(select(t).where(t.c.table_name.in_(list(table_names)))
                               .order_by(t.c.table_name, t.c.effective_from)).all()
        found: dict[str, list[StoredVersion]] = {}
        for r in rows:
            found.setdefault(r.table_name, []).append(
                StoredVersion(r.table_name, r.effective_from, json.loads(r.payload), r.created_by, r.created_at,
                              r.reason))
        return found

    def has(self, session: Session, table_name: str, effective_from: date) -> bool:
        t = self.table
        return session.execute(select(t.c.effective_from).where(
            t.c.table_name == table_name, t.c.effective_from == effective_from)).first() is not None

    def is_empty(self, session: Session) -> bool:
        return session.execute(select(self.table.c.table_name).limit(1)).first() is None

    def add(self, session: Session, table_name: str, effective_from: date, payload: Mapping[str, Any],
            created_by: str, reason: str | None) -> None:
        session.execute(insert(self.table).values(
            table_name=table_name, effective_from=effective_from, payload=json.dumps(dict(payload), sort_keys=True),
            created_by=created_by, created_at=datetime.now(UTC), reason=reason))


    def add_published(self, uow: UnitOfWork, service: str, table_name: str, effective_from: date,
                      payload: Mapping[str, Any], created_by: str, reason: str | None) -> None:
        """A head-office version of a table without keys: stored, published, audited and
        counted in the one transaction of the change."""
        self.add(uow.session, table_name, effective_from, payload, created_by, reason)
        publish_version(uow, service, table_name, "", effective_from, payload, reason)
        uow.audit("rules.add_version", f"{table_name}@{effective_from.isoformat()}", dict(payload), reason=reason)
        uow.count("rule_version_added")


def require_new_version(principal: Principal, table_name: str, effective_from: date, today: date,
                        existing: Iterable[date], *, keeps: str) -> None:
    """What every head-office table change must meet: the head office (or a service) makes
    it (O-2); it takes effect today or later (`keeps` says what keeps its old rules); no
    version of that day exists yet."""
    if not principal.is_service and principal.office_level != HEAD:
        raise PermissionDenied(f"O-2: only the head office changes the rule table {table_name}")
    if effective_from < today:
        raise InvalidArgument.field("effective_from", f"a new version takes effect today or later: {keeps}")
    if effective_from in set(existing):
        raise AlreadyExists("rule version", f"{table_name}@{effective_from.isoformat()}")


def publish_version(uow: UnitOfWork, service: str, table_name: str, key: str, effective_from: date,
                    payload: Mapping[str, Any], reason: str | None) -> None:
    """Tell other services of a new version (in the change's own transaction, via the outbox)."""
    uow.emit(topic_of(service), rule_tables_pb2.RuleVersionPublished(
        table_name=table_name, key=key, effective_from=from_date(effective_from),
        payload_json=json.dumps(dict(payload), sort_keys=True, default=str), reason=reason or ""),
        aggregate_type=RULE_AGGREGATE, aggregate_id=f"{table_name}:{key}", branch_code=key or HEAD_OFFICE)


class RuleReplica:
    """Versions of rule tables another service owns (`rule_replicas`), from its events."""

    def __init__(self, metadata: MetaData, owner: str):
        self.owner = owner
        self.table = Table(
            "rule_replicas", metadata,
            Column("owner", String(30), primary_key=True),
            Column("table_name", String(50), primary_key=True),
            Column("key", String(50), primary_key=True),
            Column("effective_from", Date, primary_key=True),
            Column("payload", Text, nullable=False),
        )

    def register(self, registry: HandlerRegistry) -> None:
        def on_version(uow: UnitOfWork, _envelope: envelope_pb2.EventEnvelope,
                       event: rule_tables_pb2.RuleVersionPublished) -> None:
            # Keyed by (table, key, date): a redelivery or a re-publication leaves one row.
            upsert(uow.session, self.table, dict(owner=self.owner, table_name=event.table_name, key=event.key,
                                                 effective_from=to_date(event, "effective_from"),
                                                 payload=event.payload_json),
                   ["owner", "table_name", "key", "effective_from"])

        registry.on(rule_tables_pb2.RuleVersionPublished, on_version)

    def consumer(self, name: str) -> ConsumerSpec:
        """A consumer group of its own on the owner's events, applying only rule versions."""
        registry = HandlerRegistry()
        self.register(registry)
        return ConsumerSpec(name, (self.owner,), registry)

    def in_force(self, session: Session, table_name: str, key: str, day: date,
                 load: Callable[[Mapping[str, Any]], Any] = dict) -> Any | None:
        """The version of `table_name` for `key` in force on `day`, or None when none is."""
        t = self.table
        payload = session.execute(select(t.c.payload).where(
            t.c.owner == self.owner, t.c.table_name == table_name, t.c.key == key, t.c.effective_from <= day,
        ).order_by(t.c.effective_from.desc()).limit(1)).scalar()
        return None if payload is None else load(json.loads(payload))


def create_store_table_op(op: Operations) -> None:
    """`rule_versions` in a service's migration (explicit, so history never changes)."""
    import sqlalchemy as sa

    op.create_table("rule_versions",
                    sa.Column("table_name", sa.String(50), nullable=False),
                    sa.Column("effective_from", sa.Date, nullable=False),
                    sa.Column("payload", sa.Text, nullable=False),
                    sa.Column("created_by", sa.String(100), nullable=False),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("reason", sa.Text, nullable=True),
                    sa.PrimaryKeyConstraint("table_name", "effective_from"))


def create_replica_table_op(op: Operations) -> None:
    """`rule_replicas` in a service's migration (explicit, so history never changes)."""
    import sqlalchemy as sa

    op.create_table("rule_replicas",
                    sa.Column("owner", sa.String(30), nullable=False),
                    sa.Column("table_name", sa.String(50), nullable=False),
                    sa.Column("key", sa.String(50), nullable=False),
                    sa.Column("effective_from", sa.Date, nullable=False),
                    sa.Column("payload", sa.Text, nullable=False),
                    sa.PrimaryKeyConstraint("owner", "table_name", "key", "effective_from"))
