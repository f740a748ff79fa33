"""`jamsos scholarship`: scholarships for members' children (W-S-1, W-S-2), submit to the last payment."""
from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer

from jamsos.welfare.v1 import scholarships_pb2 as pb
from jamsos.welfare.v1 import scholarships_pb2_grpc

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .values import enum_or_unset
from .loans import Documents, Limit, PageToken, documents_of, page, reasons_table
from .output import plain, record_table, rows_table, rupiah, show
from .values import parse_date, pb_date, proto_enum

app = typer.Typer(help="Scholarships for members' children: submit, check, award, pay, show, list.",
                  no_args_is_help=True)

_GRADE = re.compile(r"\d{1,2}(?:\.\d{1,2})?")


class Level(str, Enum):
    PRIMARY = "primary"
    JUNIOR_HIGH = "junior-high"
    SENIOR_HIGH = "senior-high"
    UNIVERSITY = "university"


class Status(str, Enum):
    SUBMITTED = "submitted"
    CHECKED = "checked"
    REJECTED = "rejected"
    AWARDED = "awarded"
    COMPLETED = "completed"


def parse_hundredths(text: str) -> int:
    """A grade or GPA with at most two decimals, as hundredths: 8.01 -> 801 (never through a float)."""
    cleaned = str(text).strip()
    if not _GRADE.fullmatch(cleaned):
        raise typer.BadParameter(f"{text!r} is not a grade (e.g. 8.01 or 3.25)")
    whole, _, fraction = cleaned.partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("welfare", scholarships_pb2_grpc.ScholarshipServiceStub)


def application_tables(app: dict[str, Any]) -> list[Any]:
    child = app["child"] or {}
    grade = child.get("gpa_hundredths") or child.get("report_grade_hundredths") or 0
    summary = record_table(f"Scholarship application {app['application_id']}", [
        ("kpj", app["kpj"]), ("npp", app["npp"]), ("branch", app["branch_code"]),
        ("child", f"{child.get('name', '')} (child {child.get('child_order', '')})"),
        ("school", f"{child.get('school_name', '')}, {child.get('level', '')} {child.get('class_or_semester', '')}"),
        ("grade", f"{grade // 100}.{grade % 100:02d}"), ("status", app["status"]), ("path", app["path"]),
        ("applied on", app["applied_on"]), ("checked by", app["checked_by"]), ("awarded by", app["awarded_by"]),
        ("monthly", rupiah(app["monthly_amount"])), ("total", rupiah(app["total_amount"]))])
    payments = rows_table("Payments", ["#", "due on", "amount", "paid on", "bank reference"], [
        (p["number"], p["due_on"], rupiah(p["amount"]), p["paid_on"], p["bank_reference"]) for p in app["payments"]])
    return [summary, reasons_table(app["reasons"]), payments]


def _answer(ctx: typer.Context, response: Any, **extra: Any) -> None:
    app = plain(response.application)
    show(session_of(ctx).as_json, {"application": app, **extra}, *application_tables(app))


ApplicationId = Annotated[str, typer.Argument(help="the application id")]


@app.command("submit")
def submit(
    ctx: typer.Context,
    kpj: Annotated[str, typer.Argument(help="the member")],
    child: Annotated[str, typer.Option("--child", help="the child's name")],
    order: Annotated[int, typer.Option("--order", min=1, max=20, help="1st, 2nd, 3rd child...")],
    level: Annotated[Level, typer.Option("--level", case_sensitive=False)],
    class_or_semester: Annotated[int, typer.Option("--class", min=1, max=14, help="class (school) or semester")],
    school: Annotated[str, typer.Option("--school")],
    grade: Annotated[int | None, typer.Option("--grade", parser=parse_hundredths, help="report-card average, e.g. 8.01")] = None,
    gpa: Annotated[int | None, typer.Option("--gpa", parser=parse_hundredths, help="university GPA, e.g. 3.10")] = None,
    other_scholarship: Annotated[bool, typer.Option("--other-scholarship", help="receives another one")] = False,
    documents: Documents = None,
    applied_on: Annotated[date | None, typer.Option("--applied-on", parser=parse_date, help="default today")] = None,
    request_id: RequestId = None,
) -> None:
    """Apply for a scholarship for a member's child (W-S-1)."""
    details = pb.Child(name=child, child_order=order, level=proto_enum("SCHOOL_LEVEL", level.name, pb),
                       class_or_semester=class_or_semester, school_name=school, report_grade_hundredths=grade or 0,
                       gpa_hundredths=gpa or 0, receives_other_scholarship=other_scholarship)
    _answer(ctx, _stub(ctx).SubmitScholarshipApplication(pb.SubmitScholarshipApplicationRequest(
        request_id=new_request_id(request_id), kpj=kpj, child=details, documents=documents_of(documents),
        applied_on=pb_date(applied_on))))


@app.command("check")
def check(ctx: typer.Context, application_id: ApplicationId, request_id: RequestId = None) -> None:
    """Check W-S-2 against the read model: every reason that fails (a failed check rejects it)."""
    response = _stub(ctx).CheckScholarshipApplication(pb.CheckScholarshipApplicationRequest(
        request_id=new_request_id(request_id), application_id=application_id))
    _answer(ctx, response, eligible=response.eligible, reasons=[plain(r) for r in response.reasons])


@app.command("award")
def award(ctx: typer.Context, application_id: ApplicationId,
          first_payment: Annotated[date | None, typer.Option("--first-payment", parser=parse_date,
                                                             help="default the 1st of next month")] = None,
          request_id: RequestId = None) -> None:
    """Branch head awards 12 monthly payments (never the officer who checked it: O-4)."""
    _answer(ctx, _stub(ctx).AwardScholarship(pb.AwardScholarshipRequest(
        request_id=new_request_id(request_id), application_id=application_id, first_payment_on=pb_date(first_payment))))


@app.command("pay")
def pay(
    ctx: typer.Context, application_id: ApplicationId,
    number: Annotated[int, typer.Option("--number", min=1, max=120, help="which scheduled payment")],
    reference: Annotated[str, typer.Option("--reference", help="the bank reference (once only)")],
    paid_on: Annotated[date, typer.Option("--paid-on", parser=parse_date)],
    request_id: RequestId = None,
) -> None:
    """Finance records one scheduled payment paid."""
    _answer(ctx, _stub(ctx).RecordScholarshipPayment(pb.RecordScholarshipPaymentRequest(
        request_id=new_request_id(request_id), application_id=application_id, number=number, paid_on=pb_date(paid_on),
        bank_reference=reference)))


@app.command("show")
def show_application(ctx: typer.Context, application_id: ApplicationId) -> None:
    """One scholarship application with its reasons and payments."""
    _answer(ctx, _stub(ctx).GetScholarshipApplication(pb.GetScholarshipApplicationRequest(
        application_id=application_id)))


@app.command("list")
def list_applications(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch")] = "",
    kpj: Annotated[str, typer.Option("--kpj")] = "",
    status: Annotated[Status | None, typer.Option("--status", case_sensitive=False)] = None,
    limit: Limit = 50, page_token: PageToken = "",
) -> None:
    """Scholarship applications of a branch or a member."""
    response = _stub(ctx).ListScholarshipApplications(pb.ListScholarshipApplicationsRequest(
        branch_code=branch, kpj=kpj, status=enum_or_unset("SCHOLARSHIP_STATUS", status, pb),
        page=page(limit, page_token)))
    apps = [plain(a) for a in response.applications]
    show(session_of(ctx).as_json, {"applications": apps, "next_page_token": response.page.next_page_token},
         rows_table(f"Scholarship applications of {kpj or branch or 'your branches'}",
                    ["application", "kpj", "child", "status", "path", "monthly", "total"],
                    [(a["application_id"], a["kpj"], (a["child"] or {}).get("name", ""), a["status"], a["path"],
                      rupiah(a["monthly_amount"]), rupiah(a["total_amount"])) for a in apps]))
