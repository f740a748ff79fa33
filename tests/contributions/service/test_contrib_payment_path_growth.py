"""RecordPayment's work does not grow with the payments already recorded (issue 14).

The request bench pays small parts of the same 20 bills thousands of times. A statement on
the payment path that scanned, or summed over, the bill's allocations or the employer's
payments would cost more with every one of them. On SQLite the statements the path runs are
traced on every connection of the service (the lookup before the lock, the transaction),
each one's plan must read by an index, and the virtual machine's steps per payment (which a
scan or an aggregate makes grow with its rows, and an index seek does not) must be the same
after a few payments and after many. Speed itself is shown by `make bench`, not here.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from jamsos.contributions.v1 import payments_pb2 as pb
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import NPP, add_bill, d, rp
from tests.harness.sqlite_trace import SqliteTrace

_BILL = "SPI-202101-" + NPP
_NOT_PLANNED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


@pytest.fixture
def traced(contributions, payments):
    if contributions.engine.dialect.name != "sqlite":
        pytest.skip("the statements and their plans are read with SQLite's trace and EXPLAIN QUERY PLAN")
    with SqliteTrace(steps=True).watching(contributions.engine) as trace:
        add_bill(contributions, Period(2021, 1), 10**12, date(2021, 2, 15))  # thousands of payments leave it open
        yield trace


def _pay(payments, number: int) -> None:
    payments.RecordPayment(pb.RecordPaymentRequest(
        request_id=f"r-growth-{number}", bank_reference=f"GROWTH-{number}", amount=rp(1_000),
        paid_on=d(date(2021, 2, 1)), npp=NPP, bill_number=_BILL))


def _measured(trace: SqliteTrace, payments, numbers: range) -> tuple[list[str], int]:
    """The statements and the VM steps of the payments `numbers`."""
    with trace.recording() as statements:
        for number in numbers:
            _pay(payments, number)
    return list(statements), sum(trace.steps.values())


def _shape(sql: str) -> str:
    return " ".join(re.sub(r"x?'[^']*'|\b\d+\b", "?", sql).split())


@pytest.mark.rule("C-7")
def test_c7_every_statement_of_a_payment_reads_by_an_index(contributions, payments, traced):
    for number in range(3):
        _pay(payments, number)
    statements, _ = _measured(traced, payments, range(3, 4))
    planned = [sql for sql in statements if sql.split()[0].upper() not in _NOT_PLANNED]
    assert any("payment_allocations" in sql for sql in planned) and any("FROM bills" in sql for sql in planned)
    with contributions.engine.connect() as connection:
        for sql in planned:
            plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
            scans = [step for step in plan if step.startswith("SCAN") and step != "SCAN CONSTANT ROW"]
            assert not scans, (sql, plan)


@pytest.mark.rule("C-7")
def test_c7_a_payment_costs_the_same_after_five_payments_of_the_bill_as_after_sixty(payments, traced):
    for number in range(5):
        _pay(payments, number)
    early_statements, early_steps = _measured(traced, payments, range(5, 8))
    for number in range(8, 60):
        _pay(payments, number)
    late_statements, late_steps = _measured(traced, payments, range(60, 63))

    assert [_shape(s) for s in late_statements] == [_shape(s) for s in early_statements]
    # A read of the bill's 60 allocations or the employer's 60 payments adds some 3 steps a row
    # (several hundred for the three payments); an index seek adds none as the rows pile up.
    assert early_steps > 0 and late_steps <= early_steps * 1.02, (early_steps, late_steps)
