"""Reconciliation worksheets (C-7): billed vs reported vs received, DRAFT -> VALIDATED ->
POSTED with a second officer (O-4), posting credits each worker's JHT once (C-9)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import events_pb2, payments_pb2, payments_pb2_grpc
from jamsos.contributions.v1 import reconciliation_pb2 as pb, reconciliation_pb2_grpc
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import (
    BINJAI, MEDAN, NPP, add_bill, add_employer, d, events, ledger_rows, rp, rule_of, set_today,
)

K1, K2 = "11000000001", "11000000002"
FEBRUARY = types_pb2.Period(year=2021, month=2)
Kind = pb.DifferenceKind


@pytest.fixture
def stubs(contributions, as_user):
    add_employer(contributions)
    set_today(contributions, date(2021, 6, 30))
    pay = as_user(BINJAI, "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub)
    ani = as_user(BINJAI, "ADMINISTRATION_OFFICER", user="ani")(reconciliation_pb2_grpc.ReconciliationServiceStub)
    budi = as_user(BINJAI, "BRANCH_HEAD", user="budi")(reconciliation_pb2_grpc.ReconciliationServiceStub)
    return pay, ani, budi


def pay(stub, ref: str, amount: int, paid_on: date, **extra):
    return stub.RecordPayment(payments_pb2.RecordPaymentRequest(
        request_id=ref, bank_reference=ref, amount=rp(amount), paid_on=d(paid_on), npp=NPP, **extra))


def prepare(stub, request_id: str, reported: int, period=FEBRUARY) -> pb.Worksheet:
    return stub.PrepareWorksheet(pb.PrepareWorksheetRequest(request_id=request_id, npp=NPP, period=period,
                                                            reported_amount=rp(reported))).worksheet


@pytest.mark.rule("C-7")
def test_c7_worksheet_draft_validated_posted_credits_jht_once(contributions, as_user, stubs):
    payments, ani, budi = stubs
    number = add_bill(contributions, Period(2021, 2), 10_000_000, date(2021, 3, 15),
                      jht={K1: (370_000, 200_000), K2: (185_000, 100_000)})
    pay(payments, "BNI-1", 10_500_000, date(2021, 4, 20))  # late: 400,000 penalty (C-6), 500,000 credit
    ws = prepare(ani, "w-1", 10_200_000)
    assert (ws.state, ws.billed.rupiah, ws.received.rupiah, ws.penalty_due.rupiah, ws.penalty_charged.rupiah) == (
        pb.WORKSHEET_STATE_DRAFT, 10_000_000, 10_500_000, 400_000, 400_000)
    # Over = received - billed - penalty due; the employer reported 200,000 more than billed.
    assert [(x.kind, x.amount.rupiah) for x in ws.differences] == [
        (Kind.DIFFERENCE_KIND_OVER_PAYMENT, 100_000), (Kind.DIFFERENCE_KIND_REPORTED_DIFFERENCE, 200_000)]
    with pytest.raises(grpc.RpcError) as err:
        ani.ValidateWorksheet(pb.ValidateWorksheetRequest(request_id="v-1", worksheet_id=ws.worksheet_id))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "O-4"
    with pytest.raises(grpc.RpcError) as err:
        ani.PostWorksheet(pb.PostWorksheetRequest(request_id="p-0", worksheet_id=ws.worksheet_id))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "C-7"
    validated = budi.ValidateWorksheet(pb.ValidateWorksheetRequest(request_id="v-2", worksheet_id=ws.worksheet_id))
    assert (validated.worksheet.state, validated.worksheet.validated_by) == (pb.WORKSHEET_STATE_VALIDATED, "budi")

    post = pb.PostWorksheetRequest(request_id="p-1", worksheet_id=ws.worksheet_id)
    posted = ani.PostWorksheet(post)
    assert posted.worksheet.state == pb.WORKSHEET_STATE_POSTED and posted.worksheet.jht_posted.rupiah == 855_000
    assert [(p.kpj, p.bill_number, p.amount.rupiah, p.balance.rupiah) for p in posted.postings] == [
        (K1, number, 570_000, 570_000), (K2, number, 285_000, 285_000)]
    assert [(e.kpj, e.amount.rupiah, e.kind) for e in events(contributions, events_pb2.JhtCredited)] == [
        (K1, 570_000, "CONTRIBUTION"), (K2, 285_000, "CONTRIBUTION")]
    assert ani.PostWorksheet(post) == posted  # a retry is answered, nothing credited again
    with pytest.raises(grpc.RpcError) as err:
        ani.PostWorksheet(pb.PostWorksheetRequest(request_id="p-2", worksheet_id=ws.worksheet_id))
    assert rule_of(err.value) == "C-7"
    # A second worksheet of the same period finds the lines already credited.
    again = prepare(ani, "w-2", 10_000_000)
    budi.ValidateWorksheet(pb.ValidateWorksheetRequest(request_id="v-3", worksheet_id=again.worksheet_id))
    assert list(ani.PostWorksheet(pb.PostWorksheetRequest(request_id="p-3", worksheet_id=again.worksheet_id)).postings) == []
    assert len(ledger_rows(contributions)) == 4 and sum(r.amount_rupiah for r in ledger_rows(contributions)) == 0
    medan = as_user(MEDAN, "ADMINISTRATION_OFFICER")(reconciliation_pb2_grpc.ReconciliationServiceStub)
    for call in (lambda: medan.GetWorksheet(pb.GetWorksheetRequest(worksheet_id=ws.worksheet_id)),
                 lambda: medan.ValidateWorksheet(pb.ValidateWorksheetRequest(request_id="m", worksheet_id=again.worksheet_id))):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.NOT_FOUND  # O-2: another branch's worksheet is not there


@pytest.mark.rule("C-7")
def test_c7_under_payment_unmatched_payment_and_penalty_correction_are_found(contributions, stubs):
    payments, ani, budi = stubs
    march = types_pb2.Period(year=2021, month=3)
    number = add_bill(contributions, Period(2021, 3), 1_000_000, date(2021, 4, 15), jht={K1: (37_000, 20_000)})
    pay(payments, "BNI-2", 400_000, date(2021, 4, 10))
    pay(payments, "BNI-3", 50_000, date(2021, 4, 12), bill_number="SPI-209901-99000001")  # suspense: no such bill
    ws = prepare(ani, "w-1", 1_000_000, march)
    # 600,000 unpaid since 15 April: 15 June is two months, the rest of June starts a third,
    # so 2% x 3 x 600,000 = 36,000 due now and nothing charged yet.
    assert [(x.kind, x.amount.rupiah, x.bank_reference) for x in ws.differences] == [
        (Kind.DIFFERENCE_KIND_UNDER_PAYMENT, 600_000, ""), (Kind.DIFFERENCE_KIND_UNMATCHED_PAYMENT, 50_000, "BNI-3"),
        (Kind.DIFFERENCE_KIND_PENALTY, 36_000, "")]
    budi.ValidateWorksheet(pb.ValidateWorksheetRequest(request_id="v", worksheet_id=ws.worksheet_id))
    posted = ani.PostWorksheet(pb.PostWorksheetRequest(request_id="p", worksheet_id=ws.worksheet_id))
    assert list(posted.unpaid_bill_numbers) == [number] and list(posted.postings) == []
    with pytest.raises(grpc.RpcError) as err:
        prepare(ani, "w-2", 0, types_pb2.Period(year=2020, month=1))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "C-7"


def validated(ani, budi, request_id: str) -> pb.Worksheet:
    ws = prepare(ani, f"w-{request_id}", 0)
    budi.ValidateWorksheet(pb.ValidateWorksheetRequest(request_id=f"v-{request_id}", worksheet_id=ws.worksheet_id))
    return ws


@pytest.mark.rule("C-9", "C-5", "C-7")
def test_c9_a_credit_note_takes_its_jht_lines_off_the_members_once_the_period_is_posted(contributions, stubs):
    payments, ani, budi = stubs
    regular = add_bill(contributions, Period(2021, 2), 10_000_000, date(2021, 3, 15), jht={K1: (370_000, 200_000)})
    pay(payments, "BNI-1", 10_000_000, date(2021, 3, 10))  # on time
    first = ani.PostWorksheet(pb.PostWorksheetRequest(request_id="p-1", worksheet_id=validated(ani, budi, "1").worksheet_id))
    assert [(p.bill_number, p.amount.rupiah) for p in first.postings] == [(regular, 570_000)]
    # K1's February wage was Rp1,000,000 lower: 3.7% + 2% of it, 37,000 + 20,000, comes back.
    note = add_bill(contributions, Period(2021, 2), -57_000, date(2021, 7, 15), kind="CORRECTION", sequence=1,
                    issued_on=date(2021, 6, 1), status="CREDIT", jht={K1: (-37_000, -20_000)})
    second = ani.PostWorksheet(pb.PostWorksheetRequest(request_id="p-2", worksheet_id=validated(ani, budi, "2").worksheet_id))
    assert [(p.kpj, p.bill_number, p.amount.rupiah, p.balance.rupiah) for p in second.postings] == [
        (K1, note, -57_000, 513_000)]
    assert (list(second.unpaid_bill_numbers), list(second.waiting_credit_notes)) == ([], [])
    third = ani.PostWorksheet(pb.PostWorksheetRequest(request_id="p-3", worksheet_id=validated(ani, budi, "3").worksheet_id))
    assert list(third.postings) == []  # each line comes off once
    assert sum(r.amount_rupiah for r in ledger_rows(contributions)) == 0  # still balanced


@pytest.mark.rule("C-9", "C-5")
def test_c9_a_credit_note_of_an_unpaid_period_waits_and_is_not_called_unpaid(contributions, stubs):
    _, ani, budi = stubs
    regular = add_bill(contributions, Period(2021, 2), 10_000_000, date(2021, 3, 15), jht={K1: (370_000, 200_000)})
    note = add_bill(contributions, Period(2021, 2), -57_000, date(2021, 7, 15), kind="CORRECTION", sequence=1,
                    issued_on=date(2021, 6, 1), status="CREDIT", jht={K1: (-37_000, -20_000)})
    posted = ani.PostWorksheet(pb.PostWorksheetRequest(request_id="p-1", worksheet_id=validated(ani, budi, "1").worksheet_id))
    assert (list(posted.postings), list(posted.unpaid_bill_numbers), list(posted.waiting_credit_notes)) == (
        [], [regular], [note])
