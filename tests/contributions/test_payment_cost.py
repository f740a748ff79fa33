"""What one usual RecordPayment costs in statements (issue 14), on SQLite.

The usual payment (the request bench's): it names its employer and an open bill, pays part
of it, and the employer has no credit waiting and no open penalty. Its statements are
traced on every connection of the service (SQLite's trace callback, set on each connection
an SQLAlchemy `checkout` listener hands out): the payment path runs on the driver's cursor,
below SQLAlchemy's own execute events. 14 statements where there were 16: the employer's
open bills, credit state and open penalties come from one read under the lock, and the
open penalties are not read when there are none. Speed itself is `make bench`'s, not here.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from jamsos.contributions.v1 import payments_pb2 as pb
from services.contributions.adapters import money_bills, payment_store
from services.contributions.domain.periods import Period
from tests.contributions.service import test_contrib_money_payment_path as twin
from tests.contributions.service.money_fixtures import NPP, add_bill, d, rp
from tests.contributions.service.test_contrib_money_payment_path import twin_urls  # noqa: F401 - a fixture
from tests.harness.sqlite_trace import SqliteTrace

# The one read before the write lock, then the transaction: what each statement does.
USUAL_PAYMENT = [
    "SELECT payments bills rm_employers",  # before the lock: reference new?, the bill, its employer
    "BEGIN",
    "SELECT idempotency_keys",  # the request id's stored answer
    "SELECT payments rm_employers",  # under the lock: reference still new, employer as read
    "SELECT payments bills penalties",  # open bills locked, credit waiting, credit, open penalties
    "INSERT payments",
    "INSERT payment_allocations",
    "UPDATE bills",
    "SELECT employer_standing",
    "INSERT audit_log",
    "INSERT idempotency_keys",
    "INSERT outbox",
    "COMMIT",
]
_TABLES = ("idempotency_keys", "payment_allocations", "payments", "bills", "rm_employers", "penalties",
           "employer_standing", "audit_log", "outbox")


def _what(sql: str) -> str:
    """The statement's verb and the tables it names, in `_TABLES`' order."""
    verb = sql.split()[0].upper()
    if verb in ("BEGIN", "COMMIT", "ROLLBACK"):
        return verb
    named = set(re.findall(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)", sql, flags=re.IGNORECASE))
    return " ".join([verb, *(t for t in _TABLES if t in named)])


@pytest.fixture
def traced(contributions, payments):
    if contributions.engine.dialect.name != "sqlite":
        pytest.skip("statements are traced with SQLite's trace callback")
    trace = SqliteTrace()

    def shapes(call):
        with trace.recording() as statements:
            call()
        return [_what(sql) for sql in statements]

    with trace.watching(contributions.engine):
        yield shapes


def _pay(payments, number: int, bill: str, amount: int = 1_000):
    return payments.RecordPayment(pb.RecordPaymentRequest(
        request_id=f"r-cost-{number}", bank_reference=f"COST-{number}", amount=rp(amount),
        paid_on=d(date(2021, 6, 1)), npp=NPP, bill_number=bill))


@pytest.mark.rule("C-7")
def test_c7_a_usual_payment_runs_fourteen_statements(payments, contributions, traced):
    bill = add_bill(contributions, Period(2021, 5), 800_000, date(2021, 7, 15))
    _pay(payments, 0, bill)  # the employer's standing stored once
    assert traced(lambda: _pay(payments, 1, bill)) == USUAL_PAYMENT
    assert traced(lambda: _pay(payments, 2, bill)) == USUAL_PAYMENT  # the same for every later one


@pytest.mark.rule("C-6")
def test_c6_a_payment_of_an_employer_with_an_open_penalty_reads_it(payments, contributions, traced):
    """The penalties are read (locked) exactly when the state says some are open: the payment
    that settles a late bill has none open before it; the next one finds that penalty."""
    late = add_bill(contributions, Period(2021, 1), 100_000, date(2021, 2, 15))
    add_bill(contributions, Period(2021, 5), 800_000, date(2021, 7, 15))
    settled = _pay(payments, 0, late, 100_000)
    assert settled.penalties  # C-6: paid after its due date
    reads = traced(lambda: _pay(payments, 1, "", 5_000))  # the oldest open item first: the penalty
    assert "SELECT penalties" in reads


@pytest.mark.rule("C-7")
def test_c7_the_one_read_under_the_lock_answers_and_stores_as_the_three_it_replaced(twin_urls, monkeypatch):  # noqa: F811
    """The twin scenario (C-6 penalties, C-7 credit notes and credit, suspense, O-2, a duplicate,
    a retry) with the open bills, credit state and open penalties in one read, and again with
    the three reads it replaced (penalties always read): answers and stored rows alike."""
    merged_answers, merged_stored = twin._run(twin_urls[0])

    credit_state = payment_store.credit_state
    monkeypatch.setattr(payment_store, "open_bills_and_state",
                        lambda session, npp: (money_bills.open_bills(session, npp, lock=True), None))
    monkeypatch.setattr(payment_store, "credit_state",
                        lambda session, npp: replace(credit_state(session, npp), penalties_open=True))
    three_answers, three_stored = twin._run(twin_urls[1])

    assert merged_stored["penalty_payments"]  # the scenario paid penalties
    assert twin._without_ids(merged_answers) == twin._without_ids(three_answers)
    for part in merged_stored:
        assert twin._without_ids(merged_stored[part]) == twin._without_ids(three_stored[part]), part
