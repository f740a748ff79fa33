"""Payments indexed by employer, status and credit left (C-7), in place of (npp, status).

Every payment asks whether its employer has credit waiting (a matched payment with credit
left) and sums that credit; on (npp, status) both read every matched payment the employer
ever made, a cost that grew with each payment. With the credit in the index they read only
the payments with credit left. It replaces the (npp, status) index, whose lookups it serves
as well, so a payment's insert maintains no more indexes than before.

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payments_npp_credit", "payments", ["npp", "status", "credit_rupiah"])
    op.drop_index("ix_payments_npp", table_name="payments")


def downgrade() -> None:
    op.create_index("ix_payments_npp", "payments", ["npp", "status"])
    op.drop_index("ix_payments_npp_credit", table_name="payments")
