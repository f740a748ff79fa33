"""The membership replica as the chassis keeps it (issue 8): the same columns and indexes in
every service's replica, and its positions.

- rm_employers.status widened to 12, indexed by (branch, NPP);
- rm_workers.programs (the worker's programs, "JHT,JKK,JK,JPK"; rows already held get all
  four, membership's enrolment default, until their next event);
- rm_employments indexed by (NPP, start);
- rm_replica_positions: per source topic partition, the highest offset the replica applied.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.membership_replica import create_positions_table_op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rm_employers") as batch:
        batch.alter_column("status", existing_type=sa.String(length=10), type_=sa.String(length=12),
                           existing_nullable=False)
        batch.create_index("ix_rm_employers_branch_npp", ["branch_code", "npp"], unique=False)
    with op.batch_alter_table("rm_workers") as batch:
        batch.add_column(sa.Column("programs", sa.String(length=40), nullable=False, server_default="JHT,JKK,JK,JPK"))
    with op.batch_alter_table("rm_workers") as batch:
        batch.alter_column("programs", existing_type=sa.String(length=40), existing_nullable=False,
                           server_default=None)
    with op.batch_alter_table("rm_employments") as batch:
        batch.create_index("ix_rm_employments_npp", ["npp", "start_date"], unique=False)
    create_positions_table_op(op)


def downgrade() -> None:
    op.drop_table("rm_replica_positions")
    with op.batch_alter_table("rm_employments") as batch:
        batch.drop_index("ix_rm_employments_npp")
    with op.batch_alter_table("rm_workers") as batch:
        batch.drop_column("programs")
    with op.batch_alter_table("rm_employers") as batch:
        batch.drop_index("ix_rm_employers_branch_npp")
        batch.alter_column("status", existing_type=sa.String(length=12), type_=sa.String(length=10),
                           existing_nullable=False)
