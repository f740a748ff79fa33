"""The welfare programs" tables: the read model of other services" events (rm_*), loan
applications, loans with instalments and repayments, the regional funds" ledger,
scholarships and PUMP applications.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("fund_entries",
    sa.Column("entry_id", sa.String(length=36), nullable=False),
    sa.Column("region_code", sa.String(length=30), nullable=False),
    sa.Column("fund", sa.String(length=20), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("booked_on", sa.Date(), nullable=False),
    sa.Column("reference", sa.String(length=100), nullable=False),
    sa.Column("loan_id", sa.String(length=36), nullable=True),
    sa.Column("created_by", sa.String(length=100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("entry_id")
    )
    op.create_index("ix_fund_entries_fund", "fund_entries", ["region_code", "fund", "booked_on"], unique=False)

    op.create_table("funds",
    sa.Column("region_code", sa.String(length=30), nullable=False),
    sa.Column("fund", sa.String(length=20), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("region_code", "fund")
    )
    op.create_table("loan_applications",
    sa.Column("application_id", sa.String(length=36), nullable=False),
    sa.Column("program", sa.String(length=20), nullable=False),
    sa.Column("branch_code", sa.String(length=30), nullable=False),
    sa.Column("npp", sa.String(length=12), nullable=True),
    sa.Column("applicant_name", sa.String(length=200), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("proposal", sa.Text(), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("term_months", sa.Integer(), nullable=False),
    sa.Column("rate_bp", sa.Integer(), nullable=False),
    sa.Column("interest", sa.BigInteger(), nullable=False),
    sa.Column("submitted_on", sa.Date(), nullable=False),
    sa.Column("submitted_by", sa.String(length=100), nullable=False),
    sa.Column("checked_by", sa.String(length=100), nullable=True),
    sa.Column("checked_on", sa.Date(), nullable=True),
    sa.Column("reasons", sa.Text(), nullable=False),
    sa.Column("approved_by", sa.String(length=100), nullable=True),
    sa.Column("approved_on", sa.Date(), nullable=True),
    sa.Column("agreement_number", sa.String(length=100), nullable=True),
    sa.Column("signed_by", sa.String(length=100), nullable=True),
    sa.Column("signed_on", sa.Date(), nullable=True),
    sa.Column("loan_id", sa.String(length=36), nullable=True),
    sa.Column("disbursed_on", sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint("application_id")
    )
    op.create_index("ix_loan_applications_branch", "loan_applications", ["branch_code", "application_id"], unique=False)

    op.create_table("loan_instalments",
    sa.Column("loan_id", sa.String(length=36), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("due_date", sa.Date(), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("principal", sa.BigInteger(), nullable=False),
    sa.Column("interest", sa.BigInteger(), nullable=False),
    sa.Column("paid", sa.BigInteger(), nullable=False),
    sa.Column("paid_on", sa.Date(), nullable=True),
    sa.Column("late_flagged_on", sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint("loan_id", "number")
    )
    op.create_table("loan_repayments",
    sa.Column("repayment_id", sa.String(length=36), nullable=False),
    sa.Column("loan_id", sa.String(length=36), nullable=False),
    sa.Column("bank_reference", sa.String(length=100), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("paid_on", sa.Date(), nullable=False),
    sa.Column("recorded_by", sa.String(length=100), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("repayment_id"),
    sa.UniqueConstraint("bank_reference")
    )
    op.create_index("ix_loan_repayments_loan_id", "loan_repayments", ["loan_id"], unique=False)

    op.create_table("loans",
    sa.Column("loan_id", sa.String(length=36), nullable=False),
    sa.Column("program", sa.String(length=20), nullable=False),
    sa.Column("application_id", sa.String(length=36), nullable=False),
    sa.Column("branch_code", sa.String(length=30), nullable=False),
    sa.Column("region_code", sa.String(length=30), nullable=True),
    sa.Column("npp", sa.String(length=12), nullable=True),
    sa.Column("kpj", sa.String(length=11), nullable=True),
    sa.Column("borrower_name", sa.String(length=200), nullable=False),
    sa.Column("principal", sa.BigInteger(), nullable=False),
    sa.Column("interest", sa.BigInteger(), nullable=False),
    sa.Column("rate_bp", sa.Integer(), nullable=False),
    sa.Column("term_months", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(length=10), nullable=False),
    sa.Column("agreed_on", sa.Date(), nullable=False),
    sa.Column("disbursed_on", sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint("loan_id")
    )
    op.create_index("ix_loans_application_id", "loans", ["application_id"], unique=False)
    op.create_index("ix_loans_branch", "loans", ["branch_code", "loan_id"], unique=False)

    op.create_table("pump_applications",
    sa.Column("application_id", sa.String(length=36), nullable=False),
    sa.Column("npp", sa.String(length=12), nullable=False),
    sa.Column("branch_code", sa.String(length=30), nullable=False),
    sa.Column("applicant", sa.String(length=12), nullable=False),
    sa.Column("cooperative_name", sa.String(length=200), nullable=True),
    sa.Column("developer_name", sa.String(length=200), nullable=False),
    sa.Column("developer_association", sa.String(length=10), nullable=False),
    sa.Column("developer_account", sa.String(length=100), nullable=False),
    sa.Column("housing_project", sa.String(length=200), nullable=False),
    sa.Column("forms", sa.Text(), nullable=False),
    sa.Column("submitted_on", sa.Date(), nullable=False),
    sa.Column("submitted_by", sa.String(length=100), nullable=False),
    sa.Column("rate_bp", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(length=25), nullable=False),
    sa.Column("checked_by", sa.String(length=100), nullable=True),
    sa.Column("checked_on", sa.Date(), nullable=True),
    sa.Column("reasons", sa.Text(), nullable=False),
    sa.Column("approval_letter_number", sa.String(length=100), nullable=True),
    sa.Column("approved_by", sa.String(length=100), nullable=True),
    sa.Column("approved_on", sa.Date(), nullable=True),
    sa.Column("reported_by", sa.String(length=100), nullable=True),
    sa.Column("reported_on", sa.Date(), nullable=True),
    sa.Column("region_code", sa.String(length=30), nullable=True),
    sa.Column("determination_number", sa.String(length=100), nullable=True),
    sa.Column("determined_by", sa.String(length=100), nullable=True),
    sa.Column("determined_on", sa.Date(), nullable=True),
    sa.Column("agreement_number", sa.String(length=100), nullable=True),
    sa.Column("signed_by", sa.String(length=100), nullable=True),
    sa.Column("signed_on", sa.Date(), nullable=True),
    sa.Column("transfer_reference", sa.String(length=100), nullable=True),
    sa.Column("transferred_by", sa.String(length=100), nullable=True),
    sa.Column("transferred_on", sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint("application_id")
    )
    op.create_index("ix_pump_applications_branch", "pump_applications", ["branch_code", "application_id"], unique=False)

    op.create_table("pump_workers",
    sa.Column("application_id", sa.String(length=36), nullable=False),
    sa.Column("kpj", sa.String(length=11), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("loan_amount", sa.BigInteger(), nullable=False),
    sa.Column("term_months", sa.Integer(), nullable=False),
    sa.Column("documents", sa.Text(), nullable=False),
    sa.Column("bank_document", sa.String(length=20), nullable=True),
    sa.Column("bank_document_number", sa.String(length=100), nullable=True),
    sa.Column("bank_approved_on", sa.Date(), nullable=True),
    sa.Column("determined", sa.Boolean(), nullable=False),
    sa.Column("loan_id", sa.String(length=36), nullable=True),
    sa.Column("monthly_instalment", sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint("application_id", "kpj")
    )
    op.create_table("rm_employer_standing",
    sa.Column("npp", sa.String(length=12), nullable=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("good_standing", sa.Boolean(), nullable=False),
    sa.Column("in_arrears", sa.Boolean(), nullable=False),
    sa.Column("arrears_rupiah", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("npp", "as_of")
    )
    op.create_table("rm_employers",
    sa.Column("npp", sa.String(length=12), nullable=False),
    sa.Column("branch_code", sa.String(length=30), nullable=False),
    sa.Column("legal_name", sa.String(length=200), nullable=False),
    sa.Column("registration_date", sa.Date(), nullable=False),
    sa.Column("status", sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint("npp")
    )
    op.create_index("ix_rm_employers_branch_code", "rm_employers", ["branch_code"], unique=False)

    op.create_table("rm_employments",
    sa.Column("kpj", sa.String(length=11), nullable=False),
    sa.Column("npp", sa.String(length=12), nullable=False),
    sa.Column("start_date", sa.Date(), nullable=False),
    sa.Column("end_date", sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint("kpj", "npp", "start_date")
    )
    op.create_table("rm_member_incidents",
    sa.Column("kpj", sa.String(length=11), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("work_accident", sa.Boolean(), nullable=False),
    sa.Column("on_date", sa.Date(), nullable=False),
    sa.Column("claim_id", sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint("kpj", "kind")
    )
    op.create_table("rm_worker_wages",
    sa.Column("kpj", sa.String(length=11), nullable=False),
    sa.Column("effective_date", sa.Date(), nullable=False),
    sa.Column("monthly_wage", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("kpj", "effective_date")
    )
    op.create_table("rm_workers",
    sa.Column("kpj", sa.String(length=11), nullable=False),
    sa.Column("npp", sa.String(length=12), nullable=False),
    sa.Column("branch_code", sa.String(length=30), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("death_date", sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint("kpj")
    )
    op.create_index("ix_rm_workers_branch_code", "rm_workers", ["branch_code"], unique=False)
    op.create_index("ix_rm_workers_npp", "rm_workers", ["npp"], unique=False)

    op.create_table("scholarship_applications",
    sa.Column("application_id", sa.String(length=36), nullable=False),
    sa.Column("kpj", sa.String(length=11), nullable=False),
    sa.Column("npp", sa.String(length=12), nullable=False),
    sa.Column("branch_code", sa.String(length=30), nullable=False),
    sa.Column("child_name", sa.String(length=200), nullable=False),
    sa.Column("child_order", sa.Integer(), nullable=False),
    sa.Column("level", sa.String(length=15), nullable=False),
    sa.Column("class_or_semester", sa.Integer(), nullable=False),
    sa.Column("school_name", sa.String(length=200), nullable=False),
    sa.Column("report_grade", sa.Integer(), nullable=True),
    sa.Column("gpa", sa.Integer(), nullable=True),
    sa.Column("other_scholarship", sa.Boolean(), nullable=False),
    sa.Column("documents", sa.Text(), nullable=False),
    sa.Column("applied_on", sa.Date(), nullable=False),
    sa.Column("submitted_by", sa.String(length=100), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("path", sa.String(length=15), nullable=True),
    sa.Column("checked_by", sa.String(length=100), nullable=True),
    sa.Column("checked_on", sa.Date(), nullable=True),
    sa.Column("reasons", sa.Text(), nullable=False),
    sa.Column("awarded_by", sa.String(length=100), nullable=True),
    sa.Column("awarded_on", sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint("application_id")
    )
    op.create_index("ix_scholarship_applications_branch", "scholarship_applications", ["branch_code", "application_id"], unique=False)
    op.create_index("ix_scholarship_applications_kpj", "scholarship_applications", ["kpj"], unique=False)

    op.create_table("scholarship_payments",
    sa.Column("application_id", sa.String(length=36), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("paid_on", sa.Date(), nullable=True),
    sa.Column("bank_reference", sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint("application_id", "number"),
    sa.UniqueConstraint("bank_reference")
    )


def downgrade() -> None:
    op.drop_table("scholarship_payments")
    op.drop_table("scholarship_applications")
    op.drop_table("rm_workers")
    op.drop_table("rm_worker_wages")
    op.drop_table("rm_member_incidents")
    op.drop_table("rm_employments")
    op.drop_table("rm_employers")
    op.drop_table("rm_employer_standing")
    op.drop_table("pump_workers")
    op.drop_table("pump_applications")
    op.drop_table("loans")
    op.drop_table("loan_repayments")
    op.drop_table("loan_instalments")
    op.drop_table("loan_applications")
    op.drop_table("funds")
    op.drop_table("fund_entries")
