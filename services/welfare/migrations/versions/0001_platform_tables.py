"""Platform tables: outbox, inbox, idempotency keys, audit log.

Revision ID: 0001
Revises:
"""
from alembic import op

from services.chassis import platform_migration

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_migration.upgrade(op)


def downgrade() -> None:
    platform_migration.downgrade(op)
