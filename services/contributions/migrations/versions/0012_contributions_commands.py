"""The per-line outcomes of each bank statement import (C-7), pageable by ListStatementLines:
`bank_statement_imports` (one row per import, with the receiving branch that scopes it) and
`bank_statement_lines` (one row per line of the file).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statement_imports",
        sa.Column("import_id", sa.String(36), primary_key=True),
        sa.Column("statement_key", sa.String(250), nullable=False),
        sa.Column("branch_code", sa.String(30), nullable=False),
        sa.Column("line_count", sa.Integer, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "bank_statement_lines",
        sa.Column("import_id", sa.String(36), primary_key=True),
        sa.Column("line_number", sa.Integer, primary_key=True),
        sa.Column("bank_reference", sa.String(250), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("payment_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("amount_sen", sa.BigInteger, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("npp", sa.String(30), nullable=False),
        sa.Column("bill_number", sa.String(60), nullable=False),
        sa.Column("bills_paid", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bank_statement_lines")
    op.drop_table("bank_statement_imports")
