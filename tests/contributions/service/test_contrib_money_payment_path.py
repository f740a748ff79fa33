"""RecordPayment's fast path against the path it replaced, on twin databases (issue 14).

The same receipts, in the same order, are recorded on two services seeded alike: one as it
runs (the employer and bill read before the write lock, the statements on the
transaction's cursor, the bills, credit and standing after a plain payment taken from what
it read locked and wrote), one with every read under the lock, every statement through
SQLAlchemy's Session and every row read back, as before. Answers, errors and what is stored (payments, allocations,
bills, penalties, standing, events, audit) must be the same, ids aside: C-6 penalties,
C-7 credit notes and credit, suspense, another branch's bill (O-2), a duplicate and a retry.
"""
from __future__ import annotations

import json
import re
from datetime import date

import grpc
import pytest
from google.protobuf.json_format import MessageToDict
from sqlalchemy import select

from jamsos.contributions.v1 import events_pb2  # noqa: F401 - the event types MessageToDict unpacks
from jamsos.contributions.v1 import payments_pb2 as pb, payments_pb2_grpc
from services.chassis.events import parse_envelope
from services.contributions.adapters import (
    money_bills, payment_store, penalty_repository, standing_repository, transaction_cursor,
)
from services.contributions.adapters.money_tables import (
    employer_standing, payment_allocations, payments, penalties, penalty_payments,
)
from services.contributions.adapters.tables import bills, platform
from services.contributions.application.money import matching, recording
from services.contributions.application.money.payments import PaymentUseCases
from services.contributions.bootstrap import definition
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import (
    BINJAI, FINANCE, MEDAN, NPP, OTHER_NPP, add_bill, add_employer, d, rp, set_today,
)
from tests.service_harness import Caller, start_service, token_for

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CLOCK = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[.\d]*(\+00:00|Z)?")  # when a row was written


@pytest.fixture
def twin_urls(database_url, request, tmp_path):
    """Two empty databases of the same backend."""
    if database_url.startswith("sqlite"):
        yield database_url, f"sqlite:///{tmp_path}/twin.db"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"twin_{tmp_path.name[-12:].lower().replace('-', '_')}"
    yield database_url, server.create_database(name)
    server.drop_database(name)


def _seed(runtime) -> None:
    add_employer(runtime)
    add_employer(runtime, OTHER_NPP, MEDAN)
    set_today(runtime, date(2021, 6, 30))
    add_bill(runtime, Period(2021, 1), 1_000_000, date(2021, 2, 15))
    add_bill(runtime, Period(2021, 2), 800_000, date(2021, 3, 15))
    add_bill(runtime, Period(2021, 3), 900_000, date(2021, 4, 15))
    add_bill(runtime, Period(2021, 2), 1_000_000, date(2021, 3, 15), npp=OTHER_NPP, branch=MEDAN)


def _receipts(runtime, stub) -> list:
    """The scenario: each step's answer, or its error's code and message."""
    feb, jan = "SPI-202102-" + NPP, "SPI-202101-" + NPP
    steps: list = [
        ("P1", 300_000, date(2021, 3, 10), NPP, feb, ""),      # partial, on time
        ("P2", 500_000, date(2021, 4, 20), NPP, feb, ""),      # settles February late: C-6 penalty
        ("P3", 1_500_000, date(2021, 5, 10), NPP, "", ""),     # January (late), then March in part
        ("P4", 2_000_000, date(2021, 6, 1), NPP, "", ""),      # March, the penalties, the rest credit
        "credit note and April",
        ("P5", 100_000, date(2021, 6, 20), NPP, "SPI-202104-" + NPP, ""),  # credit first (C-7)
        ("P6", 50_000, date(2021, 6, 21), NPP, jan, ""),       # a bill no longer open: suspense
        ("P7", 70_000, date(2021, 6, 22), "98000001", "", BINJAI),  # an unknown employer: suspense
        ("P8", 90_000, date(2021, 6, 23), "", "SPI-202102-" + OTHER_NPP, BINJAI),  # Medan's bill (O-2)
        ("P1", 300_000, date(2021, 3, 10), NPP, feb, "again"),  # the same reference, a new request
        ("P4", 2_000_000, date(2021, 6, 1), NPP, "", ""),      # a retry: the stored answer
    ]
    answers = []
    for step in steps:
        if isinstance(step, str):
            add_bill(runtime, Period(2021, 1), -150_000, date(2021, 7, 15), kind="CORRECTION", sequence=1,
                     issued_on=date(2021, 6, 15), status="CREDIT")
            add_bill(runtime, Period(2021, 4), 700_000, date(2021, 5, 15))
            continue
        reference, amount, paid_on, npp, bill_number, tail = step
        request = pb.RecordPaymentRequest(request_id=f"r-{reference}{tail}", bank_reference=reference,
                                          amount=rp(amount), paid_on=d(paid_on), npp=npp, bill_number=bill_number,
                                          branch_code=tail if tail != "again" else "")
        try:
            answers.append(MessageToDict(stub.RecordPayment(request), preserving_proto_field_name=True))
        except grpc.RpcError as error:
            answers.append({"code": error.code().name, "details": error.details()})
    return answers


def _stored(runtime) -> dict:
    """What the scenario left in the database, in a stable order, timestamps left out."""
    def rows(table, *order, drop=("recorded_at", "created_at", "updated_at", "id")):
        statement = select(table).order_by(*order)
        with runtime.app.ctx.base.read_session(across_branches=True) as connection:
            return [{k: str(v) for k, v in r._mapping.items() if k not in drop} for r in connection.execute(statement)]

    outbox, audit = platform["outbox"], platform["audit"]
    with runtime.app.ctx.base.read_session(across_branches=True) as connection:
        envelopes = [parse_envelope(raw) for raw in
                     connection.execute(select(outbox.c.envelope).order_by(outbox.c.id)).scalars()]
        audits = [(r.action, r.subject, r.detail, r.reason) for r in
                  connection.execute(select(audit).order_by(audit.c.id))]
    return {
        "payments": rows(payments, payments.c.bank_reference),
        "allocations": rows(payment_allocations, payment_allocations.c.id),
        "bills": rows(bills, bills.c.bill_number),
        "penalties": rows(penalties, penalties.c.bill_number),
        "penalty_payments": rows(penalty_payments, penalty_payments.c.id),
        "standing": rows(employer_standing, employer_standing.c.npp),
        "events": [(e.event_type, MessageToDict(e.payload)) for e in envelopes],
        "audit": audits,
    }


def _run(url: str) -> tuple[list, dict]:
    runtime = start_service(definition(), url)
    try:
        _seed(runtime)
        with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
            stub = Caller(channel, token_for(*FINANCE))(payments_pb2_grpc.PaymentServiceStub)
            return _receipts(runtime, stub), _stored(runtime)
    finally:
        runtime.stop(grace=0)


def _without_ids(value) -> str:
    """JSON of `value` with each id replaced by the order it first appears in, and no clock times."""
    text = _CLOCK.sub("<time>", json.dumps(value, sort_keys=True, default=str))
    seen: dict[str, str] = {}
    return _UUID.sub(lambda m: seen.setdefault(m.group(0), f"id-{len(seen)}"), text)


@pytest.mark.rule("C-7")
def test_c7_record_payment_answers_and_stores_exactly_as_the_path_under_the_lock(twin_urls, monkeypatch):
    fast_answers, fast_stored = _run(twin_urls[0])

    monkeypatch.setattr(PaymentUseCases, "prepare", lambda self, scope, command: None)
    for module in (transaction_cursor, money_bills, payment_store, penalty_repository, standing_repository):
        monkeypatch.setattr(module, "on_cursor", lambda executor: executor)
    # Every row read back after it was written, none taken from what the payment wrote.
    monkeypatch.setattr(matching, "_bills_now", lambda result, allocated: None)
    monkeypatch.setattr(recording, "_as_stored", lambda *args, **kwargs: None)
    old_answers, old_stored = _run(twin_urls[1])

    assert [a.get("code", "OK") for a in fast_answers] == ["OK"] * 8 + ["ALREADY_EXISTS", "OK"]
    assert fast_answers[-1] == fast_answers[3]  # the retry's stored answer
    assert fast_stored["penalties"] and fast_stored["penalty_payments"]  # the scenario reached C-6
    assert any(a["credit_bill_number"] != "None" for a in fast_stored["allocations"])  # and a credit note
    assert _without_ids(fast_answers) == _without_ids(old_answers)
    for part in fast_stored:
        assert _without_ids(fast_stored[part]) == _without_ids(old_stored[part]), part


@pytest.mark.rule("C-8")
def test_c8_an_employer_changed_after_the_read_before_the_lock_is_read_again(contributions, payments, monkeypatch):
    """Membership's event closes the employer between `prepare` and the transaction: the
    standing the payment stores must be the closed employer's (its data no longer complete),
    not the one read before the lock."""
    from sqlalchemy import update

    from services.chassis import row_security
    from services.contributions.adapters.tables import rm_employers

    prepare = PaymentUseCases.prepare

    def prepare_then_closed(self, scope, command):
        prepared = prepare(self, scope, command)
        assert prepared is not None and prepared.facts.data_complete  # read before the lock
        with contributions.app.ctx.base.unit_of_work() as uow, row_security.system_path(uow.session):  # the consumer's
            uow.session.execute(update(rm_employers).where(rm_employers.c.npp == NPP).values(status="CLOSED"))
            uow.commit()
        return prepared

    monkeypatch.setattr(PaymentUseCases, "prepare", prepare_then_closed)
    add_bill(contributions, Period(2021, 5), 800_000, date(2021, 6, 15))
    response = payments.RecordPayment(pb.RecordPaymentRequest(
        request_id="r-closed", bank_reference="CLOSED-1", amount=rp(800_000), paid_on=d(date(2021, 6, 1)), npp=NPP))
    assert response.payment.status == pb.PAYMENT_STATUS_MATCHED and response.bills[0].status == "PAID"
    with contributions.app.ctx.base.read_session(across_branches=True) as connection:
        standing = connection.execute(select(employer_standing).where(employer_standing.c.npp == NPP)).one()
    assert (standing.data_complete, standing.good_standing, standing.in_arrears) == (False, False, False)


@pytest.mark.rule("C-7")
def test_c7_a_payment_naming_its_bill_is_read_before_the_lock_in_one_statement(contributions, payments, monkeypatch):
    """The reference, the bill and its employer come from one statement before the lock; the
    transaction then only checks them again (the twin test above shows the answers equal)."""
    prepare, seen = PaymentUseCases.prepare, []

    def recorded(self, scope, command):
        seen.append(prepare(self, scope, command))
        return seen[-1]

    monkeypatch.setattr(PaymentUseCases, "prepare", recorded)
    bill = add_bill(contributions, Period(2021, 5), 800_000, date(2021, 6, 15))
    for number, npp in enumerate(("", NPP)):
        response = payments.RecordPayment(pb.RecordPaymentRequest(
            request_id=f"r-named-{number}", bank_reference=f"NAMED-{number}", amount=rp(1_000),
            paid_on=d(date(2021, 6, 1)), npp=npp, bill_number=bill))
        assert response.payment.status == pb.PAYMENT_STATUS_MATCHED
    with contributions.app.ctx.base.read_session(across_branches=True) as connection:
        expected = money_bills.employer(connection, NPP)
    assert [p.facts if p is not None else None for p in seen] == [expected, expected]
    again = pb.RecordPaymentRequest(request_id="r-named-again", bank_reference="NAMED-0", amount=rp(1_000),
                                    paid_on=d(date(2021, 6, 1)), bill_number=bill)
    with pytest.raises(grpc.RpcError) as refused:
        payments.RecordPayment(again)
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS and seen[-1] is None  # refused under the lock
