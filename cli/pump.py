"""`jamsos pump`: the housing down-payment loan (W-P-1..W-P-5), across the branch and its region.

The branch submits, checks, approves in principle (PUMP-5), records each worker's bank
approval and reports to the region; the region determines (PUMP-6); the branch signs
(PUMP-7, with one loan per worker and the payroll deductions); the region transfers.
"""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer

from jamsos.welfare.v1 import pump_pb2 as pb
from jamsos.welfare.v1 import pump_pb2_grpc

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .values import enum_or_unset
from .loans import Documents, Limit, PageToken, documents_of, loan_tables, page, reasons_table
from .output import plain, record_table, rows_table, rupiah, show
from .values import parse_date, pb_date, pb_money, proto_enum, rupiah_of

app = typer.Typer(help="PUMP housing loans: submit, check, approve, bank approval, report, determine, sign, "
                       "transfer, show, list.", no_args_is_help=True)


class Applicant(str, Enum):
    EMPLOYER = "employer"
    COOPERATIVE = "cooperative"


class Association(str, Enum):
    APERSI = "apersi"
    REI = "rei"
    PERUMNAS = "perumnas"


class BankDocument(str, Enum):
    SP3K = "sp3k"
    CREDIT_AGREEMENT = "credit-agreement"


class Status(str, Enum):
    SUBMITTED = "submitted"
    CHECKED = "checked"
    REJECTED = "rejected"
    APPROVED_IN_PRINCIPLE = "approved-in-principle"
    REPORTED_TO_REGION = "reported-to-region"
    DETERMINED = "determined"
    AGREEMENT_SIGNED = "agreement-signed"
    TRANSFERRED = "transferred"


def parse_worker(text: str) -> tuple[str, int, int]:
    """KPJ=RUPIAH:MONTHS, e.g. 12345678901=15000000:36."""
    kpj, _, terms = str(text).partition("=")
    amount, _, months = terms.partition(":")
    try:
        parsed = (kpj.strip(), rupiah_of(amount), int(months))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: expected KPJ=RUPIAH:MONTHS", param_hint="--worker") from None
    if not parsed[0] or not 1 <= parsed[2] <= 1200:
        raise typer.BadParameter(f"{text!r}: expected KPJ=RUPIAH:MONTHS, months 1..1200", param_hint="--worker")
    return parsed


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("welfare", pump_pb2_grpc.PumpServiceStub)


def application_tables(app: dict[str, Any]) -> list[Any]:
    developer = app["developer"] or {}
    summary = record_table(f"PUMP application {app['application_id']}", [
        ("npp", app["npp"]), ("branch", app["branch_code"]), ("region", app["region_code"]),
        ("applicant", f"{app['applicant']} {app['cooperative_name']}".strip()),
        ("developer", f"{developer.get('name', '')} ({developer.get('association', '')}), "
                      f"{developer.get('housing_project', '')}"),
        ("status", app["status"]), ("rate", f"{app['rate_basis_points_per_year']} bp a year, flat"),
        ("approval letter (PUMP-5)", f"{app['approval_letter_number']} {app['requested_bank_document']}"
         if app["approval_letter_number"] else ""),
        ("determination (PUMP-6)", app["determination_number"]), ("agreement (PUMP-7)", app["agreement_number"]),
        ("transfer", f"{app['transfer_reference']} on {app['transferred_on'] or ''}" if app["transfer_reference"] else "")])
    workers = rows_table("Workers", ["kpj", "name", "loan", "months", "bank document", "approved on", "loan id",
                                     "monthly"], [
        (w["kpj"], w["name"], rupiah(w["loan_amount"]), w["term_months"],
         f"{w['bank_document']} {w['bank_document_number']}" if w["bank_document_number"] else "",
         w["bank_approved_on"], w["loan_id"], rupiah(w["monthly_instalment"]) if w["loan_id"] else "")
        for w in app["workers"]])
    return [summary, workers, reasons_table(app["reasons"])]


def _answer(ctx: typer.Context, response: Any, **extra: Any) -> None:
    shown = {"application": plain(response.application), **extra}
    show(session_of(ctx).as_json, shown, *application_tables(shown["application"]))


ApplicationId = Annotated[str, typer.Argument(help="the PUMP application id")]


@app.command("submit")
def submit(
    ctx: typer.Context,
    npp: Annotated[str, typer.Option("--npp")],
    developer: Annotated[str, typer.Option("--developer", help="the developer's name")],
    association: Annotated[Association, typer.Option("--association", case_sensitive=False)],
    developer_account: Annotated[str, typer.Option("--developer-account", help="where the money goes")],
    project: Annotated[str, typer.Option("--project", help="the housing project")],
    workers: Annotated[list[str], typer.Option("--worker", help="KPJ=RUPIAH:MONTHS (repeatable)")],
    applicant: Annotated[Applicant, typer.Option("--applicant", case_sensitive=False)] = Applicant.EMPLOYER,
    cooperative_name: Annotated[str, typer.Option("--cooperative-name")] = "",
    forms: Documents = None,
    worker_documents: Annotated[list[str] | None, typer.Option(
        "--worker-doc",
        help="document kinds every worker's file holds (kpj-copy,id-card-copy,family-card-copy)")] = None,
    submitted_on: Annotated[date | None, typer.Option("--submitted-on", parser=parse_date)] = None,
    request_id: RequestId = None,
) -> None:
    """An employer (or its cooperative) applies for PUMP for its workers (W-P-1)."""
    worker_docs = documents_of(worker_documents, "--worker-doc")
    terms = [parse_worker(text) for text in workers]
    _answer(ctx, _stub(ctx).SubmitPumpApplication(pb.SubmitPumpApplicationRequest(
        request_id=new_request_id(request_id), npp=npp, applicant=proto_enum("PUMP_APPLICANT", applicant.name, pb),
        cooperative_name=cooperative_name, forms=documents_of(forms), submitted_on=pb_date(submitted_on),
        developer=pb.Developer(name=developer, association=proto_enum("DEVELOPER_ASSOCIATION", association.name, pb),
                               bank_account=developer_account, housing_project=project),
        workers=[pb.PumpWorkerRequest(kpj=kpj, loan_amount=pb_money(amount), term_months=months, documents=worker_docs)
                 for kpj, amount, months in terms])))


@app.command("check")
def check(ctx: typer.Context, application_id: ApplicationId, request_id: RequestId = None) -> None:
    """Check the file's completeness (W-P-2); a failed check is the rejection letter."""
    response = _stub(ctx).CheckPumpApplication(pb.CheckPumpApplicationRequest(
        request_id=new_request_id(request_id), application_id=application_id))
    _answer(ctx, response, eligible=response.eligible, reasons=[plain(r) for r in response.reasons])


@app.command("approve")
def approve(ctx: typer.Context, application_id: ApplicationId, request_id: RequestId = None) -> None:
    """Branch head approves in principle (PUMP-5), never the checker (O-4)."""
    _answer(ctx, _stub(ctx).ApprovePumpInPrinciple(pb.ApprovePumpInPrincipleRequest(
        request_id=new_request_id(request_id), application_id=application_id)))


@app.command("bank-approval")
def bank_approval(
    ctx: typer.Context, application_id: ApplicationId,
    kpj: Annotated[str, typer.Option("--kpj", help="the worker the bank approved")],
    document: Annotated[BankDocument, typer.Option("--document", case_sensitive=False)],
    number: Annotated[str, typer.Option("--number", help="the SP3K's or credit agreement's number")],
    approved_on: Annotated[date, typer.Option("--approved-on", parser=parse_date)],
    request_id: RequestId = None,
) -> None:
    """One worker passed the bank's selection (W-P-3)."""
    _answer(ctx, _stub(ctx).RecordBankApproval(pb.RecordBankApprovalRequest(
        request_id=new_request_id(request_id), application_id=application_id, kpj=kpj,
        document=proto_enum("BANK_DOCUMENT", document.name, pb), document_number=number,
        approved_on=pb_date(approved_on))))


@app.command("report")
def report(ctx: typer.Context, application_id: ApplicationId, request_id: RequestId = None) -> None:
    """The branch reports the file to its regional office (W-P-3)."""
    _answer(ctx, _stub(ctx).ReportPumpToRegion(pb.ReportPumpToRegionRequest(
        request_id=new_request_id(request_id), application_id=application_id)))


@app.command("determine")
def determine(ctx: typer.Context, application_id: ApplicationId,
              on: Annotated[date | None, typer.Option("--on", parser=parse_date)] = None,
              request_id: RequestId = None) -> None:
    """The region issues the determination PUMP-6 with its list 6a (regional officer only, W-P-3)."""
    _answer(ctx, _stub(ctx).DeterminePump(pb.DeterminePumpRequest(
        request_id=new_request_id(request_id), application_id=application_id, determined_on=pb_date(on))))


@app.command("sign")
def sign(ctx: typer.Context, application_id: ApplicationId,
         signed_on: Annotated[date | None, typer.Option("--signed-on", parser=parse_date)] = None,
         first_due: Annotated[date | None, typer.Option("--first-due", parser=parse_date)] = None,
         request_id: RequestId = None) -> None:
    """The branch head signs PUMP-7: one loan per recipient and the payroll deductions (W-P-4)."""
    response = _stub(ctx).SignPumpAgreement(pb.SignPumpAgreementRequest(
        request_id=new_request_id(request_id), application_id=application_id, signed_on=pb_date(signed_on),
        first_due_date=pb_date(first_due)))
    shown = plain(response)
    deductions = rows_table("Payroll deductions (PUMP-7c)", ["kpj", "name", "monthly", "months"], [
        (p["kpj"], p["name"], rupiah(p["monthly_deduction"]), p["months"]) for p in shown["payroll_deductions"]])
    loans = [table for loan in shown["loans"] for table in loan_tables(loan)[:2]]
    show(session_of(ctx).as_json, shown, *application_tables(shown["application"]), deductions, *loans)


@app.command("transfer")
def transfer(ctx: typer.Context, application_id: ApplicationId,
             reference: Annotated[str, typer.Option("--reference", help="the transfer proof")],
             on: Annotated[date | None, typer.Option("--on", parser=parse_date)] = None,
             request_id: RequestId = None) -> None:
    """The region transfers the money to the developer from its DPKP fund (W-P-4)."""
    response = _stub(ctx).TransferPumpFunds(pb.TransferPumpFundsRequest(
        request_id=new_request_id(request_id), application_id=application_id, transfer_reference=reference,
        transferred_on=pb_date(on)))
    shown = plain(response)
    loans = rows_table("Loans disbursed", ["loan", "kpj", "principal", "status"], [
        (x["loan_id"], x["kpj"], rupiah(x["principal"]), x["status"]) for x in shown["loans"]])
    show(session_of(ctx).as_json, shown, *application_tables(shown["application"]), loans)


@app.command("show")
def show_application(ctx: typer.Context, application_id: ApplicationId) -> None:
    """One PUMP application with its workers and steps."""
    _answer(ctx, _stub(ctx).GetPumpApplication(pb.GetPumpApplicationRequest(application_id=application_id)))


@app.command("list")
def list_applications(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch")] = "",
    status: Annotated[Status | None, typer.Option("--status", case_sensitive=False)] = None,
    limit: Limit = 50, page_token: PageToken = "",
) -> None:
    """PUMP applications of a branch, by status."""
    response = _stub(ctx).ListPumpApplications(pb.ListPumpApplicationsRequest(
        branch_code=branch, status=enum_or_unset("PUMP_STATUS", status, pb),
        page=page(limit, page_token)))
    apps = [plain(a) for a in response.applications]
    show(session_of(ctx).as_json, {"applications": apps, "next_page_token": response.page.next_page_token},
         rows_table(f"PUMP applications of {branch or 'your branches'}",
                    ["application", "npp", "branch", "status", "workers", "submitted on"],
                    [(a["application_id"], a["npp"], a["branch_code"], a["status"], len(a["workers"]),
                      a["submitted_on"]) for a in apps]))
