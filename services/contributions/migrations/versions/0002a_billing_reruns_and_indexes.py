"""billing: reruns of a period, indexes of the billing hot path

A period may be billed again (late registrations): the run is a record of one attempt
and the bills' own unique key (npp, period, kind, sequence) keeps an employer from being
billed twice, so runs lose their unique (period, scope) key. Employers are billed per
branch in NPP order, hence (branch_code, npp).

Revision ID: 0002a
Revises: 0002
"""
from alembic import op

revision = "0002a"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_runs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_billing_run_period_scope", type_="unique")
        batch_op.create_index("ix_billing_runs_period_scope", ["period_year", "period_month", "scope"], unique=False)
    with op.batch_alter_table("rm_employers", schema=None) as batch_op:
        batch_op.create_index("ix_rm_employers_branch_npp", ["branch_code", "npp"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rm_employers", schema=None) as batch_op:
        batch_op.drop_index("ix_rm_employers_branch_npp")
    with op.batch_alter_table("billing_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_runs_period_scope")
        batch_op.create_unique_constraint("uq_billing_run_period_scope", ["period_year", "period_month", "scope"])
