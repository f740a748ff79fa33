"""`jamsos coop-loan`, `partnership-loan`, `application`, `loan`, `fund`: welfare loans (W-K, W-M) and their funds.

A cooperative or partnership loan is proposed, then goes through `application check`
(every reason that fails, each with its rule), `approve` (not the checker, O-4), `sign`
(fixes the instalment schedule) and `disburse` (from the region's fund); instalments are
repaid with `loan repay`. Each command is one welfare call.
"""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer

from jamsos.common.v1 import types_pb2
from jamsos.welfare.v1 import common_pb2, fund_pb2, fund_pb2_grpc, loans_pb2, loans_pb2_grpc
from jamsos.welfare.v1 import loan_applications_pb2 as la
from jamsos.welfare.v1 import loan_applications_pb2_grpc as la_grpc

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, rupiah, show
from .values import enum_or_unset, parse_date, parse_rupiah, pb_date, pb_money, proto_enum

coop_app = typer.Typer(help="Loans to workers' cooperatives: propose one (W-K-1..W-K-3).", no_args_is_help=True)
partnership_app = typer.Typer(help="Partnership loans to small businesses: submit one (W-M-1, W-M-2).",
                              no_args_is_help=True)
application_app = typer.Typer(help="Loan applications: check, approve, sign, disburse, show, list.",
                              no_args_is_help=True)
loan_app = typer.Typer(help="Loans: schedule and arrears, list, repay, flag late instalments.", no_args_is_help=True)
fund_app = typer.Typer(help="Regional funds (DPKP, partnership): allocate, balance, entries.", no_args_is_help=True)

DOCUMENT_KINDS = tuple(name.removeprefix("DOCUMENT_KIND_").lower().replace("_", "-")
                       for name in common_pb2.DocumentKind.keys() if name != "DOCUMENT_KIND_UNSPECIFIED")


class WelfareProgram(str, Enum):
    SCHOLARSHIP = "scholarship"
    PUMP = "pump"
    COOPERATIVE_LOAN = "cooperative-loan"
    PARTNERSHIP_LOAN = "partnership-loan"


class ApplicationStatus(str, Enum):
    SUBMITTED = "submitted"
    CHECKED = "checked"
    REJECTED = "rejected"
    APPROVED = "approved"
    AGREEMENT_SIGNED = "agreement-signed"
    DISBURSED = "disbursed"


class LoanStatus(str, Enum):
    AGREED = "agreed"
    ACTIVE = "active"
    PAID_OFF = "paid-off"


class LegalForm(str, Enum):
    INDIVIDUAL = "individual"
    UNINCORPORATED = "unincorporated"
    INCORPORATED = "incorporated"
    COOPERATIVE = "cooperative"


class PartnershipKind(str, Enum):
    ORDINARY = "ordinary"
    SPECIAL = "special"


class FundChoice(str, Enum):
    DPKP = "dpkp"
    PARTNERSHIP = "partnership"


def parse_documents(text: str) -> list[Any]:
    """Document kinds, comma-separated: report-card,school-statement (or REPORT_CARD)."""
    kinds = []
    for name in (n.strip() for n in str(text).split(",")):
        key = name.lower().replace("_", "-")
        if key not in DOCUMENT_KINDS:
            raise typer.BadParameter(f"{name!r} is not a document kind (one of {', '.join(DOCUMENT_KINDS)})")
        kinds.append(common_pb2.DocumentKind.Value("DOCUMENT_KIND_" + key.upper().replace("-", "_")))
    return kinds


def documents_of(given: list[str] | None, option: str = "--doc") -> list[Any]:
    """The document kinds of a repeated, comma-separated option (a bad one is a usage error naming it)."""
    try:
        return [kind for text in given or [] for kind in parse_documents(text)]
    except typer.BadParameter as bad:
        raise typer.BadParameter(bad.message, param_hint=option) from None


Documents = Annotated[list[str] | None, typer.Option(
    "--doc", help="document kinds in the file, comma-separated or repeated (e.g. report-card,school-statement)")]
Limit = Annotated[int, typer.Option("--limit", min=1, max=500)]
PageToken = Annotated[str, typer.Option("--page-token", help="the next_page_token of the previous page")]
Term = Annotated[int, typer.Option("--term", min=1, max=1200, help="months")]


def page(limit: int, page_token: str) -> types_pb2.PageRequest:
    return types_pb2.PageRequest(page_size=limit, page_token=page_token)


def reasons_table(reasons: list[dict[str, Any]], title: str = "Reasons not met") -> Any:
    return rows_table(title, ["rule", "code", "reason"], [(r["rule_id"], r["code"], r["message"]) for r in reasons])


def loan_tables(loan: dict[str, Any]) -> list[Any]:
    summary = record_table(f"Loan {loan['loan_id']}", [
        ("program", loan["program"]), ("application", loan["application_id"]), ("branch", loan["branch_code"]),
        ("region fund", loan["region_code"]), ("borrower", loan["borrower_name"]), ("npp", loan["npp"]),
        ("kpj", loan["kpj"]), ("principal", rupiah(loan["principal"])),
        ("rate", f"{loan['rate_basis_points_per_year']} bp a year, flat"), ("term", f"{loan['term_months']} months"),
        ("interest", rupiah(loan["interest"])), ("status", loan["status"]), ("agreed on", loan["agreed_on"]),
        ("disbursed on", loan["disbursed_on"]), ("paid", rupiah(loan["paid"])),
        ("outstanding", rupiah(loan["outstanding"])),
        ("arrears", f"{rupiah(loan['arrears'])} ({loan['overdue_instalments']} overdue) on {loan['as_of'] or ''}")])
    schedule = rows_table("Instalments", ["#", "due", "amount", "principal", "interest", "paid", "paid on", "overdue"], [
        (i["number"], i["due_date"], rupiah(i["amount"]), rupiah(i["principal"]), rupiah(i["interest"]),
         rupiah(i["paid"]), i["paid_on"], i["overdue"]) for i in loan["instalments"]])
    repayments = rows_table("Repayments", ["repayment", "bank reference", "amount", "paid on"], [
        (r["repayment_id"], r["bank_reference"], rupiah(r["amount"]), r["paid_on"]) for r in loan["repayments"]])
    return [summary, schedule, repayments]


def application_table(app: dict[str, Any]) -> Any:
    proposal = app["cooperative"] or app["partnership"] or {}
    return record_table(f"Loan application {app['application_id']}", [
        ("program", app["program"]), ("branch", app["branch_code"]), ("npp", app["npp"]),
        ("applicant", app["applicant_name"]), ("status", app["status"]),
        ("amount", rupiah(proposal.get("amount"))), ("term", f"{proposal.get('term_months', 0)} months"),
        ("rate", f"{app['rate_basis_points_per_year']} bp a year, flat"), ("interest", rupiah(app["interest"])),
        ("monthly instalment", rupiah(app["monthly_instalment"])), ("loan limit (W-K-2)", rupiah(app["loan_limit"])),
        ("required collateral (W-K-2)", rupiah(app["required_collateral"])),
        ("submitted", f"{app['submitted_on'] or ''} by {app['submitted_by']}"),
        ("checked", f"{app['checked_on'] or ''} by {app['checked_by']}" if app["checked_by"] else ""),
        ("approved", f"{app['approved_on'] or ''} by {app['approved_by']}" if app["approved_by"] else ""),
        ("agreement", f"{app['agreement_number']} signed {app['agreement_signed_on'] or ''} by {app['signed_by']}"
         if app["agreement_number"] else ""), ("loan", app["loan_id"]), ("disbursed on", app["disbursed_on"])])


def _steps(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("welfare", la_grpc.LoanApplicationServiceStub)


def _loans(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("welfare", loans_pb2_grpc.LoanServiceStub)


def _funds(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("welfare", fund_pb2_grpc.FundServiceStub)


def _show_application(ctx: typer.Context, application: Any, loan: Any = None, **extra: Any) -> None:
    shown: dict[str, Any] = {"application": plain(application), **extra}
    tables = [application_table(shown["application"]), reasons_table(shown["application"]["reasons"])]
    if loan is not None:
        shown["loan"] = plain(loan)
        tables += loan_tables(shown["loan"])
    show(session_of(ctx).as_json, shown, *tables)


# ---- proposals -------------------------------------------------------------------------------------
@coop_app.command("propose")
def propose(
    ctx: typer.Context,
    npp: Annotated[str, typer.Option("--npp", help="the employer whose workers' cooperative applies")],
    name: Annotated[str, typer.Option("--name", help="the cooperative")],
    founded: Annotated[date, typer.Option("--founded", parser=parse_date)],
    assets: Annotated[int, typer.Option("--assets", parser=parse_rupiah, help="total assets, whole rupiah")],
    amount: Annotated[int, typer.Option("--amount", parser=parse_rupiah)],
    term: Term,
    collateral: Annotated[int, typer.Option("--collateral", parser=parse_rupiah)] = 0,
    active: Annotated[bool, typer.Option("--active", help="W-K-1 declarations, verified on the documents")] = False,
    deed: Annotated[bool, typer.Option("--deed", help="has a deed of establishment")] = False,
    registered: Annotated[bool, typer.Option("--registered", help="a legal entity")] = False,
    good_standing: Annotated[bool, typer.Option("--good-standing")] = False,
    audited: Annotated[bool, typer.Option("--audited", help="audited financial statements")] = False,
    management_support: Annotated[bool, typer.Option("--management-support")] = False,
    employer_cooperative: Annotated[bool, typer.Option("--employer-cooperative",
                                                       help="the workers' cooperative of the employer")] = False,
    documents: Documents = None,
    submitted_on: Annotated[date | None, typer.Option("--submitted-on", parser=parse_date, help="default today")] = None,
    request_id: RequestId = None,
) -> None:
    """A workers' cooperative proposes a loan; W-K-2's terms are checked at once."""
    cooperative = la.Cooperative(
        name=name, founded_on=pb_date(founded), active=active, has_deed_of_establishment=deed, registered=registered,
        in_good_standing=good_standing, audited_financial_statements=audited, management_support=management_support,
        workers_cooperative_of_employer=employer_cooperative, total_assets=pb_money(assets))
    proposal = la.CooperativeLoanProposal(cooperative=cooperative, amount=pb_money(amount), term_months=term,
                                          collateral_value=pb_money(collateral), documents=documents_of(documents))
    response = session_of(ctx).stub("welfare", la_grpc.CooperativeLoanServiceStub).ProposeCooperativeLoan(
        la.ProposeCooperativeLoanRequest(request_id=new_request_id(request_id), npp=npp, proposal=proposal,
                                         submitted_on=pb_date(submitted_on)))
    _show_application(ctx, response.application)


@partnership_app.command("submit")
def submit_partnership(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch", help="the receiving branch")],
    name: Annotated[str, typer.Option("--name", help="the small business")],
    legal_form: Annotated[LegalForm, typer.Option("--legal-form", case_sensitive=False)],
    started: Annotated[date, typer.Option("--started", parser=parse_date)],
    net_assets: Annotated[int, typer.Option("--net-assets", parser=parse_rupiah, help="excluding land and buildings")],
    annual_sales: Annotated[int, typer.Option("--annual-sales", parser=parse_rupiah)],
    amount: Annotated[int, typer.Option("--amount", parser=parse_rupiah)],
    term: Term,
    kind: Annotated[PartnershipKind, typer.Option("--kind", case_sensitive=False)] = PartnershipKind.ORDINARY,
    partner_order: Annotated[str, typer.Option("--partner-order", help="SPECIAL: the partner's order")] = "",
    indonesian_owned: Annotated[bool, typer.Option("--indonesian-owned")] = False,
    independent: Annotated[bool, typer.Option("--independent", help="no subsidiary of a larger business")] = False,
    has_prospects: Annotated[bool, typer.Option("--has-prospects")] = False,
    documents: Documents = None,
    submitted_on: Annotated[date | None, typer.Option("--submitted-on", parser=parse_date)] = None,
    request_id: RequestId = None,
) -> None:
    """A small business applies for a partnership loan; W-M-1's terms are checked at once."""
    business = la.SmallBusiness(
        name=name, legal_form=proto_enum("LEGAL_FORM", legal_form.name, la), indonesian_owned=indonesian_owned,
        independent=independent, started_on=pb_date(started),
        net_assets_excluding_land_and_buildings=pb_money(net_assets), annual_sales=pb_money(annual_sales),
        has_prospects=has_prospects)
    proposal = la.PartnershipLoanProposal(
        business=business, kind=proto_enum("PARTNERSHIP_LOAN_KIND", kind.name, la), amount=pb_money(amount),
        term_months=term, partner_order_reference=partner_order, documents=documents_of(documents))
    response = session_of(ctx).stub("welfare", la_grpc.PartnershipLoanServiceStub).SubmitPartnershipLoan(
        la.SubmitPartnershipLoanRequest(request_id=new_request_id(request_id), branch_code=branch, proposal=proposal,
                                        submitted_on=pb_date(submitted_on)))
    _show_application(ctx, response.application)


# ---- the application's steps -------------------------------------------------------------------------
ApplicationId = Annotated[str, typer.Argument(help="the application id")]


@application_app.command("check")
def check(ctx: typer.Context, application_id: ApplicationId, request_id: RequestId = None) -> None:
    """Check the file against the read model: every reason that fails (a failed check rejects it)."""
    response = _steps(ctx).CheckLoanApplication(la.CheckLoanApplicationRequest(
        request_id=new_request_id(request_id), application_id=application_id))
    _show_application(ctx, response.application, eligible=response.eligible,
                      reasons=[plain(r) for r in response.reasons])


@application_app.command("approve")
def approve(ctx: typer.Context, application_id: ApplicationId, request_id: RequestId = None) -> None:
    """Branch head approves (never the officer who checked it: O-4)."""
    _show_application(ctx, _steps(ctx).ApproveLoanApplication(la.ApproveLoanApplicationRequest(
        request_id=new_request_id(request_id), application_id=application_id)).application)


@application_app.command("sign")
def sign(
    ctx: typer.Context, application_id: ApplicationId,
    agreement: Annotated[str, typer.Option("--agreement", help="the agreement's number")],
    signed_on: Annotated[date | None, typer.Option("--signed-on", parser=parse_date, help="default today")] = None,
    first_due: Annotated[date | None, typer.Option("--first-due", parser=parse_date,
                                                   help="default one month after signing")] = None,
    request_id: RequestId = None,
) -> None:
    """Branch head signs the loan agreement: the instalment schedule is fixed."""
    response = _steps(ctx).SignLoanAgreement(la.SignLoanAgreementRequest(
        request_id=new_request_id(request_id), application_id=application_id, agreement_number=agreement,
        signed_on=pb_date(signed_on), first_due_date=pb_date(first_due)))
    _show_application(ctx, response.application, response.loan)


@application_app.command("disburse")
def disburse(
    ctx: typer.Context, application_id: ApplicationId,
    reference: Annotated[str, typer.Option("--reference", help="the bank transfer's reference")],
    disbursed_on: Annotated[date | None, typer.Option("--disbursed-on", parser=parse_date)] = None,
    request_id: RequestId = None,
) -> None:
    """Finance transfers the loan from the region's fund (never beyond its balance)."""
    response = _steps(ctx).DisburseLoan(la.DisburseLoanRequest(
        request_id=new_request_id(request_id), application_id=application_id, transfer_reference=reference,
        disbursed_on=pb_date(disbursed_on)))
    _show_application(ctx, response.application, response.loan)


@application_app.command("show")
def show_application(ctx: typer.Context, application_id: ApplicationId) -> None:
    """One loan application with its terms and steps."""
    _show_application(ctx, _steps(ctx).GetLoanApplication(
        la.GetLoanApplicationRequest(application_id=application_id)).application)


@application_app.command("list")
def list_applications(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch")] = "",
    program: Annotated[WelfareProgram | None, typer.Option("--program", case_sensitive=False)] = None,
    status: Annotated[ApplicationStatus | None, typer.Option("--status", case_sensitive=False)] = None,
    limit: Limit = 50, page_token: PageToken = "",
) -> None:
    """Loan applications of a branch, by program and status."""
    response = _steps(ctx).ListLoanApplications(la.ListLoanApplicationsRequest(
        branch_code=branch, program=enum_or_unset("PROGRAM", program, common_pb2),
        status=enum_or_unset("LOAN_APPLICATION_STATUS", status, la), page=page(limit, page_token)))
    applications = [plain(a) for a in response.applications]
    show(session_of(ctx).as_json, {"applications": applications, "next_page_token": response.page.next_page_token},
         rows_table(f"Loan applications of {branch or 'your branches'}",
                    ["application", "program", "branch", "applicant", "status", "submitted on", "loan"],
                    [(a["application_id"], a["program"], a["branch_code"], a["applicant_name"], a["status"],
                      a["submitted_on"], a["loan_id"]) for a in applications]))


# ---- loans ---------------------------------------------------------------------------------------------
@loan_app.command("show")
def show_loan(ctx: typer.Context, loan_id: Annotated[str, typer.Argument()],
              as_of: Annotated[date | None, typer.Option("--as-of", parser=parse_date, help="arrears on (default today)")] = None
              ) -> None:
    """One loan: its instalment schedule, repayments and arrears on a day."""
    loan = plain(_loans(ctx).GetLoan(loans_pb2.GetLoanRequest(loan_id=loan_id, as_of=pb_date(as_of))).loan)
    show(session_of(ctx).as_json, {"loan": loan}, *loan_tables(loan))


@loan_app.command("list")
def list_loans(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch")] = "",
    program: Annotated[WelfareProgram | None, typer.Option("--program", case_sensitive=False)] = None,
    status: Annotated[LoanStatus | None, typer.Option("--status", case_sensitive=False)] = None,
    limit: Limit = 50, page_token: PageToken = "",
) -> None:
    """Loans of a branch, by program and status."""
    response = _loans(ctx).ListLoans(loans_pb2.ListLoansRequest(
        branch_code=branch, program=enum_or_unset("PROGRAM", program, common_pb2),
        status=enum_or_unset("LOAN_STATUS", status, loans_pb2), page=page(limit, page_token)))
    loans = [plain(loan) for loan in response.loans]
    show(session_of(ctx).as_json, {"loans": loans, "next_page_token": response.page.next_page_token},
         rows_table(f"Loans of {branch or 'your branches'}",
                    ["loan", "program", "borrower", "principal", "term", "status", "outstanding", "arrears"],
                    [(x["loan_id"], x["program"], x["borrower_name"], rupiah(x["principal"]), x["term_months"],
                      x["status"], rupiah(x["outstanding"]), rupiah(x["arrears"])) for x in loans]))


@loan_app.command("repay")
def repay(
    ctx: typer.Context, loan_id: Annotated[str, typer.Argument()],
    reference: Annotated[str, typer.Option("--reference", help="the bank reference (counted once)")],
    amount: Annotated[int, typer.Option("--amount", parser=parse_rupiah)],
    paid_on: Annotated[date, typer.Option("--paid-on", parser=parse_date)],
    request_id: RequestId = None,
) -> None:
    """Finance records a repayment: allocated to the oldest unpaid instalments."""
    response = _loans(ctx).RecordRepayment(loans_pb2.RecordRepaymentRequest(
        request_id=new_request_id(request_id), loan_id=loan_id, bank_reference=reference, amount=pb_money(amount),
        paid_on=pb_date(paid_on)))
    shown = plain(response)
    allocations = rows_table("Allocated to instalments", ["#", "amount"],
                             [(a["number"], rupiah(a["amount"])) for a in shown["allocations"]])
    show(session_of(ctx).as_json, shown, allocations, *loan_tables(shown["loan"]))


@loan_app.command("flag-late")
def flag_late(ctx: typer.Context,
              as_of: Annotated[date | None, typer.Option("--as-of", parser=parse_date)] = None,
              request_id: RequestId = None) -> None:
    """Flag the branch's instalments unpaid after their due date, once each (W-P-5)."""
    shown = plain(_loans(ctx).FlagLateInstalments(loans_pb2.FlagLateInstalmentsRequest(
        request_id=new_request_id(request_id), as_of=pb_date(as_of))))
    show(session_of(ctx).as_json, shown, rows_table("Instalments flagged late", ["loan", "program", "#", "due", "outstanding"], [
        (f["loan_id"], f["program"], f["number"], f["due_date"], rupiah(f["outstanding"])) for f in shown["flagged"]]))


# ---- funds ---------------------------------------------------------------------------------------------
Region = Annotated[str, typer.Option("--region", help="a regional office, KW-...")]
FundOption = Annotated[FundChoice, typer.Option("--fund", case_sensitive=False)]


@fund_app.command("allocate")
def allocate(
    ctx: typer.Context, region: Region,
    amount: Annotated[int, typer.Option("--amount", parser=parse_rupiah)],
    reference: Annotated[str, typer.Option("--reference", help="the allocation's decree or reference")],
    reason: Annotated[str, typer.Option("--reason", help="why, for the ledger")],
    fund: FundOption = FundChoice.DPKP,
    booked_on: Annotated[date | None, typer.Option("--booked-on", parser=parse_date)] = None,
    request_id: RequestId = None,
) -> None:
    """Allocate money to a region's fund (head office: any region; a regional officer: its own)."""
    shown = plain(_funds(ctx).AllocateToFund(fund_pb2.AllocateToFundRequest(
        request_id=new_request_id(request_id), region_code=region, fund=proto_enum("FUND", fund.name, fund_pb2),
        amount=pb_money(amount), booked_on=pb_date(booked_on), reference=reference, reason=reason)))
    entry = shown["entry"]
    show(session_of(ctx).as_json, shown, record_table(f"Allocated to {entry['region_code']} {entry['fund']}", [
        ("entry", entry["entry_id"]), ("amount", rupiah(entry["amount"])), ("booked on", entry["booked_on"]),
        ("reference", entry["reference"]), ("balance", rupiah(shown["balance"]))]))


@fund_app.command("balance")
def balance(ctx: typer.Context, region: Region, fund: FundOption = FundChoice.DPKP,
            on: Annotated[date | None, typer.Option("--on", parser=parse_date, help="default today")] = None,
            entries: Annotated[bool, typer.Option("--entries", help="with the ledger entries")] = False) -> None:
    """A region's fund balance on a day (the sum of its entries up to it)."""
    stub = _funds(ctx)
    shown: dict[str, Any] = plain(stub.GetFundBalance(fund_pb2.GetFundBalanceRequest(
        region_code=region, fund=proto_enum("FUND", fund.name, fund_pb2), on_date=pb_date(on))))
    tables = [record_table(f"Fund {shown['region_code']} {shown['fund']}", [
        ("on", shown["on_date"]), ("balance", rupiah(shown["balance"]))])]
    if entries:
        listed = stub.ListFundEntries(fund_pb2.ListFundEntriesRequest(
            region_code=region, fund=proto_enum("FUND", fund.name, fund_pb2), page=page(500, "")))
        shown["entries"] = [plain(e) for e in listed.entries]
        tables.append(rows_table("Entries", ["entry", "kind", "amount", "booked on", "reference", "loan"], [
            (e["entry_id"], e["kind"], rupiah(e["amount"]), e["booked_on"], e["reference"], e["loan_id"])
            for e in shown["entries"]]))
    show(session_of(ctx).as_json, shown, *tables)
