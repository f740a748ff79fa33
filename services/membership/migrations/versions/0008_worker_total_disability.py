"""workers remember the date of total permanent disability benefits established

Benefits publishes MemberTotallyDisabled when an approved claim establishes a total
permanent disability (B-JKK-6, B-JHT-1); membership records its date on the worker
(nullable: most members have none) and shows it in GetWorker.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totally_disabled_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_column("totally_disabled_on")
