"""PUMP through the real gRPC server across the branch and its regional office (W-P-1..W-P-5, O-2, O-4)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.welfare.v1 import loans_pb2, loans_pb2_grpc
from jamsos.welfare.v1 import pump_pb2 as pb
from tests.welfare.service.pump_support import (
    FORMS, approve, bank, check, determine, determined, pump, report, sign, submit, transfer,
)
from tests.welfare.service.support import FINANCE, HEAD, REGIONAL, d, rid, rp, rule_of, violation_code_of


@pytest.mark.rule("W-P-1", "W-P-2", "W-P-3", "W-P-4", "W-P-5")
def test_a_pump_case_from_application_to_the_developers_transfer_and_instalments(welfare):
    welfare.fund()
    npp = welfare.employer()
    a, b = welfare.worker(npp), welfare.worker(npp)
    application = submit(welfare, npp, [a, b])
    assert application.status == pb.PUMP_STATUS_SUBMITTED and application.workers[0].name.startswith("Pekerja")
    assert check(welfare, application.application_id).eligible
    approved = approve(welfare, application.application_id)
    assert approved.approval_letter_number.startswith("PUMP-5/")
    assert approved.requested_bank_document == pb.BANK_DOCUMENT_SP3K  # the developer is in APERSI
    bank(welfare, application.application_id, a)
    report(welfare, application.application_id)
    done = determine(welfare, application.application_id)
    assert done.status == pb.PUMP_STATUS_DETERMINED and list(done.determined_kpjs) == [a]  # PUMP-6a
    assert done.region_code == "KW-SUMBAGUT" and done.determination_number.startswith("PUMP-6/")

    signed = sign(welfare, application.application_id)
    [loan] = signed.loans  # PUMP-7a: one recipient
    # 15,000,000 x 3% x 36/12 = 1,350,000 interest; (15,000,000 + 1,350,000) / 36 = 454,166 r 24: last 454,190
    assert loan.interest.rupiah == 1_350_000
    assert [i.amount.rupiah for i in loan.instalments] == [454_166] * 35 + [454_190]
    assert [(p.kpj, p.monthly_deduction.rupiah, p.months) for p in signed.payroll_deductions] == [(a, 454_166, 36)]

    moved = transfer(welfare, application.application_id)
    assert moved.application.status == pb.PUMP_STATUS_TRANSFERRED
    assert moved.loans[0].status == loans_pb2.LOAN_STATUS_ACTIVE

    loans = welfare.stub(loans_pb2_grpc.LoanServiceStub, "KC-BINJAI", FINANCE)
    paid = loans.RecordRepayment(loans_pb2.RecordRepaymentRequest(
        request_id=rid(), loan_id=loan.loan_id, bank_reference=rid("BRI"), amount=rp(454_166), paid_on=d(date(2025, 6, 30))))
    assert paid.loan.instalments[0].paid.rupiah == 454_166


@pytest.mark.rule("W-P-3", "O-2")
def test_a_branch_user_trying_the_regional_determination_is_refused_naming_the_rule(welfare):
    npp = welfare.employer()
    application = submit(welfare, npp, [welfare.worker(npp)])
    with pytest.raises(grpc.RpcError) as refused:
        determine(welfare, application.application_id, "KC-BINJAI", HEAD)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert refused.value.details().startswith("W-P-3")
    # a regional officer's role held by a branch user grants no regional step either
    with pytest.raises(grpc.RpcError) as refused:
        determine(welfare, application.application_id, "KC-BINJAI", REGIONAL)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED and "W-P-3" in refused.value.details()


@pytest.mark.rule("W-P-4", "O-2")
def test_only_the_branch_signs_and_only_the_region_transfers(welfare):
    npp = welfare.employer()
    kpj = welfare.worker(npp)
    application = determined(welfare, npp, [kpj])
    with pytest.raises(grpc.RpcError) as refused:
        sign(welfare, application.application_id, "KW-SUMBAGUT", HEAD)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED and refused.value.details().startswith("W-P-4")
    sign(welfare, application.application_id)
    with pytest.raises(grpc.RpcError) as refused:
        transfer(welfare, application.application_id, "KC-BINJAI", FINANCE)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED and refused.value.details().startswith("W-P-4")


@pytest.mark.rule("O-2", "W-P-3")
def test_another_regions_officer_finds_no_such_application(welfare):
    npp = welfare.employer()
    application = submit(welfare, npp, [welfare.worker(npp)])
    for application_id in (application.application_id, "0190aaaa-0000-7000-8000-000000000001"):
        with pytest.raises(grpc.RpcError) as hidden:
            determine(welfare, application_id, "KW-DKI")
        assert hidden.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("W-P-2")
def test_an_incomplete_file_gets_the_rejection_letter_with_every_reason(welfare):
    npp = welfare.employer(good=False)
    application = submit(welfare, npp, [welfare.worker(npp), "12345678901"], forms=FORMS[:2])
    checked = check(welfare, application.application_id)
    assert not checked.eligible
    assert checked.application.status == pb.PUMP_STATUS_REJECTED
    assert {(r.rule_id, r.code) for r in checked.reasons} == {
        ("W-P-1", "DOCUMENTS_MISSING"), ("W-P-2", "EMPLOYER_NOT_IN_GOOD_STANDING"), ("W-P-2", "WORKER_UNKNOWN")}


@pytest.mark.rule("W-P-2")
def test_a_rei_developers_buyer_brings_the_credit_agreement_not_an_sp3k(welfare):
    npp = welfare.employer()
    kpj = welfare.worker(npp)
    application = submit(welfare, npp, [kpj], association=pb.DEVELOPER_ASSOCIATION_REI)
    check(welfare, application.application_id)
    assert approve(welfare, application.application_id).requested_bank_document == pb.BANK_DOCUMENT_CREDIT_AGREEMENT
    with pytest.raises(grpc.RpcError) as wrong:
        bank(welfare, application.application_id, kpj, pb.BANK_DOCUMENT_SP3K)
    assert (rule_of(wrong.value), violation_code_of(wrong.value)) == ("W-P-2", "WRONG_BANK_DOCUMENT")


@pytest.mark.rule("W-P-4")
def test_the_transfer_never_exceeds_the_regions_fund(welfare):
    npp = welfare.employer(branch="KC-JAKSEL")
    kpj = welfare.worker(npp, branch="KC-JAKSEL")
    application = submit(welfare, npp, [kpj], office="KC-JAKSEL")
    check(welfare, application.application_id, "KC-JAKSEL")
    approve(welfare, application.application_id, "KC-JAKSEL")
    bank(welfare, application.application_id, kpj, office="KC-JAKSEL")
    report(welfare, application.application_id, "KC-JAKSEL")
    determine(welfare, application.application_id, "KW-DKI")
    sign(welfare, application.application_id, "KC-JAKSEL")
    welfare.fund(region="KW-DKI", amount=14_999_999)
    with pytest.raises(grpc.RpcError) as refused:
        transfer(welfare, application.application_id, "KW-DKI")
    assert (rule_of(refused.value), violation_code_of(refused.value)) == ("W-P-4", "FUND_BALANCE_INSUFFICIENT")
    still = pump(welfare, "KC-JAKSEL").GetPumpApplication(pb.GetPumpApplicationRequest(
        application_id=application.application_id)).application
    assert still.status == pb.PUMP_STATUS_AGREEMENT_SIGNED  # nothing half-written
    welfare.fund(region="KW-DKI", amount=1)
    assert transfer(welfare, application.application_id, "KW-DKI").application.status == pb.PUMP_STATUS_TRANSFERRED


@pytest.mark.rule("W-P-1")
def test_a_term_over_the_maximum_is_refused_at_once(welfare):
    npp = welfare.employer()
    with pytest.raises(grpc.RpcError) as refused:
        submit(welfare, npp, [welfare.worker(npp)], term=61)
    assert (rule_of(refused.value), violation_code_of(refused.value)) == ("W-P-1", "TERM_OVER_MAXIMUM")


def test_a_worker_listed_twice_is_bad_input(welfare):
    npp = welfare.employer()
    kpj = welfare.worker(npp)
    with pytest.raises(grpc.RpcError) as bad:
        submit(welfare, npp, [kpj, kpj])
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "workers[1].kpj" in bad.value.details()
