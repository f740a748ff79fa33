"""Cooperative loans through the real gRPC server (W-K-1..W-K-3, O-2, O-4)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.welfare.v1 import loan_applications_pb2 as la
from jamsos.welfare.v1 import loan_applications_pb2_grpc as la_grpc
from tests.welfare.service.coop_support import (
    approve, check, disburse, propose, proposal, sign, steps,
)
from tests.welfare.service.support import ADMIN, HEAD, d, rid, rule_of, violated_fields, violation_code_of


@pytest.mark.rule("W-K-1", "W-K-2", "W-K-3")
def test_a_cooperative_loan_goes_from_proposal_to_transfer_with_its_schedule(welfare):
    welfare.fund()
    npp = welfare.employer()
    application = propose(welfare, npp)
    # W-K-2 by hand: interest 120,000,000 x 3% x 48/12 = 14,400,000; monthly (120,000,000 + 14,400,000) / 48
    # = 2,800,000; collateral at least 120,000,000 x 110% = 132,000,000; limit 500,000,000 x 30% = 150,000,000.
    assert application.interest.rupiah == 14_400_000
    assert application.monthly_instalment.rupiah == 2_800_000
    assert application.required_collateral.rupiah == 132_000_000
    assert application.loan_limit.rupiah == 150_000_000
    assert application.status == la.LOAN_APPLICATION_STATUS_SUBMITTED

    checked = check(welfare, application.application_id)
    assert checked.eligible and list(checked.reasons) == []
    approved = approve(welfare, application.application_id)
    assert approved.status == la.LOAN_APPLICATION_STATUS_APPROVED
    signed = sign(welfare, application.application_id)
    loan = signed.loan
    assert [i.amount.rupiah for i in loan.instalments] == [2_800_000] * 48
    assert sum(i.principal.rupiah for i in loan.instalments) == 120_000_000
    assert (loan.instalments[0].due_date.year, loan.instalments[0].due_date.month) == (2025, 7)
    disbursed = disburse(welfare, application.application_id)
    assert disbursed.application.status == la.LOAN_APPLICATION_STATUS_DISBURSED
    assert disbursed.loan.region_code == "KW-SUMBAGUT"


@pytest.mark.rule("W-K-2")
def test_a_term_of_61_months_is_refused_naming_w_k_2_and_nothing_is_recorded(welfare):
    npp = welfare.employer()
    with pytest.raises(grpc.RpcError) as refused:
        propose(welfare, npp, term=61)
    assert rule_of(refused.value) == "W-K-2"
    assert violation_code_of(refused.value) == "TERM_OVER_MAXIMUM"
    listed = steps(welfare).ListLoanApplications(la.ListLoanApplicationsRequest(branch_code="KC-BINJAI"))
    assert all(a.npp != npp for a in listed.applications)


@pytest.mark.rule("W-K-2")
def test_a_loan_above_30_percent_of_the_assets_is_refused(welfare):
    npp = welfare.employer()
    # 30% of 500,000,000 = 150,000,000; one rupiah more is refused.
    with pytest.raises(grpc.RpcError) as refused:
        propose(welfare, npp, amount=150_000_001, collateral=170_000_000)
    assert (rule_of(refused.value), violation_code_of(refused.value)) == ("W-K-2", "LOAN_ABOVE_ASSET_LIMIT")


@pytest.mark.rule("W-K-1", "W-K-3")
def test_the_check_answers_with_every_reason_that_failed(welfare):
    npp = welfare.employer(registered=date(2025, 1, 6), good=False)
    application = propose(welfare, npp, founded_on=d(date(2024, 12, 1)), has_deed_of_establishment=False,
                          audited_financial_statements=False, documents=[])
    checked = check(welfare, application.application_id)
    assert not checked.eligible
    assert {(r.rule_id, r.code) for r in checked.reasons} == {
        ("W-K-1", "EMPLOYER_REGISTERED_UNDER_1_YEAR"), ("W-K-1", "EMPLOYER_NOT_IN_GOOD_STANDING"),
        ("W-K-1", "COOPERATIVE_FOUNDED_UNDER_1_YEAR"), ("W-K-1", "COOPERATIVE_HAS_NO_DEED"),
        ("W-K-1", "COOPERATIVE_HAS_NO_AUDITED_STATEMENTS"), ("W-K-3", "DOCUMENTS_MISSING")}
    assert checked.application.status == la.LOAN_APPLICATION_STATUS_REJECTED


@pytest.mark.rule("O-4")
def test_the_officer_who_checked_cannot_approve(welfare):
    npp = welfare.employer()
    application = propose(welfare, npp)
    check(welfare, application.application_id)
    with pytest.raises(grpc.RpcError) as refused:
        approve(welfare, application.application_id, user="checker")
    assert (rule_of(refused.value), violation_code_of(refused.value)) == ("O-4", "SAME_PERSON")


@pytest.mark.rule("O-2")
def test_another_branchs_application_is_not_found_as_if_it_did_not_exist(welfare):
    npp = welfare.employer()
    application = propose(welfare, npp)
    for application_id in (application.application_id, "0190aaaa-0000-7000-8000-000000000000"):
        with pytest.raises(grpc.RpcError) as hidden:
            steps(welfare, "KC-MEDAN", ADMIN).GetLoanApplication(
                la.GetLoanApplicationRequest(application_id=application_id))
        assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    # the region reads its branches' applications
    found = steps(welfare, "KW-SUMBAGUT", "REGIONAL_OFFICER").GetLoanApplication(
        la.GetLoanApplicationRequest(application_id=application.application_id))
    assert found.application.npp == npp


@pytest.mark.rule("O-2")
def test_an_unknown_npp_and_another_branchs_employer_are_both_not_found(welfare):
    jaksel = welfare.employer(branch="KC-JAKSEL")
    for npp in (jaksel, "99999999"):
        with pytest.raises(grpc.RpcError) as hidden:
            propose(welfare, npp)
        assert hidden.value.code() == grpc.StatusCode.NOT_FOUND


def test_bad_input_names_the_field(welfare):
    npp = welfare.employer()
    stub = welfare.stub(la_grpc.CooperativeLoanServiceStub, "KC-BINJAI", ADMIN)
    with pytest.raises(grpc.RpcError) as bad:
        stub.ProposeCooperativeLoan(la.ProposeCooperativeLoanRequest(
            request_id=rid(), npp=npp, proposal=proposal(amount=-5)))
    assert violated_fields(bad.value) == {"proposal.amount.rupiah"}
    with pytest.raises(grpc.RpcError) as bad:
        stub.ProposeCooperativeLoan(la.ProposeCooperativeLoanRequest(request_id=rid(), npp=npp))
    assert violated_fields(bad.value) == {"proposal"}


@pytest.mark.rule("W-K-3")
def test_a_loan_is_never_disbursed_beyond_the_funds_balance(welfare):
    npp = welfare.employer(branch="KC-JAKSEL")
    application, _loan_id = agreed_loan_at(welfare, npp, "KC-JAKSEL")
    with pytest.raises(grpc.RpcError) as refused:
        disburse(welfare, application.application_id, office="KC-JAKSEL")
    assert (rule_of(refused.value), violation_code_of(refused.value)) == ("W-K-3", "FUND_BALANCE_INSUFFICIENT")


def agreed_loan_at(welfare, npp: str, office: str):
    application = propose(welfare, npp, office=office)
    check(welfare, application.application_id, office=office)
    approve(welfare, application.application_id, office=office)
    signed = sign(welfare, application.application_id, office=office)
    return signed.application, signed.loan.loan_id


@pytest.mark.rule("W-K-3")
def test_a_regional_user_cannot_sign_the_branch_agreement(welfare):
    npp = welfare.employer()
    application = propose(welfare, npp)
    with pytest.raises(grpc.RpcError) as refused:
        steps(welfare, "KW-SUMBAGUT", HEAD).SignLoanAgreement(la.SignLoanAgreementRequest(
            request_id=rid(), application_id=application.application_id))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "W-K-3" in refused.value.details()


def test_values_at_the_edge_of_int64_and_int32_are_refused_cleanly(welfare):
    npp = welfare.employer()
    stub = welfare.stub(la_grpc.CooperativeLoanServiceStub, "KC-BINJAI", ADMIN)
    huge = proposal()
    huge.amount.rupiah = 2**63 - 1
    with pytest.raises(grpc.RpcError) as bad:
        stub.ProposeCooperativeLoan(la.ProposeCooperativeLoanRequest(request_id=rid(), npp=npp, proposal=huge))
    assert violated_fields(bad.value) == {"proposal.amount.rupiah"}
    longest = proposal(term=2**31 - 1)
    with pytest.raises(grpc.RpcError) as refused:
        stub.ProposeCooperativeLoan(la.ProposeCooperativeLoanRequest(request_id=rid(), npp=npp, proposal=longest))
    assert rule_of(refused.value) == "W-K-2"
