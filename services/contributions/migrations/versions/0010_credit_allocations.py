"""Allocations paid by a credit note (a CREDIT bill, C-5) name it in a column of their own;
runs done in batches (RecomputeStanding C-8, RunYearlyReturns C-9) record their progress.

Until now such a row carried the credit bill's number in `payment_allocations.payment_id`.
`credit_bill_number` now holds it; `payment_id` becomes nullable, and a CHECK keeps exactly
one of the two set. Existing rows move: a `payment_id` that no payment has is a credit
note's number (the only other writer of the column).

`batched_runs` holds where each run stopped (the cursor moves in the batch's own
transaction), `batched_run_items` what its answer lists (the employers whose standing it changed).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ONE_SOURCE = "ck_payment_allocations_one_source"
ONE_SOURCE_SQL = "(payment_id IS NULL) <> (credit_bill_number IS NULL)"
FROM_NOTES = "payment_id NOT IN (SELECT payment_id FROM payments)"


def upgrade() -> None:
    with op.batch_alter_table("payment_allocations") as batch:
        batch.add_column(sa.Column("credit_bill_number", sa.String(40), nullable=True))
        batch.alter_column("payment_id", existing_type=sa.String(36), nullable=True)
    op.execute(f"UPDATE payment_allocations SET credit_bill_number = payment_id, payment_id = NULL WHERE {FROM_NOTES}")
    with op.batch_alter_table("payment_allocations") as batch:
        batch.create_check_constraint(ONE_SOURCE, ONE_SOURCE_SQL)
        batch.create_index("ix_payment_allocations_credit_bill_number", ["credit_bill_number"])
    op.create_table(
        "batched_runs",
        sa.Column("run_id", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("request_fingerprint", sa.String(64), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("last_key", sa.String(40), nullable=True),
        sa.Column("items_total", sa.Integer(), nullable=False),
        sa.Column("items_done", sa.Integer(), nullable=False),
        sa.Column("batches_done", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("total_rupiah", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "batched_run_items",
        sa.Column("run_id", sa.String(100), primary_key=True),
        sa.Column("item_key", sa.String(40), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("batched_run_items")
    op.drop_table("batched_runs")
    with op.batch_alter_table("payment_allocations") as batch:
        batch.drop_index("ix_payment_allocations_credit_bill_number")
        batch.drop_constraint(ONE_SOURCE, type_="check")
    op.execute("UPDATE payment_allocations SET payment_id = credit_bill_number WHERE credit_bill_number IS NOT NULL")
    with op.batch_alter_table("payment_allocations") as batch:
        batch.drop_column("credit_bill_number")
        batch.alter_column("payment_id", existing_type=sa.String(36), nullable=False)
