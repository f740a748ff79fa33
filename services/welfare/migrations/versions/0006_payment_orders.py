"""Welfare: payment orders (a scholarship's payment, a loan's or PUMP's disbursement paid
through the bank), the payout files sent for them (pain.001, kept as sent), the bank's
status reports (pain.002) and the payout account's statements (camt.053) that marked them.

Hand-checked (mirrors services/welfare/adapters/payout_tables.py and the chassis's
payout_file_store.py).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payment_orders',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('program', sa.String(length=20), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('beneficiary_name', sa.String(length=100), nullable=False),
    sa.Column('beneficiary_bank', sa.String(length=60), nullable=False),
    sa.Column('beneficiary_account', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('paid_by', sa.String(length=100), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('bank_reference', sa.String(length=100), nullable=True),
    sa.Column('attempt', sa.Integer(), nullable=False, server_default='1'),
    sa.Column('reissue_of', sa.String(length=36), nullable=True),
    sa.Column('reissued_by', sa.String(length=100), nullable=True),
    sa.Column('reissued_as', sa.String(length=36), nullable=True),
    sa.Column('exported_in', sa.String(length=35), nullable=True),
    sa.Column('exported_on', sa.Date(), nullable=True),
    sa.Column('failed_on', sa.Date(), nullable=True),
    sa.Column('failure_code', sa.String(length=35), nullable=True),
    sa.Column('failure_reason', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('order_id'),
    sa.UniqueConstraint('application_id', 'number', 'attempt', name='uq_payment_orders_payment_attempt')
    )
    op.create_index('ix_payment_orders_branch_state', 'payment_orders', ['branch_code', 'state', 'order_id'])
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
    op.create_table('payout_statements',
    sa.Column('account', sa.String(length=34), nullable=False),
    sa.Column('statement_id', sa.String(length=35), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('paid', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account', 'statement_id')
    )


def downgrade() -> None:
    op.drop_table('payout_statements')
    op.drop_table('payout_status_reports')
    op.drop_index('ix_payout_files_branch', table_name='payout_files')
    op.drop_table('payout_files')
    op.drop_index('ix_payment_orders_exported_in', table_name='payment_orders')
    op.drop_index('ix_payment_orders_branch_state', table_name='payment_orders')
    op.drop_table('payment_orders')
