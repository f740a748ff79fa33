"""bulk enrolment rows remember a fingerprint of the row they answered

A resent batch (same request id) is answered from `bulk_enrol_rows`; the fingerprint
lets the service tell a true resend of row N from a different row N sent under a reused
request id, which is refused instead of being reported UNCHANGED.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-23 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bulk_enrol_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_fingerprint', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('bulk_enrol_rows', schema=None) as batch_op:
        batch_op.drop_column('row_fingerprint')
