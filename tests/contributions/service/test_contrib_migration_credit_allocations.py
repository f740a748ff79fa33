"""Migration 0010: allocations a credit note paid move from `payment_id` to their own
column, `credit_bill_number`; a CHECK keeps exactly one of the two set (C-5)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from services.chassis.migrations import alembic_config
from services.contributions.adapters.money_tables import payment_allocations
from services.contributions.bootstrap import definition

NOTE = "SPI-202102-99000001-K1"


def upgrade(engine, revision: str) -> None:
    config = alembic_config(definition().migrations, engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@pytest.mark.rule("C-5")
def test_c5_rows_a_credit_note_paid_move_to_their_own_column(database_url):
    engine = create_engine(database_url)
    try:
        upgrade(engine, "0009")
        now = datetime.now(UTC)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO payments (payment_id, bank_reference, npp, branch_code, amount_rupiah, paid_on, status, "
                "credit_rupiah, recorded_by, recorded_at) VALUES ('p-1', 'BNI-1', '99000001', 'KC-BINJAI', 800000, "
                ":paid_on, 'MATCHED', 0, 'ani', :now)"), {"paid_on": date(2021, 4, 10), "now": now})
            for payer, amount in (("p-1", 800_000), (NOTE, 200_000)):  # before 0010 a note's number sat here
                connection.execute(text(
                    "INSERT INTO payment_allocations (payment_id, bill_number, amount_rupiah, allocated_on, "
                    "from_credit, created_at) VALUES (:payer, 'SPI-202103-99000001', :amount, :on, :credit, :now)"),
                    {"payer": payer, "amount": amount, "on": date(2021, 4, 5), "credit": payer == NOTE, "now": now})
        upgrade(engine, "heads")
        with engine.connect() as connection:
            rows = connection.execute(select(payment_allocations.c.payment_id, payment_allocations.c.credit_bill_number,
                                             payment_allocations.c.amount_rupiah)
                                      .order_by(payment_allocations.c.id)).all()
            assert [tuple(r) for r in rows] == [("p-1", None, 800_000), (None, NOTE, 200_000)]
        for payer in ({"payment_id": "p-1", "credit_bill_number": NOTE}, {}):  # both, or neither: refused
            with pytest.raises(IntegrityError), engine.begin() as connection:
                connection.execute(insert(payment_allocations).values(
                    bill_number="SPI-202103-99000001", amount_rupiah=1, allocated_on=date(2021, 4, 5),
                    from_credit=False, created_at=now, **payer))
    finally:
        engine.dispose()
