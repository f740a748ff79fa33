"""Welfare's payment orders and, from the chassis, the payout files sent for them and the
bank's status reports (pain.001 kept as sent, pain.002 once per report). Amounts are whole
rupiah (BigInteger). On welfare's MetaData, beside adapters/tables.py."""
from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table, UniqueConstraint

from services.chassis.payout_file_store import PayoutFileTables
from services.chassis.payout_order_store import order_life_columns, payee_columns
from services.welfare.adapters.tables import ID, REFERENCE, USER, metadata

payment_orders = Table(
    "payment_orders", metadata,
    Column("order_id", String(ID), primary_key=True),
    Column("program", String(20), nullable=False),
    Column("application_id", String(ID), nullable=False),
    Column("number", Integer, nullable=False),  # the scholarship's payment number; 0 for a disbursement
    Column("branch_code", String(30), nullable=False),
    *payee_columns(),
    Column("state", String(20), nullable=False),  # PENDING_APPROVAL, APPROVED, EXPORTED, PAID, FAILED
    Column("created_on", Date, nullable=False),
    Column("created_by", String(USER), nullable=False),
    *order_life_columns(user=USER, order_id=ID, reference=REFERENCE),
    # One order per payment and attempt: a retried disbursement or re-issue never opens a second.
    UniqueConstraint("application_id", "number", "attempt", name="uq_payment_orders_payment_attempt"),
    Index("ix_payment_orders_branch_state", "branch_code", "state", "order_id"),
    Index("ix_payment_orders_exported_in", "exported_in"),
)
payout_files = PayoutFileTables(metadata)
