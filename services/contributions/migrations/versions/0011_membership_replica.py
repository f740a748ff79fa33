"""The membership replica as the chassis keeps it (issue 8) and the position a run billed from (issue 12 b).

- rm_employers.status and rm_workers.status widened to 12, rm_workers.programs to 40, and
  rm_workers indexed by branch: the same columns in every service's replica;
- rm_replica_positions: per source topic partition, the highest offset the replica applied;
- billing_run_positions: the replica's positions when a billing run started.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.membership_replica import create_positions_table_op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rm_employers") as batch:
        batch.alter_column("status", existing_type=sa.String(length=10), type_=sa.String(length=12),
                           existing_nullable=False)
    with op.batch_alter_table("rm_workers") as batch:
        batch.alter_column("status", existing_type=sa.String(length=10), type_=sa.String(length=12),
                           existing_nullable=False)
        batch.alter_column("programs", existing_type=sa.String(length=30), type_=sa.String(length=40),
                           existing_nullable=False)
        batch.create_index("ix_rm_workers_branch_code", ["branch_code"], unique=False)
    create_positions_table_op(op)
    op.create_table("billing_run_positions",
                    sa.Column("run_id", sa.String(length=36), nullable=False),
                    sa.Column("topic", sa.String(length=200), nullable=False),
                    sa.Column("partition", sa.Integer(), nullable=False),
                    sa.Column("last_offset", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("run_id", "topic", "partition"))


def downgrade() -> None:
    op.drop_table("billing_run_positions")
    op.drop_table("rm_replica_positions")
    with op.batch_alter_table("rm_workers") as batch:
        batch.drop_index("ix_rm_workers_branch_code")
        batch.alter_column("programs", existing_type=sa.String(length=40), type_=sa.String(length=30),
                           existing_nullable=False)
        batch.alter_column("status", existing_type=sa.String(length=12), type_=sa.String(length=10),
                           existing_nullable=False)
    with op.batch_alter_table("rm_employers") as batch:
        batch.alter_column("status", existing_type=sa.String(length=12), type_=sa.String(length=10),
                           existing_nullable=False)
