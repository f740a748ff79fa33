"""Payment orders, periodic schedules and the instalments paid on them (the payout files
and status reports are the chassis's `PayoutFileTables`); and the JHT settlements contributions answered for claims this database does
not hold (kept for an officer to look at, never dropped). Amounts are whole rupiah
(BigInteger)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Column, Date, DateTime, Index, Integer, MetaData, String, Table, Text, UniqueConstraint,
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
        Column("schedule_id", String(36), nullable=True),  # an INSTALMENT order's schedule
        Column("instalment", Integer, nullable=False, server_default="0"),  # its number; 0 otherwise
        # One order per claim, kind, instalment and attempt: a retried approval, daily run or
        # re-issue never opens a second.
        UniqueConstraint("claim_id", "kind", "instalment", "attempt",
                         name="uq_payment_orders_claim_kind_instalment_attempt"),
        Index("ix_payment_orders_branch_state", "branch_code", "state", "order_id"),
        Index("ix_payment_orders_exported_in", "exported_in"),
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
    # One row per instalment ordered: the primary key is what makes a second run order nothing
    # twice; paid_on is set when its order is paid (rows from before orders have no order_id).
    instalments = Table(
        "schedule_instalments", metadata,
        Column("schedule_id", String(36), primary_key=True),
        Column("number", Integer, primary_key=True),
        Column("due_on", Date, nullable=False),
        Column("paid_on", Date, nullable=True),
        Column("order_id", String(36), nullable=True),
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
    return {"orders": orders, "schedules": schedules, "instalments": instalments, "unmatched": unmatched}
