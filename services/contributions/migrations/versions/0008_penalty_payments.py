"""Penalties are collected: what was paid of each, and from which payment or credit (C-6, C-8).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.tables import BigId

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("penalties") as batch:
        batch.add_column(sa.Column("paid_rupiah", sa.BigInteger, nullable=False, server_default="0"))
        batch.add_column(sa.Column("settled_on", sa.Date, nullable=True))
    op.create_table(
        "penalty_payments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("penalty_id", sa.String(36), nullable=False),
        sa.Column("source_id", sa.String(40), nullable=False),
        sa.Column("from_credit", sa.Boolean, nullable=False),
        sa.Column("amount_rupiah", sa.BigInteger, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_penalty_payments_penalty_id", "penalty_payments", ["penalty_id"])
    op.create_index("ix_penalty_payments_source_id", "penalty_payments", ["source_id"])


def downgrade() -> None:
    op.drop_table("penalty_payments")
    with op.batch_alter_table("penalties") as batch:
        batch.drop_column("settled_on")
        batch.drop_column("paid_rupiah")
