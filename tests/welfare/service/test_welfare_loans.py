"""Repayments, arrears and late instalments through the real gRPC server (W-K-3, W-P-5, O-2)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.welfare.v1 import fund_pb2, fund_pb2_grpc, loans_pb2, loans_pb2_grpc
from services.welfare.adapters.tables import loan_repayments
from tests.welfare.service.coop_support import agreed_loan, disburse
from tests.welfare.service.support import ADMIN, FINANCE, d, rid, rp, rule_of, violation_code_of


def loans(welfare, office: str = "KC-BINJAI", *roles: str):
    return welfare.stub(loans_pb2_grpc.LoanServiceStub, office, *(roles or (FINANCE,)))


def repay(welfare, loan_id: str, amount: int, reference: str | None = None, request_id: str | None = None,
          paid_on: date = date(2025, 6, 30)):
    return loans(welfare).RecordRepayment(loans_pb2.RecordRepaymentRequest(
        request_id=request_id or rid(), loan_id=loan_id, bank_reference=reference or rid("BNI"), amount=rp(amount),
        paid_on=d(paid_on)))


@pytest.fixture(scope="module")
def funded(welfare):
    welfare.fund()
    return welfare


def active_loan(welfare) -> str:
    application, loan_id = agreed_loan(welfare, welfare.employer())
    disburse(welfare, application.application_id)
    return loan_id


def repayments_counted(welfare, reference: str) -> int:
    with welfare.runtime.app.ctx.base.read_session() as session:
        return session.execute(select(func.count()).select_from(loan_repayments)
                               .where(loan_repayments.c.bank_reference == reference)).scalar_one()


@pytest.mark.rule("W-K-3")
def test_the_same_bank_reference_is_counted_once(funded):
    loan_id = active_loan(funded)
    first = repay(funded, loan_id, 2_800_000, reference="BNI-77-001", request_id="pay-77")
    # the same request again: the first answer
    assert repay(funded, loan_id, 2_800_000, reference="BNI-77-001", request_id="pay-77") == first
    # another request naming the same transfer: ALREADY_EXISTS
    with pytest.raises(grpc.RpcError) as again:
        repay(funded, loan_id, 2_800_000, reference="BNI-77-001")
    assert again.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert repayments_counted(funded, "BNI-77-001") == 1
    loan = loans(funded).GetLoan(loans_pb2.GetLoanRequest(loan_id=loan_id)).loan
    assert loan.paid.rupiah == 2_800_000 and loan.outstanding.rupiah == 134_400_000 - 2_800_000


@pytest.mark.rule("W-K-3")
def test_more_than_the_loan_owes_is_refused_and_nothing_is_written(funded):
    loan_id = active_loan(funded)
    with pytest.raises(grpc.RpcError) as refused:
        repay(funded, loan_id, 134_400_001, reference="BNI-OVER-1")  # 120,000,000 + 14,400,000 + 1
    assert (rule_of(refused.value), violation_code_of(refused.value)) == ("W-K-3", "OVERPAYMENT")
    assert repayments_counted(funded, "BNI-OVER-1") == 0


@pytest.mark.rule("W-K-3")
def test_an_agreed_loan_not_yet_transferred_takes_no_repayment(funded):
    _application, loan_id = agreed_loan(funded, funded.employer())
    with pytest.raises(grpc.RpcError) as refused:
        repay(funded, loan_id, 1_000)
    assert violation_code_of(refused.value) == "LOAN_NOT_DISBURSED"


@pytest.mark.rule("W-P-5")
def test_arrears_and_late_instalments_flagged_once_a_month(funded):
    loan_id = active_loan(funded)  # first instalment due 10 Jul 2025, then monthly
    repay(funded, loan_id, 1_000_000)
    loan = loans(funded).GetLoan(loans_pb2.GetLoanRequest(loan_id=loan_id, as_of=d(date(2025, 8, 11)))).loan
    # due 10 Jul and 10 Aug: 2 x 2,800,000 - 1,000,000 = 4,600,000 in arrears
    assert (loan.arrears.rupiah, loan.overdue_instalments) == (4_600_000, 2)
    funded.runtime.app.ctx.today = lambda: date(2025, 8, 11)
    try:
        monitor = loans(funded, "KC-BINJAI", ADMIN)
        flagged = monitor.FlagLateInstalments(loans_pb2.FlagLateInstalmentsRequest(request_id=rid()))
        mine = [(f.number, f.outstanding.rupiah) for f in flagged.flagged if f.loan_id == loan_id]
        assert mine == [(1, 1_800_000), (2, 2_800_000)]
        again = monitor.FlagLateInstalments(loans_pb2.FlagLateInstalmentsRequest(request_id=rid()))
        assert [f for f in again.flagged if f.loan_id == loan_id] == []
    finally:
        funded.runtime.app.ctx.today = lambda: date(2025, 6, 30)


@pytest.mark.rule("W-K-3")
def test_repayments_flow_back_into_the_regions_fund(funded):
    fund = funded.stub(fund_pb2_grpc.FundServiceStub, "KW-SUMBAGUT", "REGIONAL_OFFICER")
    before = fund.GetFundBalance(fund_pb2.GetFundBalanceRequest(region_code="KW-SUMBAGUT", fund=fund_pb2.FUND_DPKP))
    loan_id = active_loan(funded)
    repay(funded, loan_id, 2_800_000)
    after = fund.GetFundBalance(fund_pb2.GetFundBalanceRequest(region_code="KW-SUMBAGUT", fund=fund_pb2.FUND_DPKP))
    # out 120,000,000, back 2,800,000
    assert before.balance.rupiah - after.balance.rupiah == 120_000_000 - 2_800_000


@pytest.mark.rule("O-2")
def test_another_branchs_loan_is_not_found_and_cannot_be_repaid(funded):
    loan_id = active_loan(funded)
    with pytest.raises(grpc.RpcError) as hidden:
        loans(funded, "KC-MEDAN", FINANCE).GetLoan(loans_pb2.GetLoanRequest(loan_id=loan_id))
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as hidden:
        loans(funded, "KC-MEDAN", FINANCE).RecordRepayment(loans_pb2.RecordRepaymentRequest(
            request_id=rid(), loan_id=loan_id, bank_reference=rid(), amount=rp(1), paid_on=d(date(2025, 6, 30))))
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    listed = loans(funded, "KC-MEDAN", FINANCE).ListLoans(loans_pb2.ListLoansRequest())
    assert all(loan.loan_id != loan_id for loan in listed.loans)


def test_bad_input_names_the_field(funded):
    for request, field in (
        (loans_pb2.RecordRepaymentRequest(request_id=rid(), loan_id="x", bank_reference="B", amount=rp(0),
                                          paid_on=d(date(2025, 6, 1))), "amount.rupiah"),
        (loans_pb2.RecordRepaymentRequest(request_id=rid(), loan_id="x", amount=rp(5), paid_on=d(date(2025, 6, 1))),
         "bank_reference"),
        (loans_pb2.RecordRepaymentRequest(request_id=rid(), loan_id="x", bank_reference="B", amount=rp(5)), "paid_on"),
    ):
        with pytest.raises(grpc.RpcError) as bad:
            loans(funded).RecordRepayment(request)
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field in bad.value.details()
