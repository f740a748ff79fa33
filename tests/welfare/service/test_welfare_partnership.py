"""Partnership program loans through the real gRPC server (W-M-1, W-M-2, O-2)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.welfare.v1 import common_pb2, fund_pb2
from jamsos.welfare.v1 import loan_applications_pb2 as la
from jamsos.welfare.v1 import loan_applications_pb2_grpc as la_grpc
from tests.welfare.service.coop_support import approve, check, disburse, sign, steps
from tests.welfare.service.support import ADMIN, d, rid, rp, rule_of, violation_code_of

DOCS = [common_pb2.DOCUMENT_KIND_BUSINESS_LICENCE, common_pb2.DOCUMENT_KIND_FINANCIAL_REPORT]


def business(**overrides) -> la.SmallBusiness:
    fields = dict(name="UD Maju Jaya", legal_form=la.LEGAL_FORM_INDIVIDUAL, indonesian_owned=True, independent=True,
                  started_on=d(date(2022, 5, 1)), net_assets_excluding_land_and_buildings=rp(150_000_000),
                  annual_sales=rp(800_000_000), has_prospects=True)
    fields.update(overrides)
    return la.SmallBusiness(**fields)


def submit(welfare, office: str = "KC-BINJAI", branch: str = "KC-BINJAI", kind=la.PARTNERSHIP_LOAN_KIND_ORDINARY,
           term: int = 24, reference: str = "", documents=DOCS, **business_overrides) -> la.LoanApplication:
    return welfare.stub(la_grpc.PartnershipLoanServiceStub, office, ADMIN).SubmitPartnershipLoan(
        la.SubmitPartnershipLoanRequest(request_id=rid(), branch_code=branch, submitted_on=d(date(2025, 6, 2)),
                                        proposal=la.PartnershipLoanProposal(
                                            business=business(**business_overrides), kind=kind, amount=rp(50_000_000),
                                            term_months=term, partner_order_reference=reference,
                                            documents=documents))).application


@pytest.mark.rule("W-M-1", "W-M-2")
def test_an_ordinary_loan_to_a_small_business_from_the_partnership_fund(welfare):
    welfare.fund(fund=fund_pb2.FUND_PARTNERSHIP, amount=60_000_000)
    application = submit(welfare)
    # 50,000,000 x 6% x 24/12 = 6,000,000; (50,000,000 + 6,000,000) / 24 = 2,333,333 (last 2,333,341)
    assert application.interest.rupiah == 6_000_000 and application.monthly_instalment.rupiah == 2_333_333
    assert check(welfare, application.application_id).eligible
    approve(welfare, application.application_id)
    loan = sign(welfare, application.application_id).loan
    assert loan.instalments[-1].amount.rupiah == 56_000_000 - 23 * 2_333_333
    disbursed = disburse(welfare, application.application_id)
    assert disbursed.loan.status and disbursed.application.status == la.LOAN_APPLICATION_STATUS_DISBURSED


@pytest.mark.rule("W-M-2")
def test_a_business_that_is_not_small_nor_independent_is_rejected_with_both_reasons(welfare):
    application = submit(welfare, independent=False, net_assets_excluding_land_and_buildings=rp(200_000_001),
                         annual_sales=rp(1_000_000_001))
    checked = check(welfare, application.application_id)
    assert {(r.rule_id, r.code) for r in checked.reasons} == {("W-M-2", "NOT_A_SMALL_BUSINESS"),
                                                             ("W-M-2", "NOT_INDEPENDENT")}


@pytest.mark.rule("W-M-1")
def test_a_special_loan_longer_than_its_term_is_refused_at_once(welfare):
    with pytest.raises(grpc.RpcError) as refused:
        submit(welfare, kind=la.PARTNERSHIP_LOAN_KIND_SPECIAL, term=13, reference="PO-2025-17")
    assert (rule_of(refused.value), violation_code_of(refused.value)) == ("W-M-1", "TERM_OVER_MAXIMUM")


@pytest.mark.rule("O-2")
def test_a_branch_receives_applications_for_itself_only(welfare):
    with pytest.raises(grpc.RpcError) as refused:
        submit(welfare, office="KC-BINJAI", branch="KC-MEDAN")
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    mine = submit(welfare)
    listed = steps(welfare, "KC-MEDAN").ListLoanApplications(la.ListLoanApplicationsRequest())
    assert all(a.application_id != mine.application_id for a in listed.applications)
