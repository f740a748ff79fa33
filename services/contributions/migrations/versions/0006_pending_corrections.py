"""Pending corrections: workers who join or leave a billed period late, billed by the next run (C-5).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_corrections",
        sa.Column("npp", sa.String(12), primary_key=True),
        sa.Column("period_year", sa.Integer, primary_key=True),
        sa.Column("period_month", sa.Integer, primary_key=True),
        sa.Column("kpj", sa.String(11), primary_key=True),
        sa.Column("branch_code", sa.String(30), nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pending_corrections_branch_code", "pending_corrections", ["branch_code"])


def downgrade() -> None:
    op.drop_index("ix_pending_corrections_branch_code", "pending_corrections")
    op.drop_table("pending_corrections")
