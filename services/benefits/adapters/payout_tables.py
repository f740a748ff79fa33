"""Payment orders, periodic schedules and the instalments paid on them (the payout files
and status reports are the chassis's `PayoutFileTables`); and the JHT settlements contributions answered for claims this database does
not hold (kept for an officer to look at, never dropped). Amounts are whole rupiah
(BigInteger)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Column, Date, DateTime, Index, Integer, MetaData, String, Table, Text, UniqueConstraint,
)

from services.chassis.payout_order_store import order_life_columns, payee_columns


def payout_tables(metadata: MetaData) -> dict[str, Table]:
    orders = Table(
        "payment_orders", metadata,
        Column("order_id", String(36), primary_key=True),
        Column("claim_id", String(36), nullable=False),
        Column("kpj", String(11), nullable=False),
        Column("branch_code", String(30), nullable=False),
        Column("kind", String(20), nullable=False),  # LUMP_SUM, JHT_BALANCE
        *payee_columns(),
        Column("state", String(20), nullable=False),  # PENDING_APPROVAL, APPROVED, EXPORTED, PAID, FAILED
        Column("created_on", Date, nullable=False),
        *order_life_columns(),
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
