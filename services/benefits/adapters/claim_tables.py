"""The claims tables: one row per claim (its current state), and beside it what the claim
carries: documents received, history steps, assessed lines, accident reports (B-JKK-1),
confirmation letters. Amounts are whole rupiah (BigInteger)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Index, Integer, MetaData, String, Table, Text

from services.chassis.tables import BigId


def claim_tables(metadata: MetaData) -> dict[str, Table]:
    claims = Table(
        "claims", metadata,
        Column("claim_id", String(36), primary_key=True),
        Column("kpj", String(11), nullable=False),
        Column("npp", String(12), nullable=False),
        Column("branch_code", String(30), nullable=False),
        Column("program", String(4), nullable=False),
        Column("reason", String(30), nullable=False),
        Column("state", String(20), nullable=False),
        Column("held_from", String(20), nullable=True),
        Column("claimed_on", Date, nullable=False),
        Column("details", Text, nullable=False),  # JSON of the program's details
        Column("beneficiary_name", String(100), nullable=False),
        Column("beneficiary_bank", String(60), nullable=False),
        Column("beneficiary_account", String(20), nullable=False),
        Column("complete_on", Date, nullable=True),
        Column("due_on", Date, nullable=True),  # B-JHT-3: the last day to pay
        Column("held_on", Date, nullable=True),  # B-JHT-3: while ON_HOLD, the day the clock stopped
        Column("documents_checked_by", String(100), nullable=True),
        Column("assessed_by", String(100), nullable=True),
        Column("lump_sum", BigInteger, nullable=True),
        Column("total", BigInteger, nullable=True),
        Column("approved_by", String(100), nullable=True),
        Column("approved_on", Date, nullable=True),
        Column("settled_amount", BigInteger, nullable=True),
        Column("paid_on", Date, nullable=True),
        Column("rejection_rule", String(20), nullable=True),
        Column("rejection_code", String(60), nullable=True),
        Column("rejection_reason", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_claims_branch_state", "branch_code", "state", "program", "claim_id"),
        Index("ix_claims_kpj", "kpj", "claim_id"),
        Index("ix_claims_due", "program", "state", "due_on"),
    )
    documents = Table(
        "claim_documents", metadata,
        Column("claim_id", String(36), primary_key=True),
        Column("code", String(40), primary_key=True),
    )
    history = Table(
        "claim_history", metadata,
        Column("claim_id", String(36), primary_key=True),
        Column("seq", Integer, primary_key=True),
        Column("step", String(20), nullable=False),
        Column("from_state", String(20), nullable=True),
        Column("to_state", String(20), nullable=False),
        Column("by_user", String(100), nullable=False),
        Column("office_code", String(50), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("why", Text, nullable=False),
        Column("rule_id", String(20), nullable=False),
    )
    items = Table(
        "claim_items", metadata,
        Column("claim_id", String(36), primary_key=True),
        Column("position", Integer, primary_key=True),
        Column("periodic", Boolean, nullable=False),
        Column("code", String(40), nullable=False),
        Column("rule_id", String(20), nullable=False),
        Column("description", Text, nullable=False),
        Column("amount", BigInteger, nullable=False),  # periodic: the monthly amount
        Column("claimed", BigInteger, nullable=True),
        Column("months", Integer, nullable=True),
    )
    reports = Table(
        "accident_reports", metadata,
        Column("claim_id", String(36), primary_key=True),
        Column("stage", String(10), primary_key=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("reported_at", DateTime(timezone=True), nullable=False),
        Column("late", Boolean, nullable=False),
        Column("outcome", String(20), nullable=True),
    )
    letters = Table(
        "claim_letters", metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("claim_id", String(36), nullable=False, index=True),
        Column("letter_number", String(100), nullable=False, unique=True),
        Column("question", Text, nullable=False),
        Column("issued_on", Date, nullable=False),
        Column("issued_by", String(100), nullable=False),
        Column("answer", Text, nullable=True),
        Column("answered_on", Date, nullable=True),
    )
    return {"claims": claims, "documents": documents, "history": history, "items": items, "reports": reports,
            "letters": letters}
