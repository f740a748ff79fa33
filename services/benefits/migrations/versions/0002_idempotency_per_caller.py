"""Idempotency keys per caller (user and office), so a request id never answers for another caller.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from services.chassis import platform_migration

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_migration.key_idempotency_by_caller(op)


def downgrade() -> None:
    raise NotImplementedError("stored answers keyed by caller cannot be merged back into one key")
