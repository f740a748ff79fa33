"""Tables every service database has: outbox, inbox, idempotency keys, audit log.

Each service builds its own MetaData and calls `add_platform_tables(metadata)`, so its
Alembic migrations create these beside its domain tables.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

# SQLite autoincrements only INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def add_platform_tables(metadata: MetaData) -> dict[str, Table]:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=False),
        Column("envelope", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        # Where the broker acknowledged the event: if it later holds less, it lost it.
        Column("broker_partition", Integer, nullable=True),
        Column("broker_offset", BigInteger, nullable=True),
        Index("ix_outbox_unpublished", "published_at", "id"),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    # Keyed by the caller too: one office's request id never answers for another's.
    idempotency = Table(
        "idempotency_keys",
        metadata,
        Column("caller", String(300), primary_key=True),
        Column("method", String(200), primary_key=True),
        Column("request_id", String(100), primary_key=True),
        Column("request_fingerprint", String(64), nullable=False),
        Column("response", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    audit = Table(
        "audit_log",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("user_id", String(100), nullable=False),
        Column("office_code", String(50), nullable=False),
        Column("action", String(200), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("detail", Text, nullable=False),
        Column("reason", Text, nullable=True),
        Index("ix_audit_subject", "subject"),
    )
    return {"outbox": outbox, "inbox": inbox, "idempotency": idempotency, "audit": audit}


def platform_table_names() -> tuple[str, ...]:
    return ("outbox", "inbox", "idempotency_keys", "audit_log")

