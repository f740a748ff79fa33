"""Benefits: the read model of membership and contributions (rm_*), claims with their
documents, history, assessed lines, accident reports and confirmation letters, and the
payouts (payment orders, periodic schedules and their instalments, unmatched JHT
settlements).

Hand-checked (mirrors services/benefits/adapters/read_model_tables.py, claim_tables.py,
payout_tables.py).

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
    op.create_table('accident_reports',
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('claim_id', 'stage')
    )
    op.create_table('claim_documents',
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('claim_id', 'code')
    )
    op.create_table('claim_history',
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('by_user', sa.String(length=100), nullable=False),
    sa.Column('office_code', sa.String(length=50), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('rule_id', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('claim_id', 'seq')
    )
    op.create_table('claim_items',
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('periodic', sa.Boolean(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('rule_id', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('claimed', sa.BigInteger(), nullable=True),
    sa.Column('months', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('claim_id', 'position')
    )
    op.create_table('claim_letters',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('letter_number', sa.String(length=100), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('letter_number')
    )
    op.create_index(op.f('ix_claim_letters_claim_id'), 'claim_letters', ['claim_id'], unique=False)
    op.create_table('claims',
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('npp', sa.String(length=12), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('program', sa.String(length=4), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('held_from', sa.String(length=20), nullable=True),
    sa.Column('claimed_on', sa.Date(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('beneficiary_name', sa.String(length=100), nullable=False),
    sa.Column('beneficiary_bank', sa.String(length=60), nullable=False),
    sa.Column('beneficiary_account', sa.String(length=20), nullable=False),
    sa.Column('complete_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('documents_checked_by', sa.String(length=100), nullable=True),
    sa.Column('assessed_by', sa.String(length=100), nullable=True),
    sa.Column('lump_sum', sa.BigInteger(), nullable=True),
    sa.Column('total', sa.BigInteger(), nullable=True),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('settled_amount', sa.BigInteger(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('rejection_rule', sa.String(length=20), nullable=True),
    sa.Column('rejection_code', sa.String(length=60), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('claim_id')
    )
    op.create_index('ix_claims_branch_state', 'claims', ['branch_code', 'state', 'program', 'claim_id'], unique=False)
    op.create_index('ix_claims_due', 'claims', ['program', 'state', 'due_on'], unique=False)
    op.create_index('ix_claims_kpj', 'claims', ['kpj', 'claim_id'], unique=False)
    op.create_table('jht_unmatched_settlements',
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('claim_id')
    )
    op.create_table('payment_orders',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('beneficiary_name', sa.String(length=100), nullable=False),
    sa.Column('beneficiary_bank', sa.String(length=60), nullable=False),
    sa.Column('beneficiary_account', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('paid_by', sa.String(length=100), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('bank_reference', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('order_id'),
    sa.UniqueConstraint('claim_id', 'kind', name='uq_payment_orders_claim_kind')
    )
    op.create_index('ix_payment_orders_branch_state', 'payment_orders', ['branch_code', 'state', 'order_id'], unique=False)
    op.create_table('payment_schedules',
    sa.Column('schedule_id', sa.String(length=36), nullable=False),
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('rule_id', sa.String(length=20), nullable=False),
    sa.Column('monthly', sa.BigInteger(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('beneficiary_name', sa.String(length=100), nullable=False),
    sa.Column('beneficiary_bank', sa.String(length=60), nullable=False),
    sa.Column('beneficiary_account', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('schedule_id'),
    sa.UniqueConstraint('claim_id', 'code', name='uq_payment_schedules_claim_code')
    )
    op.create_index('ix_payment_schedules_branch', 'payment_schedules', ['branch_code', 'schedule_id'], unique=False)
    op.create_table('rm_employer_standing',
    sa.Column('npp', sa.String(length=12), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('in_arrears', sa.Boolean(), nullable=False),
    sa.Column('good_standing', sa.Boolean(), nullable=False),
    sa.Column('arrears_rupiah', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('npp', 'as_of')
    )
    op.create_table('rm_employers',
    sa.Column('npp', sa.String(length=12), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('legal_name', sa.String(length=200), nullable=False),
    sa.Column('registration_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.PrimaryKeyConstraint('npp')
    )
    op.create_table('rm_employments',
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('npp', sa.String(length=12), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('kpj', 'npp', 'start_date')
    )
    op.create_table('rm_family_members',
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('married', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('kpj', 'position')
    )
    op.create_table('rm_worker_wages',
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('monthly_wage', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('kpj', 'effective_date')
    )
    op.create_table('rm_workers',
    sa.Column('kpj', sa.String(length=11), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('npp', sa.String(length=12), nullable=False),
    sa.Column('branch_code', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('marital_status', sa.String(length=10), nullable=False),
    sa.Column('programs', sa.String(length=40), nullable=False),
    sa.Column('member_since', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.Column('death_date', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('kpj')
    )
    op.create_table('schedule_instalments',
    sa.Column('schedule_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('schedule_id', 'number')
    )


def downgrade() -> None:
    op.drop_table('schedule_instalments')
    op.drop_table('rm_workers')
    op.drop_table('rm_worker_wages')
    op.drop_table('rm_family_members')
    op.drop_table('rm_employments')
    op.drop_table('rm_employers')
    op.drop_table('rm_employer_standing')
    op.drop_index('ix_payment_schedules_branch', table_name='payment_schedules')
    op.drop_table('payment_schedules')
    op.drop_index('ix_payment_orders_branch_state', table_name='payment_orders')
    op.drop_table('payment_orders')
    op.drop_table('jht_unmatched_settlements')
    op.drop_index('ix_claims_kpj', table_name='claims')
    op.drop_index('ix_claims_due', table_name='claims')
    op.drop_index('ix_claims_branch_state', table_name='claims')
    op.drop_table('claims')
    op.drop_index(op.f('ix_claim_letters_claim_id'), table_name='claim_letters')
    op.drop_table('claim_letters')
    op.drop_table('claim_items')
    op.drop_table('claim_history')
    op.drop_table('claim_documents')
    op.drop_table('accident_reports')
