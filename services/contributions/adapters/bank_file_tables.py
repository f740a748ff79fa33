"""The bank statement files imported (C-7), one row per statement: what makes a file sent
twice change nothing, and a different file under an imported statement's id refused.
Same MetaData as `tables.py`; migration 0009. Amounts in sen, as the bank wrote them."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, String, Table

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
