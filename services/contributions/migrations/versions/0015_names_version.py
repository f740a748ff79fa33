"""The replica's names version (one row), which GetBill's kept lines are checked against.

A kept answer of a bill's lines shows its workers' names from the read model; it was
checked by reading the bill's (kpj, name) pairs every call, a row a worker, as costly as
the bill's own row. The version moves in the transaction that renames a worker, so one
row read with the bill tells whether the names the answer was built from still hold.

Revision ID: 0015
Revises: 0014
"""
from alembic import op

from services.chassis.membership_replica import NAMES_VERSION, create_names_version_table_op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_names_version_table_op(op)


def downgrade() -> None:
    op.drop_table(NAMES_VERSION)
