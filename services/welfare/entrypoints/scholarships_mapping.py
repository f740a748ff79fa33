"""ScholarshipService protobuf <-> commands and results (W-S-1, W-S-2)."""
from __future__ import annotations

from jamsos.welfare.v1 import scholarships_pb2 as pb
from services.chassis.convert import from_date, from_rupiah
from services.chassis.errors import InvalidArgument
from services.welfare.application.paging import Page
from services.welfare.application.scholarships import (
    AwardScholarship, ListScholarships, RecordScholarshipPayment, ScholarshipStep, SubmitScholarship,
)
from services.welfare.domain.scholarships import (
    Child, ScheduledPayment, ScholarshipApplication, ScholarshipPath, ScholarshipStatus, SchoolLevel,
)
from services.welfare.entrypoints.convert import (
    REFERENCE_MAX, day, documents, documents_to_proto, enum_of, identifier, next_page, optional_day, page_after,
    positive_int, reason_to_proto, required_enum, required_text, text,
)

LEVEL_TO_PROTO = {v: getattr(pb, f"SCHOOL_LEVEL_{v.value}") for v in SchoolLevel}
LEVEL = {v: k for k, v in LEVEL_TO_PROTO.items()}
STATUS_TO_PROTO = {v: getattr(pb, f"SCHOLARSHIP_STATUS_{v.value}") for v in ScholarshipStatus}
STATUS = {v: k for k, v in STATUS_TO_PROTO.items()}
PATH_TO_PROTO = {v: getattr(pb, f"SCHOLARSHIP_PATH_{v.value}") for v in ScholarshipPath}


def kpj_of(value: str, field: str = "kpj") -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    if not digits:
        raise InvalidArgument.field(field, "required")
    return digits


def child_of(request: pb.SubmitScholarshipApplicationRequest) -> Child:
    if not request.HasField("child"):
        raise InvalidArgument.field("child", "required")
    c = request.child
    level = required_enum(LEVEL, c.level, "child.level")
    university = level is SchoolLevel.UNIVERSITY
    return Child(name=required_text(c.name, "child.name", max_length=100),
                 order=positive_int(c.child_order, "child.child_order"), level=level,
                 class_or_semester=c.class_or_semester,
                 school_name=required_text(c.school_name, "child.school_name", max_length=100),
                 report_grade_hundredths=None if university else c.report_grade_hundredths,
                 gpa_hundredths=c.gpa_hundredths if university else None,
                 receives_other_scholarship=c.receives_other_scholarship)


def submit(request: pb.SubmitScholarshipApplicationRequest) -> SubmitScholarship:
    return SubmitScholarship(kpj_of(request.kpj), child_of(request), documents(request.documents, "documents"),
                             optional_day(request, "applied_on"))


def step(request: pb.CheckScholarshipApplicationRequest | pb.GetScholarshipApplicationRequest) -> ScholarshipStep:
    return ScholarshipStep(identifier(request.application_id, "application_id"))


def award(request: pb.AwardScholarshipRequest) -> AwardScholarship:
    return AwardScholarship(identifier(request.application_id, "application_id"),
                            optional_day(request, "first_payment_on"))


def pay(request: pb.RecordScholarshipPaymentRequest) -> RecordScholarshipPayment:
    return RecordScholarshipPayment(identifier(request.application_id, "application_id"),
                                    positive_int(request.number, "number"), day(request, "paid_on"),
                                    required_text(request.bank_reference, "bank_reference", max_length=REFERENCE_MAX))


def list_applications(request: pb.ListScholarshipApplicationsRequest) -> ListScholarships:
    size, after = page_after(request.page)
    kpj = "".join(ch for ch in request.kpj if ch.isdigit()) or None
    return ListScholarships(text(request.branch_code, "branch_code", required=False, max_length=30), kpj,
                            enum_of(STATUS, request.status, "status", required=False),
                            after if isinstance(after, str) else None, size)


def payment_to_proto(p: ScheduledPayment) -> pb.ScholarshipPayment:
    message = pb.ScholarshipPayment(number=p.number, due_on=from_date(p.due_on), amount=from_rupiah(p.amount),
                                    bank_reference=p.bank_reference or "")
    if p.paid_on:
        message.paid_on.CopyFrom(from_date(p.paid_on))
    return message


def application_to_proto(a: ScholarshipApplication) -> pb.ScholarshipApplication:
    c = a.child
    message = pb.ScholarshipApplication(
        application_id=a.application_id, kpj=a.kpj, npp=a.npp, branch_code=a.branch_code,
        child=pb.Child(name=c.name, child_order=c.order, level=LEVEL_TO_PROTO[c.level],
                       class_or_semester=c.class_or_semester, school_name=c.school_name,
                       report_grade_hundredths=c.report_grade_hundredths or 0, gpa_hundredths=c.gpa_hundredths or 0,
                       receives_other_scholarship=c.receives_other_scholarship),
        documents=documents_to_proto(a.documents), status=STATUS_TO_PROTO[a.status],
        path=PATH_TO_PROTO[a.path] if a.path else pb.SCHOLARSHIP_PATH_UNSPECIFIED, applied_on=from_date(a.applied_on),
        submitted_by=a.submitted_by, checked_by=a.checked_by or "", reasons=[reason_to_proto(r) for r in a.reasons],
        awarded_by=a.awarded_by or "", monthly_amount=from_rupiah(a.monthly_amount_rupiah),
        total_amount=from_rupiah(a.total_rupiah), payments=[payment_to_proto(p) for p in a.payments])
    if a.checked_on:
        message.checked_on.CopyFrom(from_date(a.checked_on))
    if a.awarded_on:
        message.awarded_on.CopyFrom(from_date(a.awarded_on))
    return message


def submit_response(a: ScholarshipApplication) -> pb.SubmitScholarshipApplicationResponse:
    return pb.SubmitScholarshipApplicationResponse(application=application_to_proto(a))


def check_response(a: ScholarshipApplication) -> pb.CheckScholarshipApplicationResponse:
    return pb.CheckScholarshipApplicationResponse(application=application_to_proto(a), eligible=not a.reasons,
                                                  reasons=[reason_to_proto(r) for r in a.reasons])


def award_response(a: ScholarshipApplication) -> pb.AwardScholarshipResponse:
    return pb.AwardScholarshipResponse(application=application_to_proto(a))


def pay_response(a: ScholarshipApplication) -> pb.RecordScholarshipPaymentResponse:
    return pb.RecordScholarshipPaymentResponse(application=application_to_proto(a))


def get_response(a: ScholarshipApplication) -> pb.GetScholarshipApplicationResponse:
    return pb.GetScholarshipApplicationResponse(application=application_to_proto(a))


def list_response(page: Page[ScholarshipApplication]) -> pb.ListScholarshipApplicationsResponse:
    response = pb.ListScholarshipApplicationsResponse(applications=[application_to_proto(a) for a in page.items])
    next_page(response.page, page.items[-1].application_id if page.items else None, page.more)
    return response
