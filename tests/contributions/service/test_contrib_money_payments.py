"""Payments: matching, partial payments, credit, suspense, duplicates, C-6 penalties, O-2."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.contributions.v1 import events_pb2, payments_pb2 as pb, payments_pb2_grpc
from services.chassis.consumer import EventApplier
from services.chassis.events import make_envelope
from services.contributions.application.payments import consumers as payment_consumers
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import (
    BINJAI, MEDAN, NPP, OTHER_NPP, add_bill, add_employer, bill, d, events, rp,
)



def record(stub, ref: str, amount: int, paid_on: date, npp: str = NPP, bill_number: str = "", **extra):
    return stub.RecordPayment(pb.RecordPaymentRequest(request_id=f"r-{ref}", bank_reference=ref, amount=rp(amount),
                                                      paid_on=d(paid_on), npp=npp, bill_number=bill_number, **extra))


@pytest.mark.rule("C-6")
def test_c6_bill_paid_two_started_months_late_carries_2_percent_a_month(contributions, payments):
    number = add_bill(contributions, Period(2021, 2), 10_000_000, date(2021, 3, 15))
    response = record(payments, "BNI-1", 10_000_000, date(2021, 4, 20))
    # 15 Mar -> 15 Apr is one month, 5 days more start a second: 2% x 2 x 10,000,000.
    [penalty] = response.penalties
    assert (penalty.amount.rupiah, penalty.months_late, penalty.penalty_bp_per_month) == (400_000, 2, 200)
    assert penalty.late_contribution.rupiah == 10_000_000
    row = bill(contributions, number)
    assert (row.status, row.paid_rupiah, row.settled_on) == ("PAID", 10_000_000, date(2021, 4, 20))
    [event] = events(contributions, events_pb2.PenaltyAssessed)
    assert (event.bill_number, event.amount.rupiah, event.months_late) == (number, 400_000, 2)


@pytest.mark.rule("C-6")
def test_c6_period_2020_09_uses_the_pp49_2020_rate_of_half_a_percent(contributions, payments):
    add_bill(contributions, Period(2020, 9), 10_000_000, date(2020, 10, 30))
    [penalty] = record(payments, "BNI-2", 10_000_000, date(2020, 12, 5)).penalties
    # 30 Oct -> 30 Nov one month, 5 Dec starts the second: 0.5% x 2 x 10,000,000.
    assert (penalty.amount.rupiah, penalty.months_late, penalty.penalty_bp_per_month) == (100_000, 2, 50)


@pytest.mark.rule("C-6")
def test_c6_no_penalty_on_a_bill_paid_on_its_due_date(contributions, payments):
    add_bill(contributions, Period(2021, 2), 10_000_000, date(2021, 3, 15))
    response = record(payments, "BNI-3", 10_000_000, date(2021, 3, 15))
    assert list(response.penalties) == [] and events(contributions, events_pb2.PenaltyAssessed) == []
    assert response.bills[0].status == "PAID"


@pytest.mark.rule("C-6")
def test_c6_partial_payments_each_part_carries_its_own_months_late(contributions, payments):
    number = add_bill(contributions, Period(2021, 2), 10_000_000, date(2021, 3, 15))
    first = record(payments, "BNI-4", 6_000_000, date(2021, 3, 10))
    assert (first.bills[0].outstanding.rupiah, first.bills[0].status) == (4_000_000, "OPEN")
    assert list(first.penalties) == []
    second = record(payments, "BNI-5", 4_000_000, date(2021, 4, 20))
    # Only the 4,000,000 paid late carries the penalty: 2% x 2 x 4,000,000.
    assert [(p.amount.rupiah, p.late_contribution.rupiah) for p in second.penalties] == [(160_000, 4_000_000)]
    assert bill(contributions, number).status == "PAID"


@pytest.mark.rule("C-7")
def test_c7_named_bill_first_then_oldest_and_overpayment_kept_as_credit(contributions, payments):
    january = add_bill(contributions, Period(2021, 1), 1_000_000, date(2021, 2, 15))
    february = add_bill(contributions, Period(2021, 2), 800_000, date(2021, 3, 15))
    response = record(payments, "BNI-6", 2_300_000, date(2021, 2, 10), bill_number=february)
    assert [(a.bill_number, a.amount.rupiah) for a in response.payment.allocations] == [
        (february, 800_000), (january, 1_000_000)]
    assert response.payment.credit.rupiah == 500_000 and response.employer_credit.rupiah == 500_000
    [posted] = events(contributions, events_pb2.PaymentPosted)
    assert (posted.credit.rupiah, posted.unmatched) == (500_000, False)


@pytest.mark.rule("C-7")
def test_c7_credit_pays_the_next_bill_before_new_money(contributions, payments):
    add_bill(contributions, Period(2021, 1), 1_000_000, date(2021, 2, 15))
    record(payments, "BNI-7", 1_500_000, date(2021, 2, 10))
    march = add_bill(contributions, Period(2021, 3), 800_000, date(2021, 4, 15))
    response = record(payments, "BNI-8", 300_000, date(2021, 4, 12))
    assert [(a.bill_number, a.amount.rupiah, a.from_credit) for a in response.credit_applied] == [(march, 500_000, True)]
    assert response.bills[0].status == "PAID" and response.employer_credit.rupiah == 0


@pytest.mark.rule("C-7")
def test_c7_bill_issued_event_applies_the_employers_credit(contributions, payments):
    add_bill(contributions, Period(2021, 1), 1_000_000, date(2021, 2, 15))
    record(payments, "BNI-9", 1_250_000, date(2021, 2, 10))
    march = add_bill(contributions, Period(2021, 3), 250_000, date(2021, 4, 15))
    event = make_envelope(events_pb2.BillIssued(bill_number=march, npp=NPP, branch_code=BINJAI),
                          aggregate_type="employer", aggregate_id=NPP, branch_code=BINJAI, producer="contributions")
    [spec] = payment_consumers(contributions.app.payments)
    applier = EventApplier(spec.name, "contributions", spec.registry, contributions.app.ctx.base.unit_of_work)
    assert applier.apply(event) == "applied" and applier.apply(event) == "duplicate"
    # The credit reached the bill when it was issued (1 April), before its due date.
    assert (bill(contributions, march).status, bill(contributions, march).settled_on) == ("PAID", date(2021, 4, 1))


@pytest.mark.rule("C-7")
def test_c7_unknown_employer_is_kept_in_suspense_then_assigned(contributions, payments):
    number = add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    response = record(payments, "BRI-1", 1_000_000, date(2021, 3, 1), npp="99999999", branch_code=BINJAI)
    assert response.payment.status == pb.PAYMENT_STATUS_SUSPENSE
    assert "99999999" in response.payment.suspense_reason and not response.payment.allocations
    assert events(contributions, events_pb2.PaymentPosted)[0].unmatched is True
    suspense = payments.ListPayments(pb.ListPaymentsRequest(branch_code=BINJAI, status=pb.PAYMENT_STATUS_SUSPENSE))
    assert [p.bank_reference for p in suspense.payments] == ["BRI-1"]
    assigned = payments.AssignSuspensePayment(pb.AssignSuspensePaymentRequest(
        request_id="a-1", payment_id=response.payment.payment_id, npp=NPP))
    assert assigned.payment.status == pb.PAYMENT_STATUS_MATCHED and assigned.bills[0].bill_number == number
    assert bill(contributions, number).status == "PAID"
    with pytest.raises(grpc.RpcError) as again:
        payments.AssignSuspensePayment(pb.AssignSuspensePaymentRequest(
            request_id="a-2", payment_id=response.payment.payment_id, npp=NPP))
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION and again.value.details().startswith("C-7")


@pytest.mark.rule("C-7")
def test_c7_a_payment_naming_a_bill_its_employer_does_not_owe_goes_to_suspense(contributions, payments):
    add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    response = record(payments, "BRI-2", 1_000_000, date(2021, 3, 1), bill_number="SPI-202001-99000001")
    assert response.payment.status == pb.PAYMENT_STATUS_SUSPENSE and response.payment.npp == NPP


def test_duplicate_bank_reference_is_already_exists_and_a_retry_changes_nothing(contributions, payments):
    add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    first = record(payments, "BNI-10", 400_000, date(2021, 3, 1))
    assert record(payments, "BNI-10", 400_000, date(2021, 3, 1)) == first  # same request id: same answer
    with pytest.raises(grpc.RpcError) as err:
        payments.RecordPayment(pb.RecordPaymentRequest(request_id="other", bank_reference="BNI-10", amount=rp(400_000),
                                                       paid_on=d(date(2021, 3, 1)), npp=NPP))
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert len(events(contributions, events_pb2.PaymentPosted)) == 1


def test_bad_amount_or_future_date_is_invalid_argument_naming_the_field(contributions, payments):
    for amount, paid_on, field in ((0, date(2021, 3, 1), "amount"), (-5, date(2021, 3, 1), "amount"),
                                   (1000, date(2021, 7, 1), "paid_on")):  # today is 30 June 2021
        with pytest.raises(grpc.RpcError) as err:
            record(payments, f"BNI-{amount}", amount, paid_on)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and err.value.details().startswith(field)


@pytest.mark.rule("O-2")
def test_o2_another_branchs_bill_or_employer_is_treated_as_unknown(contributions, payments, as_user):
    """Paying another branch's bill or employer answers exactly as paying one never issued:
    without a receiving branch it is refused the same way; with one it waits in suspense."""
    add_employer(contributions, OTHER_NPP, MEDAN)
    medan_bill = add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15), npp=OTHER_NPP, branch=MEDAN)
    hidden_and_absent = [({"bill_number": medan_bill}, {"bill_number": "SPI-202102-99999998"}),
                         ({"npp": OTHER_NPP}, {"npp": "99999998"})]
    for hidden, absent in hidden_and_absent:
        answers = []
        for kwargs in (hidden, absent):
            with pytest.raises(grpc.RpcError) as err:
                record(payments, f"X-{sorted(kwargs.values())[0]}", 1_000_000, date(2021, 3, 1), **{"npp": "", **kwargs})
            answers.append((err.value.code(), err.value.details()))
        assert answers[0] == answers[1] and answers[0][0] == grpc.StatusCode.INVALID_ARGUMENT
        kept = record(payments, f"S-{sorted(hidden.values())[0]}", 1_000, date(2021, 3, 1),
                      **{"npp": "", **hidden, "branch_code": BINJAI}).payment
        assert kept.status == pb.PAYMENT_STATUS_SUSPENSE and kept.branch_code == BINJAI and not kept.allocations
    marketing = as_user(BINJAI, "MARKETING_OFFICER")(payments_pb2_grpc.PaymentServiceStub)
    with pytest.raises(grpc.RpcError) as err:
        record(marketing, "X-3", 1_000, date(2021, 3, 1))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED  # O-3: not a finance or administration officer
    medan = as_user(MEDAN, "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub)
    with pytest.raises(grpc.RpcError) as err:
        medan.ListPayments(pb.ListPaymentsRequest(branch_code=BINJAI))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_bank_statement_import_reports_each_line_and_is_safe_to_resend(contributions, payments, as_user):
    add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    lines = [pb.BankStatementLine(bank_reference="ST-1", amount=rp(1_000_000), paid_on=d(date(2021, 3, 2)), npp=NPP),
             pb.BankStatementLine(bank_reference="ST-2", amount=rp(0), paid_on=d(date(2021, 3, 2)), npp=NPP),
             pb.BankStatementLine(bank_reference="ST-3", amount=rp(50_000), paid_on=d(date(2021, 3, 3)),
                                  npp="NN404"),
             pb.BankStatementLine(bank_reference="ST-1", amount=rp(1_000_000), paid_on=d(date(2021, 3, 2)), npp=NPP)]
    request = pb.ImportBankStatementRequest(request_id="st-a", branch_code=BINJAI, lines=lines)
    first = payments.ImportBankStatement(request)
    O = pb.StatementLineOutcome
    assert [r.outcome for r in first.results] == [O.STATEMENT_LINE_OUTCOME_RECORDED, O.STATEMENT_LINE_OUTCOME_REJECTED,
                                                   O.STATEMENT_LINE_OUTCOME_RECORDED, O.STATEMENT_LINE_OUTCOME_DUPLICATE]
    assert "amount" in first.results[1].reason and first.results[2].status == pb.PAYMENT_STATUS_SUSPENSE
    assert (first.recorded, first.duplicates, first.rejected) == (2, 1, 1)
    assert payments.ImportBankStatement(request) == first
    request.request_id = "st-b"
    resent = payments.ImportBankStatement(request)
    assert (resent.recorded, resent.duplicates, resent.rejected) == (0, 3, 1)
    assert len(events(contributions, events_pb2.PaymentPosted)) == 2
    head_office = as_user("KP", "HEAD_OFFICE_AUDITOR")(payments_pb2_grpc.PaymentServiceStub)
    assert len(head_office.ListPayments(pb.ListPaymentsRequest()).payments) == 2
