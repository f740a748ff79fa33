"""Bank statement files imported (MT940, camt.053): one row per statement (C-7).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("statement_key", sa.String(250), primary_key=True),
        sa.Column("statement_id", sa.String(120), nullable=False),
        sa.Column("account", sa.String(120), nullable=False),
        sa.Column("file_format", sa.String(10), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("branch_code", sa.String(30), nullable=False),
        sa.Column("opening_sen", sa.BigInteger, nullable=False),
        sa.Column("credits_sen", sa.BigInteger, nullable=False),
        sa.Column("debits_sen", sa.BigInteger, nullable=False),
        sa.Column("closing_sen", sa.BigInteger, nullable=False),
        sa.Column("line_count", sa.Integer, nullable=False),
        sa.Column("closing_on", sa.Date, nullable=True),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bank_statements")
