"""Tables of the money side of contributions: payments, penalties, reconciliation,
standing and the JHT ledger (C-6..C-9). Same MetaData (`metadata.py`) as `tables.py`; migration 0003.

Amounts are whole rupiah (BigInteger); dates are calendar dates.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, Index, Integer, String, Table, Text,
    UniqueConstraint,
)

from services.chassis.tables import BigId
from services.contributions.adapters.metadata import metadata

# ---- payments (bank receipts) and where their money went ---------------------------
payments = Table(
    "payments", metadata,
    Column("payment_id", String(36), primary_key=True),
    Column("bank_reference", String(100), nullable=False),
    Column("npp", String(12), nullable=True),  # None: payer gave no employer (suspense)
    Column("branch_code", String(30), nullable=False),
    Column("amount_rupiah", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("status", String(10), nullable=False),  # MATCHED or SUSPENSE
    Column("bill_number", String(40), nullable=True),  # the bill the payer named
    # MATCHED: the part not yet allocated to a bill, i.e. the employer's credit (C-7).
    Column("credit_rupiah", BigInteger, nullable=False),
    Column("suspense_reason", Text, nullable=True),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("bank_reference", name="uq_payments_bank_reference"),
    Index("ix_payments_branch_status", "branch_code", "status", "paid_on"),
    Index("ix_payments_npp_credit", "npp", "status", "credit_rupiah"),  # C-7: credit left, read per payment (0014)
)
payment_allocations = Table(
    "payment_allocations", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    # Who paid: a payment, or a credit note (a CREDIT bill, C-5); exactly one (migration 0010).
    Column("payment_id", String(36), nullable=True, index=True),
    Column("credit_bill_number", String(40), nullable=True, index=True),
    Column("bill_number", String(40), nullable=False, index=True),
    Column("amount_rupiah", BigInteger, nullable=False),
    # The day the money reached the bill: the payment date, or for credit applied later
    # the day both the credit and the bill existed (C-6 counts months late from it).
    Column("allocated_on", Date, nullable=False),
    Column("from_credit", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("(payment_id IS NULL) <> (credit_bill_number IS NULL)", name="ck_payment_allocations_one_source"),
)

# ---- penalties (denda, C-6) and their corrections (O-4) ----------------------------
penalties = Table(
    "penalties", metadata,
    Column("penalty_id", String(36), primary_key=True),
    Column("bill_number", String(40), nullable=False),
    Column("npp", String(12), nullable=False, index=True),
    Column("branch_code", String(30), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("period_month", Integer, nullable=False),
    Column("late_contribution_rupiah", BigInteger, nullable=False),
    Column("months_late", Integer, nullable=False),
    Column("penalty_bp_per_month", Integer, nullable=False),
    Column("assessed_rupiah", BigInteger, nullable=False),
    Column("amount_rupiah", BigInteger, nullable=False),  # after approved corrections
    Column("status", String(10), nullable=False),  # ASSESSED, CORRECTED, WAIVED
    Column("assessed_on", Date, nullable=False),
    Column("rule_source", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # C-6, C-8: what payments and credit have paid of it, and the day it was paid off.
    Column("paid_rupiah", BigInteger, nullable=False, server_default="0"),
    Column("settled_on", Date, nullable=True),
    UniqueConstraint("bill_number", name="uq_penalties_bill"),  # one assessment per bill
    Index("ix_penalties_branch", "branch_code", "created_at"),
)
# Money that reached a penalty: from a payment, or from the employer's credit (a payment's
# unallocated rest or a credit note), in the order payments pay (contributions first).
penalty_payments = Table(
    "penalty_payments", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("penalty_id", String(36), nullable=False, index=True),
    Column("source_id", String(40), nullable=False, index=True),  # a payment id or a credit bill number
    Column("from_credit", Boolean, nullable=False),
    Column("amount_rupiah", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
penalty_corrections = Table(
    "penalty_corrections", metadata,
    Column("correction_id", String(36), primary_key=True),
    Column("penalty_id", String(36), nullable=False, index=True),
    Column("new_amount_rupiah", BigInteger, nullable=False),
    Column("waive", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(10), nullable=False),  # PENDING, APPROVED, REJECTED
    Column("requested_by", String(100), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", String(100), nullable=True),
    Column("approved_at", DateTime(timezone=True), nullable=True),
    Column("rejected_by", String(100), nullable=True),
    Column("rejected_at", DateTime(timezone=True), nullable=True),
    Column("rejection_reason", Text, nullable=True),
)

# ---- reconciliation worksheets (C-7) -----------------------------------------------
worksheets = Table(
    "reconciliation_worksheets", metadata,
    Column("worksheet_id", String(36), primary_key=True),
    Column("npp", String(12), nullable=False),
    Column("branch_code", String(30), nullable=False, index=True),
    Column("period_year", Integer, nullable=False),
    Column("period_month", Integer, nullable=False),
    Column("billed_rupiah", BigInteger, nullable=False),
    Column("reported_rupiah", BigInteger, nullable=False),
    Column("received_rupiah", BigInteger, nullable=False),
    Column("penalty_due_rupiah", BigInteger, nullable=False),
    Column("penalty_charged_rupiah", BigInteger, nullable=False),
    Column("penalty_portions", Text, nullable=False),  # JSON of the C-6 late portions
    Column("state", String(10), nullable=False),  # DRAFT, VALIDATED, POSTED
    Column("prepared_by", String(100), nullable=False),
    Column("prepared_on", Date, nullable=False),
    Column("validated_by", String(100), nullable=True),
    Column("validated_on", Date, nullable=True),
    Column("posted_by", String(100), nullable=True),
    Column("posted_on", Date, nullable=True),
    Column("jht_posted_rupiah", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_worksheets_employer_period", "npp", "period_year", "period_month"),
)
worksheet_bills = Table(
    "reconciliation_worksheet_bills", metadata,
    Column("worksheet_id", String(36), primary_key=True),
    Column("bill_number", String(40), primary_key=True),
)
worksheet_payments = Table(
    "reconciliation_worksheet_payments", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("worksheet_id", String(36), nullable=False, index=True),
    Column("bank_reference", String(100), nullable=False),
    Column("amount_rupiah", BigInteger, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("matched", Boolean, nullable=False),
)
worksheet_differences = Table(
    "reconciliation_worksheet_differences", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("worksheet_id", String(36), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("amount_rupiah", BigInteger, nullable=False),
    Column("bank_reference", String(100), nullable=True),
)

# ---- standing (C-8): the last computed state, to emit StandingChanged only on change ----
employer_standing = Table(
    "employer_standing", metadata,
    Column("npp", String(12), primary_key=True),
    Column("branch_code", String(30), nullable=False, index=True),
    Column("in_arrears", Boolean, nullable=False),
    Column("good_standing", Boolean, nullable=False),
    Column("data_complete", Boolean, nullable=False),
    Column("arrears_rupiah", BigInteger, nullable=False),
    Column("up_to_30_rupiah", BigInteger, nullable=False),
    Column("days_31_60_rupiah", BigInteger, nullable=False),
    Column("days_61_90_rupiah", BigInteger, nullable=False),
    Column("over_90_rupiah", BigInteger, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# ---- JHT ledger (C-9), double entry: every posting's entries sum to 0 ------------------
ledger_entries = Table(
    "ledger_entries", metadata,
    Column("entry_id", String(160), primary_key=True),  # <reference>/DR or /CR: a posting lands once
    Column("reference", String(150), nullable=False, index=True),
    Column("account", String(60), nullable=False),
    Column("kpj", String(11), nullable=False),  # the member the posting is about
    Column("amount_rupiah", BigInteger, nullable=False),  # debit > 0, credit < 0
    Column("kind", String(12), nullable=False),  # CONTRIBUTION, RETURN, SETTLEMENT
    Column("posted_on", Date, nullable=False),
    Column("branch_code", String(30), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_ledger_account_day", "account", "posted_on"),
    Index("ix_ledger_kpj_day", "kpj", "posted_on"),
)
jht_return_runs = Table(
    "jht_return_runs", metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),  # once per year (C-9)
    Column("rate_bp", Integer, nullable=False),
    Column("members_credited", Integer, nullable=False),
    Column("total_rupiah", BigInteger, nullable=False),
    Column("run_by", String(100), nullable=False),
    Column("run_at", DateTime(timezone=True), nullable=False),
)
jht_settlements = Table(
    "jht_settlements", metadata,
    Column("claim_id", String(64), primary_key=True),  # once per claim (B-JHT-1)
    Column("kpj", String(11), nullable=False, index=True),
    Column("amount_rupiah", BigInteger, nullable=False),
    Column("part_year_return_rupiah", BigInteger, nullable=False),
    Column("settled_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# ---- runs done in batches (C-8 RecomputeStanding, C-9 RunYearlyReturns), migration 0010 ----
# One row per run: where it stopped, so a run killed half-way resumes after the last batch
# it committed (the cursor moves in the batch's own transaction) and credits no one twice.
batched_runs = Table(
    "batched_runs", metadata,
    Column("run_id", String(100), primary_key=True),
    Column("kind", String(20), nullable=False),  # STANDING, JHT_RETURNS
    Column("request_fingerprint", String(64), nullable=True),  # None: any request may continue it
    Column("as_of", Date, nullable=True),  # the day a standing run computes for, kept on resuming
    Column("rate_bp", Integer, nullable=True),  # the declared return rate a JHT run credits at
    Column("last_key", String(40), nullable=True),  # the last NPP / member account done
    Column("items_total", Integer, nullable=False),
    Column("items_done", Integer, nullable=False),
    Column("batches_done", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),  # calls that worked on it (more than 1: resumed)
    Column("changed", Integer, nullable=False),  # standings changed / members credited
    Column("total_rupiah", BigInteger, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
# What a run's answer lists (the employers whose standing a RecomputeStanding changed),
# written with its batch.
batched_run_items = Table(
    "batched_run_items", metadata,
    Column("run_id", String(100), primary_key=True),
    Column("item_key", String(40), primary_key=True),
)
