"""member records keep their history: marital status, employer addresses, family member ids

- `marital_status_history`: one row per (KPJ, effective date); GetFamily on a past date
  covers the dependants by the status of that date (M-6). Existing workers get one row,
  their current status from their birth date (the earliest the record can speak for).
- `employer_addresses`: one row per (NPP, effective date), a change may be dated ahead
  (M-1); existing employers get their current address from their registration date.
- `family_members.member_id`: a stable id per family member, so a client can match the
  covered dependants across ChangeFamily calls; existing rows get a fresh uuid each.

Revision ID: 0009
Revises: 0008
"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marital_status_history",
        sa.Column("kpj", sa.String(length=11), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("marital_status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["kpj"], ["workers.kpj"]),
        sa.PrimaryKeyConstraint("kpj", "effective_date"),
    )
    op.create_table(
        "employer_addresses",
        sa.Column("npp", sa.String(length=12), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["npp"], ["employers.npp"]),
        sa.PrimaryKeyConstraint("npp", "effective_date"),
    )
    op.execute(sa.text(
        "INSERT INTO marital_status_history (kpj, effective_date, marital_status) "
        "SELECT kpj, birth_date, marital_status FROM workers"))
    op.execute(sa.text(
        "INSERT INTO employer_addresses (npp, effective_date, address) "
        "SELECT npp, registration_date, address FROM employers"))

    with op.batch_alter_table("family_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.String(length=36), nullable=True))
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM family_members"))]
    for row_id in ids:
        bind.execute(sa.text("UPDATE family_members SET member_id = :member_id WHERE id = :id"),
                     {"member_id": str(uuid.uuid4()), "id": row_id})
    with op.batch_alter_table("family_members", schema=None) as batch_op:
        batch_op.alter_column("member_id", existing_type=sa.String(length=36), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("family_members", schema=None) as batch_op:
        batch_op.drop_column("member_id")
    op.drop_table("employer_addresses")
    op.drop_table("marital_status_history")
