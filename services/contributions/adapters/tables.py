"""Tables of the contributions database.

Three groups: the read model built from membership events (rm_*), the rule tables
(versioned, effective-dated), and billing (runs, per-branch jobs, bills, bill lines).
Payments, penalties, reconciliation, standing and the JHT ledger live in
`money_tables.py`; both define their tables on the one MetaData of `metadata.py`.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Column, Date, DateTime, Index, Integer, String, Table, Text, UniqueConstraint,
)

from services.chassis.office_replica import OfficeReplica
from services.chassis.rule_store import RuleStore
from services.chassis.tables import BigId
from services.contributions.adapters.metadata import metadata, platform  # noqa: F401 (also reached here)

# ---- read model of membership (from its events) ------------------------------------
offices = OfficeReplica(metadata)
rm_offices = offices.table
rm_employers = Table(
    "rm_employers", metadata,
    Column("npp", String(12), primary_key=True),
    Column("branch_code", String(30), nullable=False, index=True),
    Column("legal_name", String(200), nullable=False),
    Column("address", Text, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("registration_date", Date, nullable=False),
    Column("status", String(10), nullable=False),
    Index("ix_rm_employers_branch_npp", "branch_code", "npp"),  # billing walks a branch in NPP order
)
rm_employer_risk_groups = Table(
    "rm_employer_risk_groups", metadata,
    Column("npp", String(12), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("risk_group", Integer, nullable=False),
)
rm_workers = Table(
    "rm_workers", metadata,
    Column("kpj", String(11), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("npp", String(12), nullable=False, index=True),
    Column("branch_code", String(30), nullable=False),
    Column("status", String(10), nullable=False),
    Column("programs", String(30), nullable=False),
    Column("death_date", Date, nullable=True),
)
# Employment periods: who works for which employer in a period (mutasi moves a KPJ).
rm_employments = Table(
    "rm_employments", metadata,
    Column("kpj", String(11), primary_key=True),
    Column("npp", String(12), primary_key=True),
    Column("start_date", Date, primary_key=True),
    Column("end_date", Date, nullable=True),
    Index("ix_rm_employments_npp", "npp", "start_date"),
)
# Effective-dated facts, so a period is billed with the wage and marital status in force
# then, and a back-dated change can be billed as a correction.
rm_worker_wages = Table(
    "rm_worker_wages", metadata,
    Column("kpj", String(11), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("monthly_wage", BigInteger, nullable=False),
)
rm_worker_marital = Table(
    "rm_worker_marital", metadata,
    Column("kpj", String(11), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("marital_status", String(10), nullable=False),
)

# ---- rule tables (C-1..C-6, C-6a, C-9) ---------------------------------------------
rule_store = RuleStore(metadata, "contributions")
rule_versions = rule_store.table
holidays = Table(
    "holidays", metadata,
    Column("day", Date, primary_key=True),
    Column("name", String(200), nullable=False),
)
# C-6a: regional minimum wage (UMK) by branch area, effective-dated.
umk_rates = Table(
    "umk_rates", metadata,
    Column("branch_code", String(30), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("monthly_rupiah", BigInteger, nullable=False),
)

# ---- billing (C-5, C-6) ------------------------------------------------------------
billing_runs = Table(
    "billing_runs", metadata,
    Column("run_id", String(36), primary_key=True),
    Column("period_year", Integer, nullable=False),
    Column("period_month", Integer, nullable=False),
    Column("scope", String(30), nullable=False),  # a branch code or "ALL"
    Column("status", String(12), nullable=False),
    Column("requested_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    # Not unique: a period may be billed again (late registrations); bills are unique (0002a).
    Index("ix_billing_runs_period_scope", "period_year", "period_month", "scope"),
)
billing_jobs = Table(
    "billing_jobs", metadata,
    Column("run_id", String(36), primary_key=True),
    Column("branch_code", String(30), primary_key=True),
    Column("status", String(12), nullable=False),
    Column("employers_total", Integer, nullable=False),
    Column("employers_done", Integer, nullable=False),
    Column("bills_issued", Integer, nullable=False),
    Column("last_npp", String(12), nullable=True),  # resume point after a crash
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
bills = Table(
    "bills", metadata,
    Column("bill_number", String(40), primary_key=True),
    Column("npp", String(12), nullable=False),
    Column("branch_code", String(30), nullable=False, index=True),
    Column("period_year", Integer, nullable=False),
    Column("period_month", Integer, nullable=False),
    Column("kind", String(12), nullable=False),  # REGULAR or CORRECTION
    Column("sequence", Integer, nullable=False),  # 0 for REGULAR, 1.. for corrections
    Column("due_date", Date, nullable=False),
    Column("total_rupiah", BigInteger, nullable=False),
    Column("employer_rupiah", BigInteger, nullable=False),
    Column("worker_rupiah", BigInteger, nullable=False),
    Column("paid_rupiah", BigInteger, nullable=False),
    Column("status", String(10), nullable=False),  # OPEN, PAID
    Column("settled_on", Date, nullable=True),
    Column("run_id", String(36), nullable=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("npp", "period_year", "period_month", "kind", "sequence", name="uq_bill_employer_period"),
    Index("ix_bills_npp_status", "npp", "status", "period_year", "period_month"),
)
# C-5: a worker who joins or leaves a billed period late (enrolment, transfer, termination,
# death): recorded with the event, billed as one correction per employer and period by the
# branch's next billing job, so a bulk enrolment after the run is one bill, not thousands.
pending_corrections = Table(
    "pending_corrections", metadata,
    Column("npp", String(12), primary_key=True),
    Column("period_year", Integer, primary_key=True),
    Column("period_month", Integer, primary_key=True),
    Column("kpj", String(11), primary_key=True),
    Column("branch_code", String(30), nullable=False, index=True),
    Column("since", Date, nullable=False),  # the effective date of the change that made it
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
bill_lines = Table(
    "bill_lines", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("bill_number", String(40), nullable=False, index=True),
    Column("kpj", String(11), nullable=False),
    Column("program", String(4), nullable=False),
    Column("payer", String(8), nullable=False),
    Column("base_rupiah", BigInteger, nullable=False),
    Column("rate_bp", Integer, nullable=False),
    Column("amount_rupiah", BigInteger, nullable=False),
)

