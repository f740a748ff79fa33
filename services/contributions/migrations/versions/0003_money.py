"""money side of contributions: payments, penalties, reconciliation, standing, JHT ledger

Hand-written (mirrors services/contributions/adapters/money_tables.py). Branches from 0002
beside the billing side's own 0002a.. revisions; the service upgrades to "heads".

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String(36), primary_key=True),
        sa.Column("bank_reference", sa.String(100), nullable=False),
        sa.Column("npp", sa.String(12), nullable=True),
        sa.Column("branch_code", sa.String(30), nullable=False),
        _money("amount_rupiah"),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("bill_number", sa.String(40), nullable=True),
        _money("credit_rupiah"),
        sa.Column("suspense_reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bank_reference", name="uq_payments_bank_reference"),
    )
    op.create_index("ix_payments_branch_status", "payments", ["branch_code", "status", "paid_on"])
    op.create_index("ix_payments_npp", "payments", ["npp", "status"])

    op.create_table(
        "payment_allocations",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("payment_id", sa.String(36), nullable=False),
        sa.Column("bill_number", sa.String(40), nullable=False),
        _money("amount_rupiah"),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        sa.Column("from_credit", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_payment_allocations_payment_id", "payment_allocations", ["payment_id"])
    op.create_index("ix_payment_allocations_bill_number", "payment_allocations", ["bill_number"])

    op.create_table(
        "penalties",
        sa.Column("penalty_id", sa.String(36), primary_key=True),
        sa.Column("bill_number", sa.String(40), nullable=False),
        sa.Column("npp", sa.String(12), nullable=False),
        sa.Column("branch_code", sa.String(30), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("period_month", sa.Integer(), nullable=False),
        _money("late_contribution_rupiah"),
        sa.Column("months_late", sa.Integer(), nullable=False),
        sa.Column("penalty_bp_per_month", sa.Integer(), nullable=False),
        _money("assessed_rupiah"),
        _money("amount_rupiah"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("rule_source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bill_number", name="uq_penalties_bill"),
    )
    op.create_index("ix_penalties_npp", "penalties", ["npp"])
    op.create_index("ix_penalties_branch", "penalties", ["branch_code", "created_at"])

    op.create_table(
        "penalty_corrections",
        sa.Column("correction_id", sa.String(36), primary_key=True),
        sa.Column("penalty_id", sa.String(36), nullable=False),
        _money("new_amount_rupiah"),
        sa.Column("waive", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_penalty_corrections_penalty_id", "penalty_corrections", ["penalty_id"])

    op.create_table(
        "reconciliation_worksheets",
        sa.Column("worksheet_id", sa.String(36), primary_key=True),
        sa.Column("npp", sa.String(12), nullable=False),
        sa.Column("branch_code", sa.String(30), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("period_month", sa.Integer(), nullable=False),
        _money("billed_rupiah"),
        _money("reported_rupiah"),
        _money("received_rupiah"),
        _money("penalty_due_rupiah"),
        _money("penalty_charged_rupiah"),
        sa.Column("penalty_portions", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("prepared_by", sa.String(100), nullable=False),
        sa.Column("prepared_on", sa.Date(), nullable=False),
        sa.Column("validated_by", sa.String(100), nullable=True),
        sa.Column("validated_on", sa.Date(), nullable=True),
        sa.Column("posted_by", sa.String(100), nullable=True),
        sa.Column("posted_on", sa.Date(), nullable=True),
        _money("jht_posted_rupiah"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reconciliation_worksheets_branch_code", "reconciliation_worksheets", ["branch_code"])
    op.create_index("ix_worksheets_employer_period", "reconciliation_worksheets", ["npp", "period_year", "period_month"])
    op.create_table(
        "reconciliation_worksheet_bills",
        sa.Column("worksheet_id", sa.String(36), primary_key=True),
        sa.Column("bill_number", sa.String(40), primary_key=True),
    )
    op.create_table(
        "reconciliation_worksheet_payments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("worksheet_id", sa.String(36), nullable=False),
        sa.Column("bank_reference", sa.String(100), nullable=False),
        _money("amount_rupiah"),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_reconciliation_worksheet_payments_worksheet_id", "reconciliation_worksheet_payments", ["worksheet_id"])
    op.create_table(
        "reconciliation_worksheet_differences",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("worksheet_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        _money("amount_rupiah"),
        sa.Column("bank_reference", sa.String(100), nullable=True),
    )
    op.create_index("ix_reconciliation_worksheet_differences_worksheet_id", "reconciliation_worksheet_differences", ["worksheet_id"])

    op.create_table(
        "employer_standing",
        sa.Column("npp", sa.String(12), primary_key=True),
        sa.Column("branch_code", sa.String(30), nullable=False),
        sa.Column("in_arrears", sa.Boolean(), nullable=False),
        sa.Column("good_standing", sa.Boolean(), nullable=False),
        sa.Column("data_complete", sa.Boolean(), nullable=False),
        _money("arrears_rupiah"),
        _money("up_to_30_rupiah"),
        _money("days_31_60_rupiah"),
        _money("days_61_90_rupiah"),
        _money("over_90_rupiah"),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_employer_standing_branch_code", "employer_standing", ["branch_code"])

    op.create_table(
        "ledger_entries",
        sa.Column("entry_id", sa.String(160), primary_key=True),
        sa.Column("reference", sa.String(150), nullable=False),
        sa.Column("account", sa.String(60), nullable=False),
        sa.Column("kpj", sa.String(11), nullable=False),
        _money("amount_rupiah"),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("branch_code", sa.String(30), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ledger_entries_reference", "ledger_entries", ["reference"])
    op.create_index("ix_ledger_account_day", "ledger_entries", ["account", "posted_on"])
    op.create_index("ix_ledger_kpj_day", "ledger_entries", ["kpj", "posted_on"])
    op.create_table(
        "jht_return_runs",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("members_credited", sa.Integer(), nullable=False),
        _money("total_rupiah"),
        sa.Column("run_by", sa.String(100), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "jht_settlements",
        sa.Column("claim_id", sa.String(64), primary_key=True),
        sa.Column("kpj", sa.String(11), nullable=False),
        _money("amount_rupiah"),
        _money("part_year_return_rupiah"),
        sa.Column("settled_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_jht_settlements_kpj", "jht_settlements", ["kpj"])


def downgrade() -> None:
    for table in ("jht_settlements", "jht_return_runs", "ledger_entries", "employer_standing",
                  "reconciliation_worksheet_differences", "reconciliation_worksheet_payments",
                  "reconciliation_worksheet_bills", "reconciliation_worksheets", "penalty_corrections",
                  "penalties", "payment_allocations", "payments"):
        op.drop_table(table)  # dropping a table drops its indexes
