"""Credit notes (C-5 CREDIT correction bills) on the money side: they lower what the
employer owes (oldest open bill first, else kept as credit for the next bills), arrears
follow (C-8), reconciliation never counts them as money received (C-7), and applying one
is idempotent."""
from __future__ import annotations

from datetime import date

import pytest
from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import (
    events_pb2,
    payments_pb2,
    payments_pb2_grpc,
    reconciliation_pb2,
    reconciliation_pb2_grpc,
    standing_pb2,
    standing_pb2_grpc,
)
from sqlalchemy import select

from services.chassis.consumer import EventApplier
from services.chassis.events import make_envelope
from services.contributions.adapters.money_tables import payment_allocations
from services.contributions.application.money.matching import (
    apply_credit_to_new_bills,
)
from services.contributions.application.payments import consumers as payment_consumers
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import (
    BINJAI,
    NPP,
    add_bill,
    add_employer,
    bill,
    d,
    rp,
    set_today,
)

TODAY = date(2021, 6, 30)
Kind = reconciliation_pb2.DifferenceKind


@pytest.fixture
def stubs(contributions, as_user):
    add_employer(contributions)
    set_today(contributions, TODAY)
    return (as_user(BINJAI, "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub),
            as_user(BINJAI, "ADMINISTRATION_OFFICER")(standing_pb2_grpc.StandingServiceStub),
            as_user(BINJAI, "ADMINISTRATION_OFFICER", user="ani")(reconciliation_pb2_grpc.ReconciliationServiceStub))


def pay(stub, ref: str, amount: int, paid_on: date, bill_number: str = ""):
    return stub.RecordPayment(payments_pb2.RecordPaymentRequest(
        request_id=ref, bank_reference=ref, amount=rp(amount), paid_on=d(paid_on), npp=NPP, bill_number=bill_number))


def credit_note(contributions, period: Period, total: int, issued_on: date, sequence: int = 1) -> str:
    return add_bill(contributions, period, total, date(2021, 7, 15), kind="CORRECTION", sequence=sequence,
                    issued_on=issued_on, status="CREDIT")


def deliver_bill_issued(contributions, number: str) -> str:
    """The money consumer receives BillIssued for `number` (a new event id each call)."""
    event = make_envelope(events_pb2.BillIssued(bill_number=number, npp=NPP, branch_code=BINJAI),
                          aggregate_type="employer", aggregate_id=NPP, branch_code=BINJAI, producer="contributions")
    [spec] = payment_consumers(contributions.app.payments)
    return EventApplier(spec.name, "contributions", spec.registry, contributions.app.ctx.base.unit_of_work).apply(event)


def paid_and_status(contributions, number: str) -> tuple[int, str]:
    row = bill(contributions, number)
    return int(row.paid_rupiah), row.status


def allocations(contributions, number: str) -> list[tuple]:
    """What credit note `number` paid, found by its own column (migration 0010)."""
    with contributions.app.ctx.base.read_session() as session:
        return [tuple(r) for r in session.execute(
            select(payment_allocations.c.credit_bill_number, payment_allocations.c.bill_number,
                   payment_allocations.c.amount_rupiah, payment_allocations.c.allocated_on)
            .where(payment_allocations.c.credit_bill_number == number).order_by(payment_allocations.c.id))]


def paying_payment_ids(contributions, bill_number: str) -> list[str | None]:
    """The payment id column of every allocation to `bill_number`, oldest first."""
    with contributions.app.ctx.base.read_session() as session:
        return list(session.execute(select(payment_allocations.c.payment_id)
                                    .where(payment_allocations.c.bill_number == bill_number)
                                    .order_by(payment_allocations.c.id)).scalars())


def worksheet(stub, request_id: str, period: Period, reported: int) -> reconciliation_pb2.Worksheet:
    return stub.PrepareWorksheet(reconciliation_pb2.PrepareWorksheetRequest(
        request_id=request_id, npp=NPP, period=types_pb2.Period(year=period.year, month=period.month),
        reported_amount=rp(reported))).worksheet


@pytest.mark.rule("C-5")
def test_c5_a_negative_correction_reduces_what_the_employer_owes(contributions, stubs):
    payments, _, _ = stubs
    february = add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    pay(payments, "BNI-1", 1_000_000, date(2021, 3, 10))  # February paid in full, on time
    march = add_bill(contributions, Period(2021, 3), 1_000_000, date(2021, 4, 15))  # issued 1 April
    note = credit_note(contributions, Period(2021, 2), -200_000, date(2021, 4, 5))  # February wage lowered
    assert deliver_bill_issued(contributions, note) == "applied"
    # February is paid, so the 200,000 credit pays the oldest open bill, March: 800,000 left.
    assert paid_and_status(contributions, march) == (200_000, "OPEN")
    assert paid_and_status(contributions, note) == (200_000, "APPLIED")  # credit used up
    # The credit reached March when both existed: 5 April (the note's issue day).
    assert allocations(contributions, note) == [(note, march, 200_000, date(2021, 4, 5))]
    response = pay(payments, "BNI-2", 800_000, date(2021, 4, 10), bill_number=march)
    assert [(a.bill_number, a.amount.rupiah) for a in response.payment.allocations] == [(march, 800_000)]
    assert (bill(contributions, march).status, bill(contributions, march).settled_on) == ("PAID", date(2021, 4, 10))
    assert list(response.penalties) == [] and response.employer_credit.rupiah == 0
    assert paid_and_status(contributions, february) == (1_000_000, "PAID")


@pytest.mark.rule("C-7")
def test_c7_a_credit_note_is_not_money_received_it_lowers_billed_where_it_pays(contributions, stubs):
    payments, _, ani = stubs
    add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    pay(payments, "BNI-1", 1_000_000, date(2021, 3, 10))
    march = add_bill(contributions, Period(2021, 3), 1_000_000, date(2021, 4, 15))
    note = credit_note(contributions, Period(2021, 2), -200_000, date(2021, 4, 5))
    deliver_bill_issued(contributions, note)
    pay(payments, "BNI-2", 800_000, date(2021, 4, 10), bill_number=march)
    # February: its bill 1,000,000, the bank paid 1,000,000; its credit note went to March.
    feb = worksheet(ani, "w-feb", Period(2021, 2), 1_000_000)
    assert (feb.billed.rupiah, feb.received.rupiah, list(feb.differences)) == (1_000_000, 1_000_000, [])
    # March: 1,000,000 billed less 200,000 paid by the credit note = 800,000; the bank's
    # 800,000 is all that was received (the note is not bank money): no underpayment.
    mar = worksheet(ani, "w-mar", Period(2021, 3), 800_000)
    assert (mar.billed.rupiah, mar.received.rupiah, list(mar.differences)) == (800_000, 800_000, [])
    assert [p.bank_reference for p in mar.payments] == ["BNI-2"]


@pytest.mark.rule("C-8")
def test_c8_arrears_reflect_a_credit_correction(contributions, stubs):
    _, standing, _ = stubs
    january = add_bill(contributions, Period(2021, 1), 500_000, date(2021, 2, 15))
    february = add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    before = standing.GetStanding(standing_pb2.GetStandingRequest(npp=NPP)).standing
    assert (before.in_arrears, before.arrears.rupiah) == (True, 1_500_000)
    note = credit_note(contributions, Period(2021, 2), -300_000, date(2021, 5, 3))
    deliver_bill_issued(contributions, note)
    # Oldest open bill first (January), even though the note corrects February:
    # 500,000 - 300,000 = 200,000 plus February's 1,000,000 = 1,200,000 in arrears.
    after = standing.GetStanding(standing_pb2.GetStandingRequest(npp=NPP)).standing
    assert (after.in_arrears, after.arrears.rupiah, after.credit.rupiah) == (True, 1_200_000, 0)
    assert [(b.bill_number, b.outstanding.rupiah) for b in after.overdue_bills] == [
        (january, 200_000), (february, 1_000_000)]


@pytest.mark.rule("C-5")
def test_c5_credit_correction_with_nothing_open_pays_the_next_bill(contributions, stubs):
    payments, standing, ani = stubs
    add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    pay(payments, "BNI-1", 1_100_000, date(2021, 3, 10))  # 100,000 overpaid: payment credit
    note = credit_note(contributions, Period(2021, 2), -250_000, date(2021, 3, 20))
    deliver_bill_issued(contributions, note)
    # Nothing open: the note stays as credit; the employer's credit is 250,000 + 100,000.
    assert paid_and_status(contributions, note) == (0, "CREDIT")
    held = standing.GetStanding(standing_pb2.GetStandingRequest(npp=NPP)).standing
    assert (held.in_arrears, held.credit.rupiah) == (False, 350_000)
    # February: billed 1,000,000 - 250,000 held on its note = 750,000; received from the
    # bank 1,000,000 allocated + 100,000 held = 1,100,000: over by 350,000, the credit.
    feb = worksheet(ani, "w-feb", Period(2021, 2), 750_000)
    assert (feb.billed.rupiah, feb.received.rupiah) == (750_000, 1_100_000)
    assert [(x.kind, x.amount.rupiah) for x in feb.differences] == [(Kind.DIFFERENCE_KIND_OVER_PAYMENT, 350_000)]
    march = add_bill(contributions, Period(2021, 3), 1_000_000, date(2021, 4, 15))  # issued 1 April
    deliver_bill_issued(contributions, march)
    # The credit note first (250,000, on 1 April when March was issued), then the payment credit.
    assert paid_and_status(contributions, march) == (350_000, "OPEN")
    assert paid_and_status(contributions, note) == (250_000, "APPLIED")
    assert allocations(contributions, note) == [(note, march, 250_000, date(2021, 4, 1))]
    after = standing.GetStanding(standing_pb2.GetStandingRequest(npp=NPP)).standing
    assert (after.credit.rupiah, after.arrears.rupiah) == (0, 650_000)
    response = pay(payments, "BNI-2", 650_000, date(2021, 4, 15))
    assert bill(contributions, march).status == "PAID" and list(response.penalties) == []


@pytest.mark.rule("C-5")
def test_c5_applying_a_credit_note_twice_applies_it_once(contributions, stubs):
    _, standing, _ = stubs
    january = add_bill(contributions, Period(2021, 1), 500_000, date(2021, 2, 15))
    february = add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    note = credit_note(contributions, Period(2021, 1), -1_800_000, date(2021, 5, 3))
    # Two deliveries with different event ids (the inbox cannot dedup them) and a direct re-run.
    assert deliver_bill_issued(contributions, note) == "applied"
    assert deliver_bill_issued(contributions, note) == "applied"
    with contributions.app.ctx.base.unit_of_work() as uow:
        assert apply_credit_to_new_bills(uow, NPP, TODAY).credit_applied == []
        uow.commit()
    # 500,000 + 1,000,000 used once. Both bills were settled late by the note (3 May), so their
    # penalties (C-6) are paid from what is left, after the contributions: January (PP 49/2020
    # relief, 0.5%) 3 started months x 0.5% x 500,000 = 7,500; February 2 x 2% x 1,000,000 =
    # 40,000. 1,800,000 - 1,500,000 - 47,500 = 252,500 left on the note.
    assert paid_and_status(contributions, january) == (500_000, "PAID")
    assert paid_and_status(contributions, february) == (1_000_000, "PAID")
    assert paid_and_status(contributions, note) == (1_547_500, "CREDIT")
    assert [(a[1], a[2]) for a in allocations(contributions, note)] == [(january, 500_000), (february, 1_000_000)]
    s = standing.GetStanding(standing_pb2.GetStandingRequest(npp=NPP)).standing
    assert (s.in_arrears, s.arrears.rupiah, s.credit.rupiah) == (False, 0, 252_500)


@pytest.mark.rule("C-5")
def test_c5_a_credit_notes_allocation_is_found_by_its_own_column(contributions, stubs):
    payments, standing, _ = stubs
    add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    first = pay(payments, "BNI-1", 1_100_000, date(2021, 3, 10))  # 100,000 overpaid: payment credit
    note = credit_note(contributions, Period(2021, 2), -250_000, date(2021, 3, 20))
    deliver_bill_issued(contributions, note)  # nothing open: it stays credit
    march = add_bill(contributions, Period(2021, 3), 1_000_000, date(2021, 4, 15))  # issued 1 April, no event yet
    held = standing.GetStanding(standing_pb2.GetStandingRequest(npp=NPP)).standing
    # March unpaid and 76 days past due on 30 June; the credit is 250,000 + 100,000.
    assert (held.arrears.rupiah, held.credit.rupiah) == (1_000_000, 350_000)
    response = pay(payments, "BNI-2", 650_000, date(2021, 4, 15))
    # The note first, then BNI-1's credit, both reaching March on 1 April; then BNI-2's 650,000.
    assert [(a.payment_id, a.credit_bill_number, a.amount.rupiah, a.from_credit) for a in response.credit_applied] == [
        ("", note, 250_000, True), (first.payment.payment_id, "", 100_000, True)]
    assert allocations(contributions, note) == [(note, march, 250_000, date(2021, 4, 1))]
    assert paying_payment_ids(contributions, march) == [None, first.payment.payment_id, response.payment.payment_id]
    assert [(a.payment_id, a.credit_bill_number, a.amount.rupiah) for a in response.payment.allocations] == [
        (response.payment.payment_id, "", 650_000)]
    # 250,000 + 100,000 + 650,000 = 1,000,000: March paid on its due day, nothing in arrears or credit.
    assert (bill(contributions, march).status, bill(contributions, march).settled_on) == ("PAID", date(2021, 4, 15))
    after = standing.GetStanding(standing_pb2.GetStandingRequest(npp=NPP)).standing
    assert (after.in_arrears, after.arrears.rupiah, after.credit.rupiah) == (False, 0, 0)
    assert list(response.penalties) == [] and response.employer_credit.rupiah == 0
