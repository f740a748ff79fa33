"""Payment orders, periodic schedules and the instalments paid on them; and the JHT
settlements contributions answered for claims this database does not hold (kept for an
officer to look at, never dropped). Amounts are whole rupiah (BigInteger)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Integer, MetaData, String, Table, Text, UniqueConstraint


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
        Column("state", String(20), nullable=False),  # PENDING_APPROVAL, APPROVED, PAID
        Column("created_on", Date, nullable=False),
        Column("approved_by", String(100), nullable=True),
        Column("approved_on", Date, nullable=True),
        Column("paid_by", String(100), nullable=True),
        Column("paid_on", Date, nullable=True),
        Column("bank_reference", String(100), nullable=True),
        UniqueConstraint("claim_id", "kind", name="uq_payment_orders_claim_kind"),  # one order per claim and kind
        Index("ix_payment_orders_branch_state", "branch_code", "state", "order_id"),
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
    return {"orders": orders, "schedules": schedules, "instalments": instalments, "unmatched": unmatched}
