"""KPJ numbers from a PostgreSQL SEQUENCE (no lock held for a whole enrolment).

SQLite keeps the counter row in number_sequences.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    start = bind.execute(sa.text("SELECT next_value FROM number_sequences WHERE name = 'kpj'")).scalar() or 1
    op.execute(sa.text(f"CREATE SEQUENCE IF NOT EXISTS kpj_sequence START WITH {int(start)}"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("DROP SEQUENCE IF EXISTS kpj_sequence"))
