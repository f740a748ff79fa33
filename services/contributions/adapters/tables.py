"""Tables of the contributions database.

Three groups: the read model built from membership events (rm_*), the rule tables
(versioned, effective-dated), and billing (runs, per-branch jobs, bills, bill lines).
Payments, penalties, reconciliation, standing and the JHT ledger live in
`money_tables.py`; both define their tables on the one MetaData of `metadata.py`.
"""
from __future__ import annotations

from typing import cast

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Integer, String, Table, UniqueConstraint

from services.chassis.membership_replica import MembershipReplica, Part
from services.chassis.office_replica import OfficeReplica
from services.chassis.row_security import not_branch_data
from services.chassis.rule_store import RuleStore
from services.chassis.tables import BigId
from services.contributions.adapters.metadata import metadata, platform  # noqa: F401 (also reached here)

# ---- read model of membership (from its events) ------------------------------------
offices = OfficeReplica(metadata)
rm_offices = offices.table
# Effective-dated risk groups and marital status, so a period is billed with the facts in
# force then and a back-dated change can be billed as a correction; address and kind head the SPI.
membership = MembershipReplica(metadata, {Part.EMPLOYER_DETAILS, Part.RISK_GROUPS, Part.MARITAL_HISTORY,
                                         Part.NAMES_VERSION})  # the names version: GetBill's kept lines
rm_employers = membership.tables.employers
rm_workers = membership.tables.workers
rm_employments = membership.tables.employments
rm_worker_wages = membership.tables.wages
rm_replica_positions = membership.tables.positions
rm_names_version = cast(Table, membership.tables.names_version)
rm_employer_risk_groups = cast(Table, membership.tables.risk_groups)
rm_worker_marital = cast(Table, membership.tables.marital)

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
    info=not_branch_data("a rule table: each branch area's minimum wage, published regulation every office reads"),
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
    # The worker billing the job and until when: renewed with every chunk, so a job whose
    # lease has expired (its replica died) is taken over by another worker (C-5).
    Column("claimed_by", String(100), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Index("ix_billing_jobs_status", "status"),  # the workers' claim looks for jobs not DONE
)
# Issue 12 (b): how far the read model had applied membership's events when a run started
# (per source partition): what the run billed from.
billing_run_positions = Table(
    "billing_run_positions", metadata,
    Column("run_id", String(36), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("last_offset", BigInteger, nullable=False),
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

