"""The bank statement files imported (C-7), one row per statement: what makes a file sent
twice change nothing, and a different file under an imported statement's id refused.
Same MetaData as `tables.py`; migrations 0009 and 0012. Amounts in sen, as the bank wrote them.

Each import (the first of a file, or the same file again) keeps its per-line outcomes in
`bank_statement_lines` under its own import id, so an answer too large for one message can
leave them out and a client pages through them (ListStatementLines)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, String, Table, Text

from services.contributions.adapters.metadata import metadata

bank_statements = Table(
    "bank_statements", metadata,
    Column("statement_key", String(250), primary_key=True),  # account + the bank's statement id
    Column("statement_id", String(120), nullable=False),
    Column("account", String(120), nullable=False),
    Column("file_format", String(10), nullable=False),  # MT940 or CAMT053
    Column("file_sha256", String(64), nullable=False),
    Column("branch_code", String(30), nullable=False),
    Column("opening_sen", BigInteger, nullable=False),
    Column("credits_sen", BigInteger, nullable=False),
    Column("debits_sen", BigInteger, nullable=False),
    Column("closing_sen", BigInteger, nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("closing_on", Date, nullable=True),
    Column("imported_by", String(100), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

bank_statement_imports = Table(
    "bank_statement_imports", metadata,
    Column("import_id", String(36), primary_key=True),
    Column("statement_key", String(250), nullable=False),
    Column("branch_code", String(30), nullable=False),  # the receiving branch: whose readers see the lines
    Column("line_count", Integer, nullable=False),
    Column("imported_by", String(100), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

bank_statement_lines = Table(
    "bank_statement_lines", metadata,
    Column("import_id", String(36), primary_key=True),
    Column("line_number", Integer, primary_key=True),
    Column("bank_reference", String(250), nullable=False),
    Column("outcome", String(10), nullable=False),  # RECORDED, DUPLICATE, REJECTED, SKIPPED
    Column("payment_id", String(36), nullable=False),
    Column("status", String(10), nullable=False),  # MATCHED, SUSPENSE or empty
    Column("reason", Text, nullable=False),
    Column("amount_sen", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("npp", String(30), nullable=False),
    Column("bill_number", String(60), nullable=False),
    Column("bills_paid", Text, nullable=False),  # bill numbers, space-separated
)
