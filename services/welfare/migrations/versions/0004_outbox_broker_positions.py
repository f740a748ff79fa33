"""The outbox records the broker position of each published event (republish on broker loss).

Revision ID: 0004
Revises: 0003
"""
from alembic import op

from services.chassis import platform_migration

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_migration.record_broker_positions(op)


def downgrade() -> None:
    platform_migration.forget_broker_positions(op)
