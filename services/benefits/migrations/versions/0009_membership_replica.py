"""The membership replica as the chassis keeps it (issue 8): the same columns and indexes in
every service's replica, and its positions.

- rm_employers.registration_date NOT NULL (membership always sets it: every replica requires
  it), indexed by branch and by (branch, NPP);
- rm_workers.name widened to 200, indexed by NPP and by branch; rm_employments by (NPP, start);
- rm_replica_positions: per source topic partition, the highest offset the replica applied.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.membership_replica import create_positions_table_op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rm_employers") as batch:
        batch.alter_column("registration_date", existing_type=sa.Date(), nullable=False)
        batch.create_index("ix_rm_employers_branch_code", ["branch_code"], unique=False)
        batch.create_index("ix_rm_employers_branch_npp", ["branch_code", "npp"], unique=False)
    with op.batch_alter_table("rm_workers") as batch:
        batch.alter_column("name", existing_type=sa.String(length=100), type_=sa.String(length=200),
                           existing_nullable=False)
        batch.create_index("ix_rm_workers_npp", ["npp"], unique=False)
        batch.create_index("ix_rm_workers_branch_code", ["branch_code"], unique=False)
    with op.batch_alter_table("rm_employments") as batch:
        batch.create_index("ix_rm_employments_npp", ["npp", "start_date"], unique=False)
    create_positions_table_op(op)


def downgrade() -> None:
    op.drop_table("rm_replica_positions")
    with op.batch_alter_table("rm_employments") as batch:
        batch.drop_index("ix_rm_employments_npp")
    with op.batch_alter_table("rm_workers") as batch:
        batch.drop_index("ix_rm_workers_branch_code")
        batch.drop_index("ix_rm_workers_npp")
        batch.alter_column("name", existing_type=sa.String(length=200), type_=sa.String(length=100),
                           existing_nullable=False)
    with op.batch_alter_table("rm_employers") as batch:
        batch.drop_index("ix_rm_employers_branch_npp")
        batch.drop_index("ix_rm_employers_branch_code")
        batch.alter_column("registration_date", existing_type=sa.Date(), nullable=True)
