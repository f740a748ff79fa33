"""CooperativeLoanService, PartnershipLoanService and LoanApplicationService protobuf <->
commands and results (W-K-1..W-K-3, W-M-1, W-M-2)."""
from __future__ import annotations

from typing import Any

from jamsos.welfare.v1 import loan_applications_pb2 as pb
from services.chassis.convert import from_date, from_rupiah
from services.chassis.errors import InvalidArgument
from services.welfare.application.loan_applications import (
    ApplicationStep, ApplicationView, DisburseLoan, ListLoanApplications, ProposeCooperativeLoan, SignLoanAgreement,
    SubmitPartnershipLoan,
)
from services.welfare.application.paging import Page
from services.welfare.domain.cooperative_loans import Cooperative, CooperativeLoanProposal
from services.welfare.domain.loan_applications import ApplicationStatus, LoanApplication
from services.welfare.domain.partnership import LegalForm, PartnershipLoanKind, PartnershipLoanProposal, SmallBusiness
from services.welfare.entrypoints.convert import (
    PROGRAM_TO_PROTO, REFERENCE_MAX, day, documents, documents_to_proto, enum_of, identifier, money, next_page,
    optional_day, page_after, positive_int, program_of, reason_to_proto, required_enum, required_text, text,
)
from services.welfare.entrypoints.loans_mapping import loan_to_proto

STATUS_TO_PROTO = {s: getattr(pb, f"LOAN_APPLICATION_STATUS_{s.value}") for s in ApplicationStatus}
STATUS = {v: k for k, v in STATUS_TO_PROTO.items()}
LEGAL_FORM_TO_PROTO = {f: getattr(pb, f"LEGAL_FORM_{f.value}") for f in LegalForm}
LEGAL_FORM = {v: k for k, v in LEGAL_FORM_TO_PROTO.items()}
KIND_TO_PROTO = {k: getattr(pb, f"PARTNERSHIP_LOAN_KIND_{k.value}") for k in PartnershipLoanKind}
KIND = {v: k for k, v in KIND_TO_PROTO.items()}


def npp_of(value: str, field: str = "npp") -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    if not digits:
        raise InvalidArgument.field(field, "required")
    return digits


def _message(parent: Any, name: str, field: str) -> Any:
    """A required sub-message: an unset one is INVALID_ARGUMENT naming it."""
    if not parent.HasField(name):
        raise InvalidArgument.field(field, "required")
    return getattr(parent, name)


# ---- decoding ---------------------------------------------------------------------------------
def cooperative_of(message: pb.Cooperative, at: str) -> Cooperative:
    return Cooperative(
        name=required_text(message.name, f"{at}.name"), founded_on=day(message, "founded_on", f"{at}.founded_on"),
        active=message.active, has_deed_of_establishment=message.has_deed_of_establishment,
        registered=message.registered, in_good_standing=message.in_good_standing,
        audited_financial_statements=message.audited_financial_statements,
        management_support=message.management_support,
        workers_cooperative_of_employer=message.workers_cooperative_of_employer,
        total_assets_rupiah=money(message, "total_assets", f"{at}.total_assets"))


def propose_cooperative_loan(request: pb.ProposeCooperativeLoanRequest) -> ProposeCooperativeLoan:
    npp = npp_of(request.npp)
    p: pb.CooperativeLoanProposal = _message(request, "proposal", "proposal")
    collateral = money(p, "collateral_value", "proposal.collateral_value", positive=False) \
        if p.HasField("collateral_value") else 0
    proposal = CooperativeLoanProposal(
        cooperative=cooperative_of(_message(p, "cooperative", "proposal.cooperative"), "proposal.cooperative"),
        amount_rupiah=money(p, "amount", "proposal.amount"),
        term_months=positive_int(p.term_months, "proposal.term_months"), collateral_rupiah=collateral,
        documents=documents(p.documents, "proposal.documents"))
    return ProposeCooperativeLoan(npp, proposal, optional_day(request, "submitted_on"))


def business_of(message: pb.SmallBusiness, at: str) -> SmallBusiness:
    return SmallBusiness(
        name=required_text(message.name, f"{at}.name"),
        legal_form=required_enum(LEGAL_FORM, message.legal_form, f"{at}.legal_form"),
        indonesian_owned=message.indonesian_owned, independent=message.independent,
        started_on=day(message, "started_on", f"{at}.started_on"),
        net_assets_rupiah=money(message, "net_assets_excluding_land_and_buildings",
                                f"{at}.net_assets_excluding_land_and_buildings", positive=False),
        annual_sales_rupiah=money(message, "annual_sales", f"{at}.annual_sales", positive=False),
        has_prospects=message.has_prospects)


def submit_partnership_loan(request: pb.SubmitPartnershipLoanRequest) -> SubmitPartnershipLoan:
    branch = required_text(request.branch_code, "branch_code", max_length=30).upper()
    p: pb.PartnershipLoanProposal = _message(request, "proposal", "proposal")
    proposal = PartnershipLoanProposal(
        business=business_of(_message(p, "business", "proposal.business"), "proposal.business"),
        kind=required_enum(KIND, p.kind, "proposal.kind"), amount_rupiah=money(p, "amount", "proposal.amount"),
        term_months=positive_int(p.term_months, "proposal.term_months"),
        partner_order_reference=text(p.partner_order_reference, "proposal.partner_order_reference",
                                     max_length=REFERENCE_MAX, required=False),
        documents=documents(p.documents, "proposal.documents"))
    return SubmitPartnershipLoan(branch, proposal, optional_day(request, "submitted_on"))


def step(request: pb.CheckLoanApplicationRequest | pb.ApproveLoanApplicationRequest | pb.GetLoanApplicationRequest
         ) -> ApplicationStep:
    return ApplicationStep(identifier(request.application_id, "application_id"))


def sign(request: pb.SignLoanAgreementRequest) -> SignLoanAgreement:
    return SignLoanAgreement(identifier(request.application_id, "application_id"),
                             text(request.agreement_number, "agreement_number", max_length=REFERENCE_MAX,
                                  required=False),
                             optional_day(request, "signed_on"), optional_day(request, "first_due_date"))


def disburse(request: pb.DisburseLoanRequest) -> DisburseLoan:
    return DisburseLoan(identifier(request.application_id, "application_id"),
                        required_text(request.transfer_reference, "transfer_reference", max_length=REFERENCE_MAX),
                        optional_day(request, "disbursed_on"))


def list_applications(request: pb.ListLoanApplicationsRequest) -> ListLoanApplications:
    size, after = page_after(request.page)
    return ListLoanApplications(text(request.branch_code, "branch_code", required=False, max_length=30),
                                program_of(request.program), enum_of(STATUS, request.status, "status", required=False),
                                after if isinstance(after, str) else None, size)


# ---- encoding ---------------------------------------------------------------------------------
def application_to_proto(view: ApplicationView) -> pb.LoanApplication:
    a: LoanApplication = view.application
    message = pb.LoanApplication(
        application_id=a.application_id, program=PROGRAM_TO_PROTO[a.program], branch_code=a.branch_code,
        npp=a.npp or "", applicant_name=a.applicant_name, status=STATUS_TO_PROTO[a.status],
        submitted_on=from_date(a.submitted_on), submitted_by=a.submitted_by, checked_by=a.checked_by or "",
        reasons=[reason_to_proto(r) for r in a.reasons], approved_by=a.approved_by or "",
        agreement_number=a.agreement_number or "", signed_by=a.signed_by or "", loan_id=a.loan_id or "",
        rate_basis_points_per_year=a.rate_bp_per_year, interest=from_rupiah(a.interest_rupiah),
        monthly_instalment=from_rupiah(view.monthly_instalment_rupiah),
        required_collateral=from_rupiah(view.required_collateral_rupiah), loan_limit=from_rupiah(view.loan_limit_rupiah),
    )
    for name, value in (("checked_on", a.checked_on), ("approved_on", a.approved_on),
                        ("agreement_signed_on", a.signed_on), ("disbursed_on", a.disbursed_on)):
        if value is not None:
            getattr(message, name).CopyFrom(from_date(value))
    p = a.proposal
    if isinstance(p, CooperativeLoanProposal):
        c = p.cooperative
        message.cooperative.CopyFrom(pb.CooperativeLoanProposal(
            cooperative=pb.Cooperative(
                name=c.name, founded_on=from_date(c.founded_on), active=c.active,
                has_deed_of_establishment=c.has_deed_of_establishment, registered=c.registered,
                in_good_standing=c.in_good_standing, audited_financial_statements=c.audited_financial_statements,
                management_support=c.management_support,
                workers_cooperative_of_employer=c.workers_cooperative_of_employer,
                total_assets=from_rupiah(c.total_assets_rupiah)),
            amount=from_rupiah(p.amount_rupiah), term_months=p.term_months,
            collateral_value=from_rupiah(p.collateral_rupiah), documents=documents_to_proto(p.documents)))
    else:
        b = p.business
        message.partnership.CopyFrom(pb.PartnershipLoanProposal(
            business=pb.SmallBusiness(
                name=b.name, legal_form=LEGAL_FORM_TO_PROTO[b.legal_form], indonesian_owned=b.indonesian_owned,
                independent=b.independent, started_on=from_date(b.started_on),
                net_assets_excluding_land_and_buildings=from_rupiah(b.net_assets_rupiah),
                annual_sales=from_rupiah(b.annual_sales_rupiah), has_prospects=b.has_prospects),
            kind=KIND_TO_PROTO[p.kind], amount=from_rupiah(p.amount_rupiah), term_months=p.term_months,
            partner_order_reference=p.partner_order_reference or "", documents=documents_to_proto(p.documents)))
    return message


def propose_response(view: ApplicationView) -> pb.ProposeCooperativeLoanResponse:
    return pb.ProposeCooperativeLoanResponse(application=application_to_proto(view))


def submit_response(view: ApplicationView) -> pb.SubmitPartnershipLoanResponse:
    return pb.SubmitPartnershipLoanResponse(application=application_to_proto(view))


def get_response(view: ApplicationView) -> pb.GetLoanApplicationResponse:
    return pb.GetLoanApplicationResponse(application=application_to_proto(view))


def check_response(view: ApplicationView) -> pb.CheckLoanApplicationResponse:
    return pb.CheckLoanApplicationResponse(application=application_to_proto(view), eligible=not view.reasons,
                                           reasons=[reason_to_proto(r) for r in view.reasons])


def approve_response(view: ApplicationView) -> pb.ApproveLoanApplicationResponse:
    return pb.ApproveLoanApplicationResponse(application=application_to_proto(view))


def sign_response(view: ApplicationView) -> pb.SignLoanAgreementResponse:
    assert view.loan is not None  # the agreement made the loan
    return pb.SignLoanAgreementResponse(application=application_to_proto(view), loan=loan_to_proto(view.loan))


def disburse_response(view: ApplicationView) -> pb.DisburseLoanResponse:
    assert view.loan is not None  # the disbursed loan
    return pb.DisburseLoanResponse(application=application_to_proto(view), loan=loan_to_proto(view.loan))


def list_response(page: Page[ApplicationView]) -> pb.ListLoanApplicationsResponse:
    response = pb.ListLoanApplicationsResponse(applications=[application_to_proto(v) for v in page.items])
    next_page(response.page, page.items[-1].application.application_id if page.items else None, page.more)
    return response
