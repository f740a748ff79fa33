"""The first migration of every service: the platform tables (outbox, inbox, idempotency, audit).

Written as explicit operations, not from the live MetaData, so that history does not
change when the tables later evolve (a change gets a new migration of its own).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from .tables import BigId

if TYPE_CHECKING:
    from alembic.operations import Operations


def upgrade(op: Operations) -> None:
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("message_key", sa.String(200), nullable=False),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("published_at", tz, nullable=True),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"])
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("applied_at", tz, nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("method", sa.String(200), primary_key=True),
        sa.Column("request_id", sa.String(100), primary_key=True),
        sa.Column("request_fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary, nullable=False),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at", tz, nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("office_code", sa.String(50), nullable=False),
        sa.Column("action", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    )
    op.create_index("ix_audit_subject", "audit_log", ["subject"])


def downgrade(op: Operations) -> None:
    for table in ("audit_log", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)


def key_idempotency_by_caller(op: Operations) -> None:
    """Stored answers are keyed by (caller, method, request id) from here on.

    The rows stored before named no caller, so they could be handed to anyone who sends
    the same request id: they are dropped, not guessed. A client that retries across this
    upgrade runs its request again; deploy it with the API drained.
    """
    op.drop_table("idempotency_keys")
    op.create_table(
        "idempotency_keys",
        sa.Column("caller", sa.String(300), primary_key=True),
        sa.Column("method", sa.String(200), primary_key=True),
        sa.Column("request_id", sa.String(100), primary_key=True),
        sa.Column("request_fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def record_broker_positions(op: Operations) -> None:
    """The outbox keeps where the broker acknowledged each event (partition, offset), so the
    relay can tell when a broker has lost what it was sent and publish it again."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("broker_partition", sa.Integer, nullable=True))
        batch.add_column(sa.Column("broker_offset", sa.BigInteger, nullable=True))


def forget_broker_positions(op: Operations) -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("broker_offset")
        batch.drop_column("broker_partition")
