"""Builders of cooperative loan proposals for the service tests (W-K-1..W-K-3)."""
from __future__ import annotations

from datetime import date

from jamsos.welfare.v1 import common_pb2
from jamsos.welfare.v1 import loan_applications_pb2 as la
from jamsos.welfare.v1 import loan_applications_pb2_grpc as la_grpc
from tests.welfare.service.support import ADMIN, FINANCE, HEAD, SERVICE, d, rid, rp

ALL_DOCUMENTS = [common_pb2.DocumentKind.Value(f"DOCUMENT_KIND_{name}") for name in (
    "PROPOSAL_SIGNED_BY_CHAIR_AND_SECRETARY", "MANAGEMENT_ACKNOWLEDGEMENT", "DEED_OF_ESTABLISHMENT",
    "ARTICLES_OF_ASSOCIATION", "BOARD_LIST", "BOARD_ID_COPIES", "AUDITED_BALANCE_SHEET", "POWER_OF_ATTORNEY",
    "BANK_STATEMENTS_3_MONTHS")]
SUBMITTED = date(2025, 6, 2)


def cooperative(**overrides) -> la.Cooperative:
    fields = dict(name="Koperasi Karyawan Sawit Makmur", founded_on=d(date(2018, 3, 1)), active=True,
                  has_deed_of_establishment=True, registered=True, in_good_standing=True,
                  audited_financial_statements=True, management_support=True, workers_cooperative_of_employer=True,
                  total_assets=rp(500_000_000))
    fields.update(overrides)
    return la.Cooperative(**fields)


def proposal(amount: int = 120_000_000, term: int = 48, collateral: int = 132_000_000, documents=None,
             **cooperative_overrides) -> la.CooperativeLoanProposal:
    return la.CooperativeLoanProposal(cooperative=cooperative(**cooperative_overrides), amount=rp(amount),
                                      term_months=term, collateral_value=rp(collateral),
                                      documents=ALL_DOCUMENTS if documents is None else documents)


def propose(welfare, npp: str, office: str = "KC-BINJAI", submitted: date = SUBMITTED, **kwargs) -> la.LoanApplication:
    stub = welfare.stub(la_grpc.CooperativeLoanServiceStub, office, ADMIN)
    return stub.ProposeCooperativeLoan(la.ProposeCooperativeLoanRequest(
        request_id=rid("coop"), npp=npp, proposal=proposal(**kwargs), submitted_on=d(submitted))).application


def steps(welfare, office: str = "KC-BINJAI", *roles: str, user: str | None = None):
    return welfare.stub(la_grpc.LoanApplicationServiceStub, office, *(roles or (ADMIN,)), user=user)


def check(welfare, application_id: str, office: str = "KC-BINJAI") -> la.CheckLoanApplicationResponse:
    return steps(welfare, office, SERVICE, user="checker").CheckLoanApplication(
        la.CheckLoanApplicationRequest(request_id=rid("check"), application_id=application_id))


def approve(welfare, application_id: str, office: str = "KC-BINJAI", user: str = "head") -> la.LoanApplication:
    return steps(welfare, office, HEAD, user=user).ApproveLoanApplication(
        la.ApproveLoanApplicationRequest(request_id=rid("approve"), application_id=application_id)).application


def sign(welfare, application_id: str, first_due: date = date(2025, 7, 10), office: str = "KC-BINJAI"
         ) -> la.SignLoanAgreementResponse:
    """Signed today (TODAY, 30 June 2025); the first instalment falls due on `first_due`."""
    return steps(welfare, office, HEAD, user="head").SignLoanAgreement(la.SignLoanAgreementRequest(
        request_id=rid("sign"), application_id=application_id, first_due_date=d(first_due)))


def disburse(welfare, application_id: str, office: str = "KC-BINJAI") -> la.DisburseLoanResponse:
    """Transferred today (TODAY)."""
    return steps(welfare, office, FINANCE).DisburseLoan(la.DisburseLoanRequest(
        request_id=rid("disburse"), application_id=application_id, transfer_reference=rid("TRF")))


def agreed_loan(welfare, npp: str, **kwargs) -> tuple[la.LoanApplication, str]:
    """A proposal checked, approved and signed: (application, loan id)."""
    application = propose(welfare, npp, **kwargs)
    check(welfare, application.application_id)
    approve(welfare, application.application_id)
    signed = sign(welfare, application.application_id)
    return signed.application, signed.loan.loan_id
