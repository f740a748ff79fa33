"""Idempotency keys per caller (user and office), so a request id never answers for another caller.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

from services.chassis import platform_migration

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_migration.key_idempotency_by_caller(op)


def downgrade() -> None:
    raise NotImplementedError("stored answers keyed by caller cannot be merged back into one key")
