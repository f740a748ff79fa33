"""Payment orders, periodic schedules and the instalments paid on them; the payout files
sent to the bank (pain.001, kept as sent) and the status reports the bank answered
(pain.002); and the JHT settlements contributions answered for claims this database does
not hold (kept for an officer to look at, never dropped). Amounts are whole rupiah
(BigInteger)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Column, Date, DateTime, Index, Integer, LargeBinary, MetaData, String, Table, Text, UniqueConstraint,
)


def payout_tables(metadata: MetaData) -> dict[str, Table]:
    orders = Table(
        "payment_orders", metadata,
        Column("order_id", String(36), primary_key=True),
        Column("claim_id", String(36), nullable=False),
        Column("kpj", String(11), nullable=False),
        Column("branch_code", String(30), nullable=False),
        Column("kind", String(20), nullable=False),  # LUMP_SUM, JHT_BALANCE
        Column("beneficiary_name", String(100), nullable=False),
        Column("beneficiary_bank", String(60), nullable=False),
        Column("beneficiary_account", String(20), nullable=False),
        Column("amount", BigInteger, nullable=False),
        Column("state", String(20), nullable=False),  # PENDING_APPROVAL, APPROVED, EXPORTED, PAID, FAILED
        Column("created_on", Date, nullable=False),
        Column("approved_by", String(100), nullable=True),
        Column("approved_on", Date, nullable=True),
        Column("paid_by", String(100), nullable=True),
        Column("paid_on", Date, nullable=True),
        Column("bank_reference", String(100), nullable=True),
        # A failed order's re-issue is attempt n + 1 of the same claim and kind.
        Column("attempt", Integer, nullable=False, server_default="1"),
        Column("reissue_of", String(36), nullable=True),
        Column("reissued_by", String(100), nullable=True),
        Column("reissued_as", String(36), nullable=True),
        Column("exported_in", String(35), nullable=True),
        Column("exported_on", Date, nullable=True),
        Column("failed_on", Date, nullable=True),
        Column("failure_code", String(35), nullable=True),
        Column("failure_reason", String(500), nullable=True),
        # One order per claim, kind and attempt: a retried approval or re-issue never opens a second.
        UniqueConstraint("claim_id", "kind", "attempt", name="uq_payment_orders_claim_kind_attempt"),
        Index("ix_payment_orders_branch_state", "branch_code", "state", "order_id"),
        Index("ix_payment_orders_exported_in", "exported_in"),
    )
    files = Table(
        "payout_files", metadata,
        Column("msg_id", String(35), primary_key=True),
        Column("branch_code", String(30), nullable=False),
        Column("scheme", String(40), nullable=False),  # pain.001.001.09
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("exported_on", Date, nullable=False),
        Column("exported_by", String(100), nullable=False),
        Column("transactions", Integer, nullable=False),
        Column("control_sum", BigInteger, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("content", LargeBinary, nullable=False),  # the file as sent, for GetPayoutFile
        Index("ix_payout_files_branch", "branch_code", "msg_id"),
    )
    reports = Table(
        "payout_status_reports", metadata,
        Column("original_msg_id", String(35), primary_key=True),
        Column("report_msg_id", String(35), primary_key=True),
        Column("sha256", String(64), nullable=False),
        Column("report_on", Date, nullable=False),
        Column("imported_at", DateTime(timezone=True), nullable=False),
        Column("imported_by", String(100), nullable=False),
        Column("paid", Integer, nullable=False),
        Column("failed", Integer, nullable=False),
    )
    schedules = Table(
        "payment_schedules", metadata,
        Column("schedule_id", String(36), primary_key=True),
        Column("claim_id", String(36), nullable=False),
        Column("kpj", String(11), nullable=False),
        Column("branch_code", String(30), nullable=False),
        Column("code", String(40), nullable=False),
        Column("rule_id", String(20), nullable=False),
        Column("monthly", BigInteger, nullable=False),
        Column("months", Integer, nullable=False),
        Column("starts_on", Date, nullable=False),
        Column("beneficiary_name", String(100), nullable=False),
        Column("beneficiary_bank", String(60), nullable=False),
        Column("beneficiary_account", String(20), nullable=False),
        UniqueConstraint("claim_id", "code", name="uq_payment_schedules_claim_code"),
        Index("ix_payment_schedules_branch", "branch_code", "schedule_id"),
    )
    # One row per instalment paid: the primary key is what makes a second run pay nothing twice.
    instalments = Table(
        "schedule_instalments", metadata,
        Column("schedule_id", String(36), primary_key=True),
        Column("number", Integer, primary_key=True),
        Column("due_on", Date, nullable=False),
        Column("paid_on", Date, nullable=False),
        Column("amount", BigInteger, nullable=False),
    )
    unmatched = Table(
        "jht_unmatched_settlements", metadata,
        Column("claim_id", String(36), primary_key=True),
        Column("kpj", String(11), nullable=False),
        Column("amount", BigInteger, nullable=False),
        Column("settled_on", Date, nullable=False),
        Column("why", Text, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )
    return {"orders": orders, "schedules": schedules, "instalments": instalments, "unmatched": unmatched,
            "files": files, "reports": reports}
