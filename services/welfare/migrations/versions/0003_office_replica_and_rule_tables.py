"""The service kit's tables: the office replica (rm_offices), the rule tables
(rule_versions) and the replica of contributions' rule tables (rule_replicas).

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from services.chassis import office_replica, rule_store

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    office_replica.create_table_op(op)
    rule_store.create_store_table_op(op)
    rule_store.create_replica_table_op(op)


def downgrade() -> None:
    for table in ("rule_replicas", "rule_versions", "rm_offices"):
        op.drop_table(table)
