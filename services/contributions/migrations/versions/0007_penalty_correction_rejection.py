"""A penalty correction can be rejected, with who and why (C-6, O-4).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("penalty_corrections") as batch:
        batch.add_column(sa.Column("rejected_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rejection_reason", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("penalty_corrections") as batch:
        for column in ("rejection_reason", "rejected_at", "rejected_by"):
            batch.drop_column(column)
