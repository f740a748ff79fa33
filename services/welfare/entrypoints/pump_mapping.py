"""PumpService protobuf <-> commands and results (W-P-1..W-P-5)."""
from __future__ import annotations

from jamsos.welfare.v1 import pump_pb2 as pb
from services.chassis.convert import from_date, from_rupiah
from services.chassis.errors import InvalidArgument
from services.welfare.application.paging import Page
from services.welfare.application.pump import (
    DeterminePump, ListPump, PumpStep, PumpView, PumpWorkerRequest, RecordBankApproval, SignPumpAgreement, SubmitPump,
    TransferPumpFunds, unique_workers,
)
from services.welfare.domain.pump import (
    BankDocument, Developer, DeveloperAssociation, PumpApplicant, PumpApplication, PumpStatus, PumpWorker,
)
from services.welfare.entrypoints.convert import (
    REFERENCE_MAX, documents, documents_to_proto, enum_of, identifier, money, next_page, optional_day, page_after,
    positive_int, reason_to_proto, required_enum, required_text, text,
)
from services.welfare.entrypoints.loan_applications_mapping import npp_of
from services.welfare.entrypoints.loans_mapping import loan_to_proto
from services.welfare.entrypoints.scholarships_mapping import kpj_of

APPLICANT_TO_PROTO = {v: getattr(pb, f"PUMP_APPLICANT_{v.value}") for v in PumpApplicant}
APPLICANT = {v: k for k, v in APPLICANT_TO_PROTO.items()}
ASSOCIATION_TO_PROTO = {v: getattr(pb, f"DEVELOPER_ASSOCIATION_{v.value}") for v in DeveloperAssociation}
ASSOCIATION = {v: k for k, v in ASSOCIATION_TO_PROTO.items()}
BANK_DOCUMENT_TO_PROTO = {v: getattr(pb, f"BANK_DOCUMENT_{v.value}") for v in BankDocument}
BANK_DOCUMENT = {v: k for k, v in BANK_DOCUMENT_TO_PROTO.items()}
STATUS_TO_PROTO = {v: getattr(pb, f"PUMP_STATUS_{v.value}") for v in PumpStatus}
STATUS = {v: k for k, v in STATUS_TO_PROTO.items()}
MAX_WORKERS = 500


def developer_of(request: pb.SubmitPumpApplicationRequest) -> Developer:
    if not request.HasField("developer"):
        raise InvalidArgument.field("developer", "required")
    dev = request.developer
    return Developer(required_text(dev.name, "developer.name"),
                     required_enum(ASSOCIATION, dev.association, "developer.association"),
                     required_text(dev.bank_account, "developer.bank_account", max_length=REFERENCE_MAX),
                     required_text(dev.housing_project, "developer.housing_project"))


def submit(request: pb.SubmitPumpApplicationRequest) -> SubmitPump:
    if not request.workers:
        raise InvalidArgument.field("workers", "at least one worker")
    if len(request.workers) > MAX_WORKERS:
        raise InvalidArgument.field("workers", f"at most {MAX_WORKERS} workers per application")
    workers = tuple(PumpWorkerRequest(
        kpj_of(w.kpj, f"workers[{i}].kpj"), money(w, "loan_amount", f"workers[{i}].loan_amount"),
        positive_int(w.term_months, f"workers[{i}].term_months"), documents(w.documents, f"workers[{i}].documents"))
        for i, w in enumerate(request.workers))
    unique_workers(workers)
    return SubmitPump(npp_of(request.npp), required_enum(APPLICANT, request.applicant, "applicant"),
                      text(request.cooperative_name, "cooperative_name", required=False), developer_of(request),
                      documents(request.forms, "forms"), workers, optional_day(request, "submitted_on"))


def step(request) -> PumpStep:
    return PumpStep(identifier(request.application_id, "application_id"))


def bank_approval(request: pb.RecordBankApprovalRequest) -> RecordBankApproval:
    return RecordBankApproval(identifier(request.application_id, "application_id"), kpj_of(request.kpj),
                              required_enum(BANK_DOCUMENT, request.document, "document"),
                              required_text(request.document_number, "document_number", max_length=REFERENCE_MAX),
                              optional_day(request, "approved_on"))


def determine(request: pb.DeterminePumpRequest) -> DeterminePump:
    return DeterminePump(identifier(request.application_id, "application_id"), optional_day(request, "determined_on"))


def sign(request: pb.SignPumpAgreementRequest) -> SignPumpAgreement:
    return SignPumpAgreement(identifier(request.application_id, "application_id"), optional_day(request, "signed_on"),
                             optional_day(request, "first_due_date"))


def transfer(request: pb.TransferPumpFundsRequest) -> TransferPumpFunds:
    return TransferPumpFunds(identifier(request.application_id, "application_id"),
                             required_text(request.transfer_reference, "transfer_reference", max_length=REFERENCE_MAX),
                             optional_day(request, "transferred_on"))


def list_applications(request: pb.ListPumpApplicationsRequest) -> ListPump:
    size, after = page_after(request.page)
    return ListPump(text(request.branch_code, "branch_code", required=False, max_length=30),
                    enum_of(STATUS, request.status, "status", required=False),
                    after if isinstance(after, str) else None, size)


# ---- encoding -------------------------------------------------------------------------------------
def worker_to_proto(w: PumpWorker) -> pb.PumpWorker:
    message = pb.PumpWorker(
        kpj=w.kpj, name=w.name, loan_amount=from_rupiah(w.loan_amount_rupiah), term_months=w.term_months,
        documents=documents_to_proto(w.documents),
        bank_document=BANK_DOCUMENT_TO_PROTO[w.bank_document] if w.bank_document else pb.BANK_DOCUMENT_UNSPECIFIED,
        bank_document_number=w.bank_document_number or "", loan_id=w.loan_id or "")
    if w.bank_approved_on:
        message.bank_approved_on.CopyFrom(from_date(w.bank_approved_on))
    if w.monthly_instalment_rupiah is not None:
        message.monthly_instalment.CopyFrom(from_rupiah(w.monthly_instalment_rupiah))
    return message


def application_to_proto(a: PumpApplication) -> pb.PumpApplication:
    d = a.developer
    message = pb.PumpApplication(
        application_id=a.application_id, npp=a.npp, branch_code=a.branch_code, region_code=a.region_code or "",
        applicant=APPLICANT_TO_PROTO[a.applicant], cooperative_name=a.cooperative_name or "",
        developer=pb.Developer(name=d.name, association=ASSOCIATION_TO_PROTO[d.association],
                               bank_account=d.bank_account, housing_project=d.housing_project),
        forms=documents_to_proto(a.forms), workers=[worker_to_proto(w) for w in a.workers],
        status=STATUS_TO_PROTO[a.status], submitted_on=from_date(a.submitted_on), submitted_by=a.submitted_by,
        checked_by=a.checked_by or "", reasons=[reason_to_proto(r) for r in a.reasons],
        approval_letter_number=a.approval_letter_number or "",
        requested_bank_document=BANK_DOCUMENT_TO_PROTO[a.requested_bank_document], approved_by=a.approved_by or "",
        reported_by=a.reported_by or "", determination_number=a.determination_number or "",
        determined_by=a.determined_by or "", determined_kpjs=list(a.determined_kpjs),
        agreement_number=a.agreement_number or "", signed_by=a.signed_by or "",
        transfer_reference=a.transfer_reference or "", transferred_by=a.transferred_by or "",
        rate_basis_points_per_year=a.rate_bp_per_year)
    for name, value in (("checked_on", a.checked_on), ("approved_on", a.approved_on), ("reported_on", a.reported_on),
                        ("determined_on", a.determined_on), ("signed_on", a.signed_on),
                        ("transferred_on", a.transferred_on)):
        if value is not None:
            getattr(message, name).CopyFrom(from_date(value))
    return message


def _application(response_cls):
    return lambda view: response_cls(application=application_to_proto(view.application))


submit_response = _application(pb.SubmitPumpApplicationResponse)
approve_response = _application(pb.ApprovePumpInPrincipleResponse)
bank_approval_response = _application(pb.RecordBankApprovalResponse)
report_response = _application(pb.ReportPumpToRegionResponse)
determine_response = _application(pb.DeterminePumpResponse)
get_response = _application(pb.GetPumpApplicationResponse)


def check_response(view: PumpView) -> pb.CheckPumpApplicationResponse:
    a = view.application
    return pb.CheckPumpApplicationResponse(application=application_to_proto(a), eligible=not a.reasons,
                                           reasons=[reason_to_proto(r) for r in a.reasons])


def sign_response(view: PumpView) -> pb.SignPumpAgreementResponse:
    deductions = [pb.PayrollDeduction(kpj=w.kpj, name=w.name, monthly_deduction=from_rupiah(w.monthly_instalment_rupiah or 0),
                                      months=w.term_months) for w in view.application.recipients]
    return pb.SignPumpAgreementResponse(application=application_to_proto(view.application),
                                        loans=[loan_to_proto(loan) for loan in view.loans], payroll_deductions=deductions)


def transfer_response(view: PumpView) -> pb.TransferPumpFundsResponse:
    return pb.TransferPumpFundsResponse(application=application_to_proto(view.application),
                                        loans=[loan_to_proto(loan) for loan in view.loans])


def list_response(page: Page[PumpView]) -> pb.ListPumpApplicationsResponse:
    response = pb.ListPumpApplicationsResponse(applications=[application_to_proto(v.application) for v in page.items])
    next_page(response.page, page.items[-1].application.application_id if page.items else None, page.more)
    return response
