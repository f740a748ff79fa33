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
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import event

from jamsos.contributions.v1 import payments_pb2 as pb
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import NPP, add_bill, d, rp

_BILL = "SPI-202101-" + NPP
_NOT_PLANNED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


class _Trace:
    """Each connection's statements (with their values) and the VM steps spent in each."""

    def __init__(self) -> None:
        self.on = False
        self.statements: list[str] = []
        self.steps: Counter[str] = Counter()

    def watch(self, dbapi_connection, _record, _proxy) -> None:
        current = ["-"]

        def traced(sql: str) -> None:
            current[0] = sql
            if self.on:
                self.statements.append(sql)

        def stepped() -> int:
            if self.on:
                self.steps[current[0]] += 1
            return 0  # go on

        dbapi_connection.set_trace_callback(traced)
        dbapi_connection.set_progress_handler(stepped, 1)


@pytest.fixture
def traced(contributions, payments):
    if contributions.engine.dialect.name != "sqlite":
        pytest.skip("the statements and their plans are read with SQLite's trace and EXPLAIN QUERY PLAN")
    trace = _Trace()
    event.listen(contributions.engine, "checkout", trace.watch)
    contributions.engine.dispose()  # every connection from here on is a watched one
    add_bill(contributions, Period(2021, 1), 10**12, date(2021, 2, 15))  # thousands of payments leave it open
    yield trace
    event.remove(contributions.engine, "checkout", trace.watch)


def _pay(payments, number: int) -> None:
    payments.RecordPayment(pb.RecordPaymentRequest(
        request_id=f"r-growth-{number}", bank_reference=f"GROWTH-{number}", amount=rp(1_000),
        paid_on=d(date(2021, 2, 1)), npp=NPP, bill_number=_BILL))


def _measured(trace: _Trace, payments, numbers: range) -> tuple[list[str], int]:
    """The statements and the VM steps of the payments `numbers`."""
    trace.statements.clear()
    trace.steps.clear()
    trace.on = True
    try:
        for number in numbers:
            _pay(payments, number)
    finally:
        trace.on = False
    return list(trace.statements), sum(trace.steps.values())


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
