"""`jamsos claim` and `jamsos accident`: benefit claims from the counter to approval (B-JHT, B-JKK, B-JK, B-JPK).

Each command is one ClaimService call. `claim submit jht|jkk|jk|jpk` opens a claim of that
program; the workflow steps name the claim by id; `claim show` prints its history. A time
(accident, report) is ISO 8601; without an offset it is read as UTC.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any

import typer
from google.protobuf.timestamp_pb2 import Timestamp

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import claims_pb2_grpc
from jamsos.common.v1 import types_pb2

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, rupiah, show
from .values import enum_or_unset
from .values import parse_date, parse_rupiah, pb_date, pb_money, proto_enum

app = typer.Typer(help="Benefit claims: submit, check documents, assess, approve, reject, hold, show, list.",
                  no_args_is_help=True)
submit_app = typer.Typer(help="Open a claim: jht (with its reason), jkk (the accident), jk (the heirs), jpk (a refund).",
                         no_args_is_help=True)
accident_app = typer.Typer(help="The employer's accident reports, stage I and II (B-JKK-1).", no_args_is_help=True)
app.add_typer(submit_app, name="submit")


class JhtReason(str, Enum):
    AGE_55 = "age-55"
    DEATH = "death"
    TOTAL_DISABILITY = "total-disability"
    LEFT_COUNTRY = "left-country"
    CIVIL_SERVICE = "civil-service"
    TERMINATION = "termination"


class JkkCause(str, Enum):
    WORK_ACCIDENT = "work-accident"
    OCCUPATIONAL_DISEASE = "occupational-disease"


class Outcome(str, Enum):
    RECOVERED = "recovered"
    PARTIAL_DISABILITY = "partial-disability"
    TOTAL_DISABILITY = "total-disability"
    DEATH = "death"


class Stage(str, Enum):
    ONE = "1"
    TWO = "2"


class StateChoice(str, Enum):
    SUBMITTED = "submitted"
    DOCUMENTS_CHECKED = "documents-checked"
    ASSESSED = "assessed"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"
    ON_HOLD = "on-hold"


class ProgramChoice(str, Enum):
    JHT = "JHT"
    JKK = "JKK"
    JK = "JK"
    JPK = "JPK"


HEIR_RELATIONS = ("spouse", "child", "parent", "sibling", "grandparent", "grandchild", "will-named")
TRANSPORT_MODES = ("land", "sea", "air")


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("benefits", claims_pb2_grpc.ClaimServiceStub)


def parse_moment(text: str) -> datetime:
    """An ISO 8601 time (2024-03-04T08:00, or with +07:00); no offset means UTC."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time (YYYY-MM-DDTHH:MM[+HH:MM])") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pb_time(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def _page(limit: int, page_token: str) -> types_pb2.PageRequest:
    return types_pb2.PageRequest(page_size=limit, page_token=page_token)


# ---- what a claim looks like --------------------------------------------------------------------
def claim_tables(claim: dict[str, Any], with_history: bool = False) -> list[Any]:
    assessment = claim["assessment"] or {}
    summary = record_table(f"Claim {claim['claim_id']}", [
        ("kpj", claim["kpj"]), ("npp", claim["npp"]), ("branch", claim["branch_code"]),
        ("program", claim["program"]), ("reason", claim["reason"]), ("state", claim["state"]),
        ("claimed on", claim["claimed_on"]), ("documents received", claim["documents_received"]),
        ("documents missing", claim["documents_missing"]), ("complete on", claim["complete_on"]),
        ("payment due on (B-JHT-3)", claim["payment_due_on"]),
        ("deadline", f"{claim['deadline']}, {claim['days_left']} days left" if claim["payment_due_on"] else ""),
        ("lump sum", rupiah(assessment["lump_sum"]) if assessment else ""),
        ("total", rupiah(assessment["total"]) if assessment else ""),
        ("approved by", claim["approved_by"]), ("settled (JHT)", rupiah(claim["settled_amount"])),
        ("paid on", claim["paid_on"]),
        ("rejected", f"{claim['rejection']['rule_id']} {claim['rejection']['reason_code']}: {claim['rejection']['reason']}"
         if claim["rejection"] else "")])
    items = rows_table("Assessment", ["item", "rule", "description", "claimed", "amount"], [
        (i["code"], i["rule_id"], i["description"], rupiah(i["claimed"]) if i["claimed"] else "", rupiah(i["amount"]))
        for i in assessment.get("items", [])])
    periodic = rows_table("Periodic benefits", ["benefit", "rule", "monthly", "months", "total"], [
        (p["code"], p["rule_id"], rupiah(p["monthly"]), p["months"], rupiah(p["total"]))
        for p in assessment.get("periodic", [])])
    reports = rows_table("Accident reports (B-JKK-1)", ["stage", "occurred", "reported", "hours", "late", "outcome"], [
        (r["stage"], r["occurred_at"], r["reported_at"], r["hours_taken"], r["late"], r["outcome"])
        for r in claim["accident_reports"]])
    letters = rows_table("Confirmation letters", ["letter", "question", "issued", "answer", "answered"], [
        (ltr["letter_number"], ltr["question"], ltr["issued_on"], ltr["answer"], ltr["answered_on"])
        for ltr in claim["letters"]])
    tables = [summary, items, periodic, reports, letters]
    if with_history:
        tables.append(rows_table("History", ["step", "from", "to", "by", "office", "at", "why", "rule"], [
            (h["step"], h["from_state"], h["to_state"], h["by"], h["office_code"], h["at"], h["why"], h["rule_id"])
            for h in claim["history"]]))
    return tables


def _answer(ctx: typer.Context, response: Any, with_history: bool = False) -> None:
    claim = plain(response.claim)
    show(session_of(ctx).as_json, {"claim": claim}, *claim_tables(claim, with_history))


CLAIM_COLUMNS = ["claim", "kpj", "branch", "program", "reason", "state", "claimed on", "due on", "days left", "total"]


def claim_rows(claims: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(c["claim_id"], c["kpj"], c["branch_code"], c["program"], c["reason"], c["state"], c["claimed_on"],
             c["payment_due_on"], c["days_left"] if c["payment_due_on"] else "",
             rupiah(c["assessment"]["total"]) if c["assessment"] else "") for c in claims]


# ---- submission -----------------------------------------------------------------------------------
Kpj = Annotated[str, typer.Argument(help="the member's KPJ")]
Holder = Annotated[str, typer.Option("--holder", help="the beneficiary's name on the bank account")]
Bank = Annotated[str, typer.Option("--bank", help="the beneficiary's bank")]
Account = Annotated[str, typer.Option("--account", help="account number, 6 to 20 digits")]
ClaimedOn = Annotated[date | None, typer.Option("--claimed-on", parser=parse_date, help="day filed (default today)")]


def _submit(ctx: typer.Context, request_id: str | None, kpj: str, claimed_on: date | None, holder: str, bank: str,
            account: str, **details: Any) -> None:
    request = pb.SubmitClaimRequest(
        request_id=new_request_id(request_id), kpj=kpj, claimed_on=pb_date(claimed_on),
        beneficiary=pb.BankAccount(holder_name=holder, bank_name=bank, account_number=account), **details)
    _answer(ctx, _stub(ctx).SubmitClaim(request))


@submit_app.command("jht")
def submit_jht(
    ctx: typer.Context, kpj: Kpj,
    reason: Annotated[JhtReason, typer.Option("--reason", case_sensitive=False, help="B-JHT-1")],
    holder: Holder, bank: Bank, account: Account,
    death_date: Annotated[date | None, typer.Option("--death-date", parser=parse_date,
                                                    help="reason death, when membership has not recorded it")] = None,
    claimed_on: ClaimedOn = None, request_id: RequestId = None,
) -> None:
    """A JHT claim (old-age savings) for its reason (B-JHT-1)."""
    details = pb.JhtClaim(reason=proto_enum("JHT_REASON", reason.name, pb), death_date=pb_date(death_date))
    _submit(ctx, request_id, kpj, claimed_on, holder, bank, account, jht=details)


@submit_app.command("jkk")
def submit_jkk(
    ctx: typer.Context, kpj: Kpj,
    accident_at: Annotated[datetime, typer.Option("--accident-at", parser=parse_moment, help="when it happened")],
    holder: Holder, bank: Bank, account: Account,
    cause: Annotated[JkkCause, typer.Option("--cause", case_sensitive=False)] = JkkCause.WORK_ACCIDENT,
    reported_at: Annotated[datetime | None, typer.Option("--reported-at", parser=parse_moment,
                                                         help="the employer's stage I report (B-JKK-1)")] = None,
    description: Annotated[str, typer.Option("--description")] = "",
    claimed_on: ClaimedOn = None, request_id: RequestId = None,
) -> None:
    """A JKK claim (work accident or occupational disease) with the accident (B-JKK-1)."""
    details = pb.JkkClaim(cause=proto_enum("JKK_CAUSE", cause.name, pb), accident_at=pb_time(accident_at),
                          stage_one_reported_at=pb_time(reported_at), description=description)
    _submit(ctx, request_id, kpj, claimed_on, holder, bank, account, jkk=details)


def parse_heir(text: str) -> pb.Heir:
    """NAME=RELATION[,NIK], e.g. "Ani Lestari=spouse,1275014101900002"."""
    name, _, rest = str(text).partition("=")
    relation, _, nik = rest.partition(",")
    if not name.strip() or relation.strip().lower() not in HEIR_RELATIONS:
        raise typer.BadParameter(f"{text!r}: expected NAME=RELATION[,NIK], relation one of {', '.join(HEIR_RELATIONS)}")
    return pb.Heir(name=name.strip(), nik=nik.strip(),
                   relation=proto_enum("HEIR_RELATION", relation.strip().upper(), pb))


@submit_app.command("jk")
def submit_jk(
    ctx: typer.Context, kpj: Kpj,
    death_date: Annotated[date, typer.Option("--death-date", parser=parse_date)],
    heirs: Annotated[list[pb.Heir], typer.Option("--heir", parser=parse_heir,
                                                 help="NAME=RELATION[,NIK] (repeatable); B-JK-1 picks who inherits")],
    holder: Holder, bank: Bank, account: Account,
    periodic_at_once: Annotated[bool, typer.Option("--periodic-at-once", help="the periodic part paid at once")] = False,
    claimed_on: ClaimedOn = None, request_id: RequestId = None,
) -> None:
    """A JK claim (death not from a work accident) with every candidate heir (B-JK-1)."""
    details = pb.JkClaim(death_date=pb_date(death_date), heirs=heirs, periodic_at_once=periodic_at_once)
    _submit(ctx, request_id, kpj, claimed_on, holder, bank, account, jk=details)


@submit_app.command("jpk")
def submit_jpk(
    ctx: typer.Context, kpj: Kpj,
    care_date: Annotated[date, typer.Option("--care-date", parser=parse_date)],
    facility: Annotated[str, typer.Option("--facility", help="the facility code")],
    claimed: Annotated[int, typer.Option("--claimed", parser=parse_rupiah, help="the receipt, whole rupiah")],
    holder: Holder, bank: Bank, account: Account,
    claimed_on: ClaimedOn = None, request_id: RequestId = None,
) -> None:
    """A JPK refund of health care paid out of pocket."""
    details = pb.JpkClaim(care_date=pb_date(care_date), facility_code=facility, claimed=pb_money(claimed))
    _submit(ctx, request_id, kpj, claimed_on, holder, bank, account, jpk=details)


# ---- the workflow -----------------------------------------------------------------------------------
ClaimId = Annotated[str, typer.Argument(help="the claim id")]


@app.command("documents")
def check_documents(
    ctx: typer.Context, claim_id: ClaimId,
    documents: Annotated[list[str], typer.Option("--doc", help="a document code received, e.g. KPJ_ORIGINAL (repeatable)")],
    request_id: RequestId = None,
) -> None:
    """Record documents received against the checklist (B-JHT-2, B-JKK-9); lists what is still missing."""
    _answer(ctx, _stub(ctx).CheckDocuments(pb.CheckDocumentsRequest(
        request_id=new_request_id(request_id), claim_id=claim_id, documents=documents)))


def parse_transport(text: str) -> pb.TransportReceipt:
    """MODE=RUPIAH, e.g. land=900000."""
    mode, _, amount = str(text).partition("=")
    if mode.strip().lower() not in TRANSPORT_MODES:
        raise typer.BadParameter(f"{text!r}: expected MODE=RUPIAH, mode one of {', '.join(TRANSPORT_MODES)}")
    return pb.TransportReceipt(mode=proto_enum("TRANSPORT_MODE", mode.strip(), pb), amount=pb_money(parse_rupiah(amount)))


def parse_disability(text: str) -> pb.DisabilityFinding:
    """CODE[:PERCENTAGE[:LOSS_OF_FUNCTION_PCT]], e.g. SIGHT_ONE_EYE or FINGER_INDEX:0:50."""
    code, *numbers = str(text).strip().split(":")
    try:
        values = [int(n) for n in numbers]
    except ValueError:
        values = [-1]
    if not code or len(values) > 2 or any(not 0 <= v <= 100 for v in values):
        raise typer.BadParameter(f"{text!r}: expected CODE[:PERCENTAGE[:LOSS_OF_FUNCTION_PCT]], percentages 0..100")
    percentage, loss = (values + [0, 0])[:2]
    return pb.DisabilityFinding(code=code, percentage=percentage, loss_of_function_pct=loss)


Rupiah = Annotated[int, typer.Option(parser=parse_rupiah)]


@app.command("assess")
def assess(
    ctx: typer.Context, claim_id: ClaimId,
    transport: Annotated[list[pb.TransportReceipt] | None, typer.Option(
        "--transport", parser=parse_transport, help="JKK: MODE=RUPIAH receipt (repeatable; land, sea, air)")] = None,
    stmb_months: Annotated[int, typer.Option("--stmb-months", min=0, max=1200, help="JKK: months unable to work")] = 0,
    stmb_extra_days: Annotated[int, typer.Option("--stmb-extra-days", min=0, max=31)] = 0,
    medical: Annotated[int, typer.Option("--medical", parser=parse_rupiah, help="JKK: medical care claimed")] = 0,
    dentures: Annotated[int, typer.Option("--dentures", parser=parse_rupiah)] = 0,
    disabilities: Annotated[list[pb.DisabilityFinding] | None, typer.Option(
        "--disability", parser=parse_disability, help="JKK: CODE[:PCT[:LOSS_PCT]] of the table (B-JKK-5)")] = None,
    left_handed: Annotated[bool, typer.Option("--left-handed")] = False,
    rehabilitation_price: Annotated[int, typer.Option("--rehabilitation-price", parser=parse_rupiah)] = 0,
    medical_rehabilitation: Annotated[int, typer.Option("--medical-rehabilitation", parser=parse_rupiah)] = 0,
    request_id: RequestId = None,
) -> None:
    """Assess the amount, itemised (JKK with what the officer verified; JHT and JK from the claim)."""
    request = pb.AssessClaimRequest(request_id=new_request_id(request_id), claim_id=claim_id)
    jkk_given = (transport, stmb_months, stmb_extra_days, medical, dentures, disabilities, left_handed,
                 rehabilitation_price, medical_rehabilitation)
    if any(jkk_given) or _program_of(ctx, claim_id) == pb.PROGRAM_JKK:
        request.jkk.CopyFrom(pb.JkkAssessment(
            transport=transport or [], stmb_months=stmb_months, stmb_extra_days=stmb_extra_days,
            medical_claimed=pb_money(medical), dentures_claimed=pb_money(dentures), disabilities=disabilities or [],
            left_handed=left_handed, rehabilitation_price=pb_money(rehabilitation_price),
            medical_rehabilitation_claimed=pb_money(medical_rehabilitation)))
    _answer(ctx, _stub(ctx).AssessClaim(request))


def _program_of(ctx: typer.Context, claim_id: str) -> int:
    return int(_stub(ctx).GetClaim(pb.GetClaimRequest(claim_id=claim_id)).claim.program)


@app.command("approve")
def approve(ctx: typer.Context, claim_id: ClaimId, request_id: RequestId = None) -> None:
    """Approve (branch head, never the officer who checked or assessed it: O-4)."""
    _answer(ctx, _stub(ctx).ApproveClaim(pb.ApproveClaimRequest(request_id=new_request_id(request_id),
                                                                 claim_id=claim_id)))


@app.command("reject")
def reject(
    ctx: typer.Context, claim_id: ClaimId,
    rule: Annotated[str, typer.Option("--rule", help="the rule not met, e.g. B-JHT-1")],
    code: Annotated[str, typer.Option("--code", help="machine-readable reason, e.g. UNDER_55")],
    reason: Annotated[str, typer.Option("--reason", help="in words, for the member")],
    request_id: RequestId = None,
) -> None:
    """Reject, naming the rule not met."""
    _answer(ctx, _stub(ctx).RejectClaim(pb.RejectClaimRequest(
        request_id=new_request_id(request_id), claim_id=claim_id, rule_id=rule, reason_code=code, reason=reason)))


@app.command("hold")
def hold(
    ctx: typer.Context, claim_id: ClaimId,
    letter: Annotated[str, typer.Option("--letter", help="the confirmation letter's number")],
    question: Annotated[str, typer.Option("--question")],
    request_id: RequestId = None,
) -> None:
    """Put a doubtful claim on hold with a confirmation letter (stage 1)."""
    _answer(ctx, _stub(ctx).PutClaimOnHold(pb.PutClaimOnHoldRequest(
        request_id=new_request_id(request_id), claim_id=claim_id, letter_number=letter, question=question)))


@app.command("answer")
def answer(
    ctx: typer.Context, claim_id: ClaimId,
    letter: Annotated[str, typer.Option("--letter")],
    text: Annotated[str, typer.Option("--answer", help="what the letter was answered")],
    request_id: RequestId = None,
) -> None:
    """Record the answer to a confirmation letter: the claim goes back to where it was."""
    _answer(ctx, _stub(ctx).AnswerConfirmationLetter(pb.AnswerConfirmationLetterRequest(
        request_id=new_request_id(request_id), claim_id=claim_id, letter_number=letter, answer=text)))


@app.command("show")
def show_claim(ctx: typer.Context, claim_id: ClaimId) -> None:
    """One claim with its assessment, reports, letters and whole history."""
    _answer(ctx, _stub(ctx).GetClaim(pb.GetClaimRequest(claim_id=claim_id)), with_history=True)


Limit = Annotated[int, typer.Option("--limit", min=1, max=500)]
PageToken = Annotated[str, typer.Option("--page-token", help="the next_page_token of the previous page")]


def _listed(ctx: typer.Context, title: str, response: Any) -> None:
    claims = [plain(c) for c in response.claims]
    shown = {"claims": claims, "next_page_token": response.page.next_page_token}
    footer = [record_table("More", [("next page", response.page.next_page_token)])] if response.page.next_page_token else []
    show(session_of(ctx).as_json, shown, rows_table(title, CLAIM_COLUMNS, claim_rows(claims)), *footer)


@app.command("list")
def list_claims(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch", help="one branch; empty: every branch you read")] = "",
    state: Annotated[StateChoice | None, typer.Option("--state", case_sensitive=False)] = None,
    program: Annotated[ProgramChoice | None, typer.Option("--program", case_sensitive=False)] = None,
    kpj: Annotated[str, typer.Option("--kpj", help="one member's claims (then branch, state, program are ignored)")] = "",
    limit: Limit = 50, page_token: PageToken = "",
) -> None:
    """Claims newest first: of a branch, a state, a program, or one member."""
    if kpj:
        response = _stub(ctx).ListWorkerClaims(pb.ListWorkerClaimsRequest(kpj=kpj, page=_page(limit, page_token)))
    else:
        response = _stub(ctx).ListClaims(pb.ListClaimsRequest(
            branch_code=branch, state=enum_or_unset("CLAIM_STATE", state, pb),
            program=enum_or_unset("PROGRAM", program, pb), page=_page(limit, page_token)))
    _listed(ctx, f"Claims of {kpj or branch or 'your branches'}", response)


@app.command("at-risk")
def at_risk(ctx: typer.Context, branch: Annotated[str, typer.Option("--branch")] = "",
            limit: Limit = 50, page_token: PageToken = "") -> None:
    """Open JHT claims whose 30 days (B-JHT-3) run out soon, or are over."""
    response = _stub(ctx).ListClaimsAtRisk(pb.ListClaimsAtRiskRequest(branch_code=branch, page=_page(limit, page_token)))
    _listed(ctx, "JHT claims at risk of B-JHT-3's 30 days", response)


@accident_app.command("report")
def report_accident(
    ctx: typer.Context, claim_id: ClaimId,
    stage: Annotated[Stage, typer.Option("--stage", help="1: the accident; 2: the doctor's declaration")],
    occurred_at: Annotated[datetime, typer.Option("--occurred-at", parser=parse_moment,
                                                  help="stage 1: the accident; stage 2: the declaration")],
    reported_at: Annotated[datetime, typer.Option("--reported-at", parser=parse_moment)],
    outcome: Annotated[Outcome | None, typer.Option("--outcome", case_sensitive=False, help="stage 2 only")] = None,
    request_id: RequestId = None,
) -> None:
    """The employer's stage I or II report; beyond 2 x 24 hours it is flagged late, never refused (B-JKK-1)."""
    _answer(ctx, _stub(ctx).ReportAccident(pb.ReportAccidentRequest(
        request_id=new_request_id(request_id), claim_id=claim_id,
        stage=pb.REPORT_STAGE_ONE if stage is Stage.ONE else pb.REPORT_STAGE_TWO,
        occurred_at=pb_time(occurred_at), reported_at=pb_time(reported_at),
        outcome=enum_or_unset("JKK_OUTCOME", outcome, pb))))
