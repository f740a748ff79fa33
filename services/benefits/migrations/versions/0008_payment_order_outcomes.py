"""Benefits: the payout account's camt.053 statements that marked payment orders paid or
failed (the "next statement" route beside pain.002), each statement once per account; and
periodic instalments paid through payment orders (kind INSTALMENT): an order names its
schedule and instalment (the unique key becomes claim, kind, instalment and attempt), an
instalment row its order, and it is paid (paid_on) when its order is.

Hand-checked (mirrors the chassis's payout_file_store.py, PayoutFileTables.statements, and
services/benefits/adapters/payout_tables.py).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    with op.batch_alter_table('payment_orders') as batch:
        batch.add_column(sa.Column('schedule_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('instalment', sa.Integer(), nullable=False, server_default='0'))
        batch.drop_constraint('uq_payment_orders_claim_kind_attempt', type_='unique')
        batch.create_unique_constraint('uq_payment_orders_claim_kind_instalment_attempt',
                                       ['claim_id', 'kind', 'instalment', 'attempt'])
    with op.batch_alter_table('schedule_instalments') as batch:
        batch.alter_column('paid_on', existing_type=sa.Date(), nullable=True)
        batch.add_column(sa.Column('order_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('schedule_instalments') as batch:
        batch.drop_column('order_id')
        batch.alter_column('paid_on', existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table('payment_orders') as batch:
        batch.drop_constraint('uq_payment_orders_claim_kind_instalment_attempt', type_='unique')
        batch.create_unique_constraint('uq_payment_orders_claim_kind_attempt', ['claim_id', 'kind', 'attempt'])
        batch.drop_column('instalment')
        batch.drop_column('schedule_id')
    op.drop_table('payout_statements')
