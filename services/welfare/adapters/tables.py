"""Tables of the welfare database: the platform's, the office replica (O-2 scope), the
rule tables welfare administers, a replica of contributions' tables (the UMK, W-S-2), the
read model of other services' events (rm_*), and welfare's own records: applications,
loans with their instalments and repayments, and the regional funds' ledger."""
from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, Index, Integer, MetaData, String, Table, Text,
)

from services.chassis.membership_replica import MembershipReplica
from services.chassis.office_replica import OfficeReplica
from services.chassis.rule_store import RuleReplica, RuleStore
from services.chassis.standing_replica import StandingReplica
from services.chassis.tables import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)
offices = OfficeReplica(metadata)
rule_store = RuleStore(metadata, "welfare")
contributions_rules = RuleReplica(metadata, "contributions")  # umk_rates by branch (C-6a, W-S-2)

ID = 36  # uuid7 text
USER = 100
NAME = 200
REFERENCE = 100

# ---- read model (upserts keyed by business ids: a redelivery changes nothing) ------------
membership = MembershipReplica(metadata)  # employers, workers, employments, wages (W-S-2, W-K-1, W-P-2)
rm_employers = membership.tables.employers
rm_workers = membership.tables.workers
rm_employments = membership.tables.employments
rm_worker_wages = membership.tables.wages
standing = StandingReplica(metadata)  # C-8 as contributions published it, by the day it was computed
rm_employer_standing = standing.table
# Deaths and total disabilities established by benefits' claims (W-S-2's second path).
rm_member_incidents = Table(
    "rm_member_incidents", metadata,
    Column("kpj", String(11), primary_key=True),
    Column("kind", String(20), primary_key=True),  # DECEASED or TOTALLY_DISABLED
    Column("work_accident", Boolean, nullable=False),
    Column("on_date", Date, nullable=False),
    Column("claim_id", String(REFERENCE), nullable=False),
)

# ---- cooperative and partnership loan applications (W-K-1..3, W-M-1, W-M-2) ----------------
loan_applications = Table(
    "loan_applications", metadata,
    Column("application_id", String(ID), primary_key=True),
    Column("program", String(20), nullable=False),
    Column("branch_code", String(30), nullable=False),
    Column("npp", String(12), nullable=True),
    Column("applicant_name", String(NAME), nullable=False),
    Column("status", String(20), nullable=False),
    # The cooperative's or the business's declaration and documents, as one JSON file:
    # read and written only whole, with the application.
    Column("proposal", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("rate_bp", Integer, nullable=False),
    Column("interest", BigInteger, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("submitted_by", String(USER), nullable=False),
    Column("checked_by", String(USER), nullable=True),
    Column("checked_on", Date, nullable=True),
    Column("reasons", Text, nullable=False),
    Column("approved_by", String(USER), nullable=True),
    Column("approved_on", Date, nullable=True),
    Column("agreement_number", String(REFERENCE), nullable=True),
    Column("signed_by", String(USER), nullable=True),
    Column("signed_on", Date, nullable=True),
    Column("loan_id", String(ID), nullable=True),
    Column("disbursed_on", Date, nullable=True),
    Index("ix_loan_applications_branch", "branch_code", "application_id"),
)

# ---- loans of every program, once agreed ---------------------------------------------------
loans = Table(
    "loans", metadata,
    Column("loan_id", String(ID), primary_key=True),
    Column("program", String(20), nullable=False),
    Column("application_id", String(ID), nullable=False, index=True),
    Column("branch_code", String(30), nullable=False),
    Column("region_code", String(30), nullable=True),
    Column("npp", String(12), nullable=True),
    Column("kpj", String(11), nullable=True),
    Column("borrower_name", String(NAME), nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("interest", BigInteger, nullable=False),
    Column("rate_bp", Integer, nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("agreed_on", Date, nullable=False),
    Column("disbursed_on", Date, nullable=True),
    Index("ix_loans_branch", "branch_code", "loan_id"),
)
loan_instalments = Table(
    "loan_instalments", metadata,
    Column("loan_id", String(ID), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("interest", BigInteger, nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=True),
    Column("late_flagged_on", Date, nullable=True),
)
loan_repayments = Table(
    "loan_repayments", metadata,
    Column("repayment_id", String(ID), primary_key=True),
    Column("loan_id", String(ID), nullable=False, index=True),
    # A bank transfer is counted once, whichever loan or request names it again.
    Column("bank_reference", String(REFERENCE), nullable=False, unique=True),
    Column("amount", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("recorded_by", String(USER), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# ---- the regional funds (DPKP, partnership) as a ledger --------------------------------------
funds = Table(
    "funds", metadata,
    Column("region_code", String(30), primary_key=True),
    Column("fund", String(20), primary_key=True),
    # Locked by every disbursement, so two never spend the same balance.
    Column("opened_at", DateTime(timezone=True), nullable=False),
)
fund_entries = Table(
    "fund_entries", metadata,
    Column("entry_id", String(ID), primary_key=True),
    Column("region_code", String(30), nullable=False),
    Column("fund", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("booked_on", Date, nullable=False),
    Column("reference", String(REFERENCE), nullable=False),
    Column("loan_id", String(ID), nullable=True),
    Column("created_by", String(USER), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_fund_entries_fund", "region_code", "fund", "booked_on"),
)

# ---- scholarships (W-S-1, W-S-2) -------------------------------------------------------------
scholarship_applications = Table(
    "scholarship_applications", metadata,
    Column("application_id", String(ID), primary_key=True),
    Column("kpj", String(11), nullable=False, index=True),
    Column("npp", String(12), nullable=False),
    Column("branch_code", String(30), nullable=False),
    Column("child_name", String(NAME), nullable=False),
    Column("child_order", Integer, nullable=False),
    Column("level", String(15), nullable=False),
    Column("class_or_semester", Integer, nullable=False),
    Column("school_name", String(NAME), nullable=False),
    Column("report_grade", Integer, nullable=True),
    Column("gpa", Integer, nullable=True),
    Column("other_scholarship", Boolean, nullable=False),
    Column("documents", Text, nullable=False),
    Column("applied_on", Date, nullable=False),
    Column("submitted_by", String(USER), nullable=False),
    Column("status", String(12), nullable=False),
    Column("path", String(15), nullable=True),
    Column("checked_by", String(USER), nullable=True),
    Column("checked_on", Date, nullable=True),
    Column("reasons", Text, nullable=False),
    Column("awarded_by", String(USER), nullable=True),
    Column("awarded_on", Date, nullable=True),
    Index("ix_scholarship_applications_branch", "branch_code", "application_id"),
)
scholarship_payments = Table(
    "scholarship_payments", metadata,
    Column("application_id", String(ID), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("due_on", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=True),
    Column("bank_reference", String(REFERENCE), nullable=True, unique=True),
)

# ---- PUMP (W-P-1..W-P-5) -----------------------------------------------------------------------
pump_applications = Table(
    "pump_applications", metadata,
    Column("application_id", String(ID), primary_key=True),
    Column("npp", String(12), nullable=False),
    Column("branch_code", String(30), nullable=False),
    Column("applicant", String(12), nullable=False),
    Column("cooperative_name", String(NAME), nullable=True),
    Column("developer_name", String(NAME), nullable=False),
    Column("developer_association", String(10), nullable=False),
    Column("developer_account", String(REFERENCE), nullable=False),
    Column("housing_project", String(NAME), nullable=False),
    Column("forms", Text, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("submitted_by", String(USER), nullable=False),
    Column("rate_bp", Integer, nullable=False),
    Column("status", String(25), nullable=False),
    Column("checked_by", String(USER), nullable=True),
    Column("checked_on", Date, nullable=True),
    Column("reasons", Text, nullable=False),
    Column("approval_letter_number", String(REFERENCE), nullable=True),
    Column("approved_by", String(USER), nullable=True),
    Column("approved_on", Date, nullable=True),
    Column("reported_by", String(USER), nullable=True),
    Column("reported_on", Date, nullable=True),
    Column("region_code", String(30), nullable=True),
    Column("determination_number", String(REFERENCE), nullable=True),
    Column("determined_by", String(USER), nullable=True),
    Column("determined_on", Date, nullable=True),
    Column("agreement_number", String(REFERENCE), nullable=True),
    Column("signed_by", String(USER), nullable=True),
    Column("signed_on", Date, nullable=True),
    Column("transfer_reference", String(REFERENCE), nullable=True),
    Column("transferred_by", String(USER), nullable=True),
    Column("transferred_on", Date, nullable=True),
    Index("ix_pump_applications_branch", "branch_code", "application_id"),
)
pump_workers = Table(
    "pump_workers", metadata,
    Column("application_id", String(ID), primary_key=True),
    Column("kpj", String(11), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("loan_amount", BigInteger, nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("documents", Text, nullable=False),
    Column("bank_document", String(20), nullable=True),
    Column("bank_document_number", String(REFERENCE), nullable=True),
    Column("bank_approved_on", Date, nullable=True),
    Column("determined", Boolean, nullable=False),
    Column("loan_id", String(ID), nullable=True),
    Column("monthly_instalment", BigInteger, nullable=True),
)
