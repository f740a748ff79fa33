"""C-6, C-8: penalties are collected, not only computed.

A payment pays contributions first (the named bill, then oldest), then penalties oldest
first, and keeps the rest as credit; the employer's credit pays them the same way. An
unpaid penalty is owed from the day it is assessed and ages in arrears like a bill, so the
employer is not in good standing until it is paid. A correction cannot go below what was
already paid of a penalty.

The penalty of every test: Rp10,000,000 for February 2021 due 15 March, paid 20 April:
2 started months late x 2% x 10,000,000 = Rp400,000, assessed on 30 June (the test's today).
"""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.contributions.v1 import payments_pb2, payments_pb2_grpc, penalties_pb2 as pb, penalties_pb2_grpc
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc, standing_pb2, standing_pb2_grpc
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import BINJAI, NPP, add_bill, add_employer, d, rp, rule_of, set_today


class Branch:
    def __init__(self, as_user):
        self.finance = as_user(BINJAI, "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub)
        self.standing = as_user(BINJAI, "ADMINISTRATION_OFFICER")(standing_pb2_grpc.StandingServiceStub)
        self.ani = as_user(BINJAI, "ADMINISTRATION_OFFICER", user="ani")(penalties_pb2_grpc.PenaltyServiceStub)
        self.siti = as_user(BINJAI, "BRANCH_HEAD", user="siti")(penalties_pb2_grpc.PenaltyServiceStub)

    def pay(self, reference: str, amount: int, on: date, bill_number: str = "") -> payments_pb2.RecordPaymentResponse:
        return self.finance.RecordPayment(payments_pb2.RecordPaymentRequest(
            request_id=reference, bank_reference=reference, amount=rp(amount), paid_on=d(on), npp=NPP,
            bill_number=bill_number))

    def penalty(self, penalty_id: str) -> pb.Penalty:
        return self.ani.GetPenalty(pb.GetPenaltyRequest(penalty_id=penalty_id)).penalty

    def standing_on(self, day: date) -> standing_pb2.Standing:
        return self.standing.GetStanding(standing_pb2.GetStandingRequest(npp=NPP, as_of=d(day))).standing

    def correct(self, penalty_id: str, amount: int, tag: str) -> pb.Penalty:
        correction = self.ani.RequestPenaltyCorrection(pb.RequestPenaltyCorrectionRequest(
            request_id=f"c-{tag}", penalty_id=penalty_id, new_amount=rp(amount), reason="bank stamp")).correction
        return self.siti.ApprovePenaltyCorrection(pb.ApprovePenaltyCorrectionRequest(
            request_id=f"a-{tag}", correction_id=correction.correction_id)).penalty


@pytest.fixture
def branch(contributions, as_user):
    add_employer(contributions)
    set_today(contributions, date(2021, 6, 30))
    add_bill(contributions, Period(2021, 2), 10_000_000, date(2021, 3, 15))
    return Branch(as_user)


def owed(standing) -> tuple[bool, bool, int]:
    return standing.in_arrears, standing.good_standing, standing.arrears.rupiah


@pytest.mark.rule("C-6", "C-8")
def test_c6_an_unpaid_penalty_is_owed_ages_in_arrears_and_is_paid_by_the_next_money(contributions, branch):
    settled = branch.pay("BNI-1", 10_000_000, date(2021, 4, 20))
    [penalty] = settled.penalties
    assert (penalty.amount.rupiah, penalty.paid.rupiah, penalty.outstanding.rupiah) == (400_000, 0, 400_000)
    assert list(settled.penalty_payments) == []  # nothing was left to pay it with
    assert owed(branch.standing_on(date(2021, 6, 30))) == (False, True, 0)  # due the day it is assessed
    july = branch.standing_on(date(2021, 7, 31))  # 31 days past due: the 31-60 bucket
    assert owed(july) == (True, False, 400_000)
    assert [(b.bucket, b.amount.rupiah) for b in july.buckets if b.amount.rupiah] == [
        (standing_pb2.AGEING_BUCKET_DAYS_31_60, 400_000)]

    set_today(contributions, date(2021, 7, 6))
    part = branch.pay("BNI-2", 150_000, date(2021, 7, 5))  # no open bill: all of it to the penalty
    assert [(p.penalty_id, p.amount.rupiah, p.from_credit) for p in part.penalty_payments] == [
        (penalty.penalty_id, 150_000, False)]
    assert (branch.penalty(penalty.penalty_id).outstanding.rupiah, part.employer_credit.rupiah) == (250_000, 0)
    rest = branch.pay("BNI-3", 300_000, date(2021, 7, 6))  # 250,000 pays it off, 50,000 stays as credit
    assert [p.amount.rupiah for p in rest.penalty_payments] == [250_000] and rest.employer_credit.rupiah == 50_000
    paid_off = branch.penalty(penalty.penalty_id)
    assert (paid_off.paid.rupiah, paid_off.outstanding.rupiah, paid_off.settled_on.day) == (400_000, 0, 6)
    assert owed(branch.standing_on(date(2021, 7, 31))) == (False, True, 0)


@pytest.mark.rule("C-6", "C-7")
def test_c6_a_payment_pays_contributions_first_then_penalties(contributions, branch):
    [penalty] = branch.pay("BNI-1", 10_000_000, date(2021, 4, 20)).penalties
    march = add_bill(contributions, Period(2021, 6), 5_000_000, date(2021, 7, 15))
    # 5,200,000 naming nothing: the June contribution (5,000,000) first, 200,000 to the penalty.
    response = branch.pay("BNI-2", 5_200_000, date(2021, 6, 30))
    assert [(b.bill_number, b.paid.rupiah) for b in response.bills] == [(march, 5_000_000)]
    assert [p.amount.rupiah for p in response.penalty_payments] == [200_000]
    assert branch.penalty(penalty.penalty_id).outstanding.rupiah == 200_000
    # 100,000 more than a contribution it names pays that contribution, never the penalty first.
    july = add_bill(contributions, Period(2021, 7), 1_000_000, date(2021, 8, 16))
    partial = branch.pay("BNI-3", 600_000, date(2021, 6, 30), bill_number=july)
    assert [(b.bill_number, b.paid.rupiah) for b in partial.bills] == [(july, 600_000)]
    assert list(partial.penalty_payments) == []


@pytest.mark.rule("C-6", "C-5")
def test_c6_the_credit_a_late_payment_leaves_pays_the_penalty_it_caused(branch):
    response = branch.pay("BNI-1", 10_500_000, date(2021, 4, 20))  # 500,000 more than the bill
    [penalty] = response.penalties
    assert [(p.penalty_id, p.amount.rupiah, p.from_credit, p.source_id) for p in response.penalty_payments] == [
        (penalty.penalty_id, 400_000, True, response.payment.payment_id)]
    # Reached on the later of the payment and the assessment (30 June).
    assert response.penalty_payments[0].paid_on == d(date(2021, 6, 30))
    assert response.employer_credit.rupiah == 100_000
    assert branch.penalty(penalty.penalty_id).outstanding.rupiah == 0


@pytest.mark.rule("C-7", "O-4")
def test_c7_a_correction_cannot_go_below_what_was_paid_and_a_lower_one_settles_the_penalty(contributions, branch):
    [penalty] = branch.pay("BNI-1", 10_000_000, date(2021, 4, 20)).penalties
    branch.pay("BNI-2", 150_000, date(2021, 6, 30))
    with pytest.raises(grpc.RpcError) as err:
        branch.correct(penalty.penalty_id, 100_000, "below")
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "C-7"
    assert "150,000" in err.value.details()
    corrected = branch.correct(penalty.penalty_id, 150_000, "to-paid")  # lowered to exactly what was paid
    assert (corrected.amount.rupiah, corrected.outstanding.rupiah, corrected.settled_on) == (150_000, 0, d(date(2021, 6, 30)))
    assert owed(branch.standing_on(date(2021, 9, 30))) == (False, True, 0)


@pytest.mark.rule("C-6", "C-5")
def test_c6_the_spi_shows_the_penalties_unpaid_when_it_was_issued(contributions, branch, as_user):
    [penalty] = branch.pay("BNI-1", 10_000_000, date(2021, 4, 20)).penalties
    june = add_bill(contributions, Period(2021, 6), 5_000_000, date(2021, 7, 15))
    billing = as_user(BINJAI, "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    render = lambda: billing.RenderSpi(billing_pb2.RenderSpiRequest(  # noqa: E731
        bill_number=june, format=billing_pb2.SPI_FORMAT_TEXT)).content.decode()
    text = render()
    assert "DENDA BELUM DIBAYAR (C-6)" in text
    assert f"{penalty.bill_number:<24} 2021-02  {'400.000':>14}" in text
    assert "TOTAL TAGIHAN            : Rp 5.400.000" in text  # 5,000,000 contribution + 400,000 penalty
    assert render() == text  # reproducible


def test_a_bill_balance_carries_its_status_as_an_enum_beside_the_old_string(branch):
    balance = branch.pay("BNI-1", 10_000_000, date(2021, 4, 20)).bills[0]
    assert (balance.status, balance.status_code) == ("PAID", billing_pb2.BILL_STATUS_PAID)
