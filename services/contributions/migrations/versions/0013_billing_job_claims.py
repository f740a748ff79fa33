"""Billing branch jobs claimed from the database (C-5): the database is the queue.

A job worker of any replica claims a job not DONE whose lease is free or expired
(`claimed_by`, `lease_until`), renews the lease with each chunk it commits, and a job
whose replica died is taken over once its lease has expired. The claim looks for jobs
not DONE, hence the index on `status`.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(100), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_billing_jobs_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("billing_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_jobs_status")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
