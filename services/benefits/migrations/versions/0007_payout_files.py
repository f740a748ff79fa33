"""Benefits: payout files for the bank (pain.001, kept as sent) and the bank's status
reports (pain.002); payment orders gain EXPORTED and FAILED (the file that carried them,
the bank's reason) and re-issue (attempt n + 1 of the same claim and kind, so the unique
key becomes claim, kind and attempt).

Hand-checked (mirrors services/benefits/adapters/payout_tables.py).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NEW_ORDER_COLUMNS = [
    ("reissue_of", sa.String(length=36)), ("reissued_by", sa.String(length=100)),
    ("reissued_as", sa.String(length=36)), ("exported_in", sa.String(length=35)), ("exported_on", sa.Date()),
    ("failed_on", sa.Date()), ("failure_code", sa.String(length=35)), ("failure_reason", sa.String(length=500)),
]


def upgrade() -> None:
    with op.batch_alter_table('payment_orders') as batch:
        batch.add_column(sa.Column('attempt', sa.Integer(), nullable=False, server_default='1'))
        for name, type_ in NEW_ORDER_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
        batch.drop_constraint('uq_payment_orders_claim_kind', type_='unique')
        batch.create_unique_constraint('uq_payment_orders_claim_kind_attempt', ['claim_id', 'kind', 'attempt'])
    op.create_index('ix_payment_orders_exported_in', 'payment_orders', ['exported_in'])
    op.create_table('payout_files',
    sa.Column('msg_id', sa.String(length=35), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('scheme', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('exported_on', sa.Date(), nullable=False),
    sa.Column('exported_by', sa.String(length=100), nullable=False),
    sa.Column('transactions', sa.Integer(), nullable=False),
    sa.Column('control_sum', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('msg_id')
    )
    op.create_index('ix_payout_files_branch', 'payout_files', ['branch_code', 'msg_id'])
    op.create_table('payout_status_reports',
    sa.Column('original_msg_id', sa.String(length=35), nullable=False),
    sa.Column('report_msg_id', sa.String(length=35), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('report_on', sa.Date(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('paid', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('original_msg_id', 'report_msg_id')
    )


def downgrade() -> None:
    op.drop_table('payout_status_reports')
    op.drop_index('ix_payout_files_branch', table_name='payout_files')
    op.drop_table('payout_files')
    op.drop_index('ix_payment_orders_exported_in', table_name='payment_orders')
    with op.batch_alter_table('payment_orders') as batch:
        batch.drop_constraint('uq_payment_orders_claim_kind_attempt', type_='unique')
        batch.create_unique_constraint('uq_payment_orders_claim_kind', ['claim_id', 'kind'])
        for name, _type in reversed(NEW_ORDER_COLUMNS):
            batch.drop_column(name)
        batch.drop_column('attempt')
