"""Protobuf <-> domain for the claims component (claims.proto), with the request's field names.

Decoding turns a request into a command or raises InvalidArgument naming each bad field as
the client sent it (`jkk.accident_at`, `jk.heirs[1].relation`, `beneficiary.account_number`):
unknown enum values, missing fields, impossible dates and times, negative amounts.
Encoding turns a claim (and its letters) into the Claim message.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from jamsos.benefits.v1 import claims_pb2 as pb
from services.benefits.adapters.claim_repository import Letter
from services.benefits.domain.accident_reports import AccidentReport, ReportStage
from services.benefits.domain.benefit_items import Assessment
from services.benefits.domain.benefit_rules import TransportMode
from services.benefits.domain.claim_assessment import JkkFindings
from services.benefits.domain.claim_details import JhtDetails, JkDetails, JkkDetails, JpkDetails
from services.benefits.domain.claim_submission import NewClaim
from services.benefits.domain.claims import Claim, ClaimState
from services.benefits.domain.jht import Deadline
from services.benefits.domain.jk import Heir, HeirRelation
from services.benefits.domain.jkk import DisabilityFinding, JkkOutcome
from services.benefits.domain.payouts import BankAccount, bank_account
from services.benefits.domain.programs import JhtReason, JkkCause, JkReason, JpkReason, Program
from services.chassis.convert import enum_in, from_date, from_rupiah, to_date
from services.chassis.errors import FieldViolation, InvalidArgument, Violations

PROGRAM = {pb.PROGRAM_JHT: Program.JHT, pb.PROGRAM_JKK: Program.JKK, pb.PROGRAM_JK: Program.JK,
           pb.PROGRAM_JPK: Program.JPK}
STATE = {getattr(pb, f"CLAIM_STATE_{s.value}"): s for s in ClaimState}
JHT_REASON = {getattr(pb, f"JHT_REASON_{r.value}"): r for r in JhtReason}
JKK_CAUSE = {getattr(pb, f"JKK_CAUSE_{c.value}"): c for c in JkkCause}
JKK_OUTCOME = {getattr(pb, f"JKK_OUTCOME_{o.value}"): o for o in JkkOutcome}
STAGE = {pb.REPORT_STAGE_ONE: ReportStage.STAGE_ONE, pb.REPORT_STAGE_TWO: ReportStage.STAGE_TWO}
RELATION = {getattr(pb, f"HEIR_RELATION_{r.value}"): r for r in HeirRelation}
TRANSPORT = {getattr(pb, f"TRANSPORT_MODE_{m.value}"): m for m in TransportMode}
DEADLINE = {Deadline.ON_TIME: pb.DEADLINE_ON_TIME, Deadline.AT_RISK: pb.DEADLINE_AT_RISK,
            Deadline.OVERDUE: pb.DEADLINE_OVERDUE, Deadline.ON_HOLD: pb.DEADLINE_ON_HOLD}
PROGRAM_TO_PROTO = {v: k for k, v in PROGRAM.items()}
STATE_TO_PROTO = {v: k for k, v in STATE.items()}
JHT_REASON_TO_PROTO = {v: k for k, v in JHT_REASON.items()}
JKK_CAUSE_TO_PROTO = {v.value: k for k, v in JKK_CAUSE.items()}
OUTCOME_TO_PROTO = {v: k for k, v in JKK_OUTCOME.items()}
STAGE_TO_PROTO = {v: k for k, v in STAGE.items()}
RELATION_TO_PROTO = {v: k for k, v in RELATION.items()}
# A Timestamp the platform accepts: 0001-01-01 .. 9999-12-31 (what a datetime can hold).
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799


# ---- decoding --------------------------------------------------------------------------
def optional_date(parent, name: str, v: Violations, field: str) -> date | None:
    try:
        return to_date(parent, name, required=False, field=field)
    except InvalidArgument as error:
        v.items.extend(error.violations)
        return None


def required_date(parent, name: str, v: Violations, field: str) -> date | None:
    if not parent.HasField(name):
        v.add(field, "is required")
        return None
    return optional_date(parent, name, v, field)


def timestamp(parent, name: str, v: Violations, field: str, *, required: bool = True) -> datetime | None:
    """A Timestamp as an aware UTC datetime; out of a calendar's range is InvalidArgument."""
    if not parent.HasField(name):
        if required:
            v.add(field, "is required")
        return None
    stamp = getattr(parent, name)
    if not (_MIN_SECONDS <= stamp.seconds <= _MAX_SECONDS and 0 <= stamp.nanos <= 999_999_999):
        v.add(field, "not a time between the years 1 and 9999")
        return None
    return stamp.ToDatetime(tzinfo=UTC)


def amount(parent, name: str, v: Violations, field: str) -> int:
    """A Money field as rupiah: unset is 0, negative is refused."""
    if not parent.HasField(name):
        return 0
    value = int(getattr(parent, name).rupiah)
    if value < 0:
        v.add(f"{field}.rupiah", "must not be negative")
        return 0
    return value


def require_claim_id(request) -> str:
    if not request.claim_id.strip():
        raise InvalidArgument.field("claim_id", "is required")
    return request.claim_id.strip()


def require_kpj(request) -> str:
    kpj = "".join(ch for ch in request.kpj if ch.isdigit())
    if not kpj:
        raise InvalidArgument.field("kpj", "is required")
    return kpj


def beneficiary_of(request, v: Violations) -> BankAccount | None:
    if not request.HasField("beneficiary"):
        v.add("beneficiary", "is required: who receives the money")
        return None
    b = request.beneficiary
    try:
        return bank_account(b.holder_name, b.bank_name, b.account_number)
    except InvalidArgument as error:
        v.items.extend(error.violations)
        return None


def submit_command(request: pb.SubmitClaimRequest) -> tuple[str, NewClaim]:
    v = Violations()
    kpj = require_kpj(request)
    claimed_on = optional_date(request, "claimed_on", v, "claimed_on")
    beneficiary = beneficiary_of(request, v)
    which = request.WhichOneof("details")
    program, reason, details, reported = None, "", None, None
    if which is None:
        v.add("details", "one of jht, jkk, jk, jpk is required: it names the program")
    elif which == "jht":
        program, (reason, details) = Program.JHT, _jht(request.jht, v)
    elif which == "jkk":
        program, (reason, details, reported) = Program.JKK, _jkk(request.jkk, v)
    elif which == "jk":
        program, reason, details = Program.JK, JkReason.DEATH.value, _jk(request.jk, v)
    else:
        program, reason, details = Program.JPK, JpkReason.REIMBURSEMENT.value, _jpk(request.jpk, v)
    v.raise_if_any()
    assert program is not None and details is not None and beneficiary is not None
    return kpj, NewClaim(program=program, reason=reason, details=details, beneficiary=beneficiary,
                         claimed_on=claimed_on, stage_one_reported_at=reported)


def _jht(message: pb.JhtClaim, v: Violations) -> tuple[str, JhtDetails | None]:
    reason = enum_in(JHT_REASON, message.reason, "jht.reason", v)
    return (reason.value if reason else ""), JhtDetails(optional_date(message, "death_date", v, "jht.death_date"))


def _jkk(message: pb.JkkClaim, v: Violations) -> tuple[str, JkkDetails | None, datetime | None]:
    cause = enum_in(JKK_CAUSE, message.cause, "jkk.cause", v)
    accident_at = timestamp(message, "accident_at", v, "jkk.accident_at")
    reported = timestamp(message, "stage_one_reported_at", v, "jkk.stage_one_reported_at", required=False)
    details = JkkDetails(accident_at, " ".join(message.description.split())) if accident_at else None
    return (cause.value if cause else ""), details, reported


def _jk(message: pb.JkClaim, v: Violations) -> JkDetails | None:
    died = required_date(message, "death_date", v, "jk.death_date")
    heirs = []
    for i, heir in enumerate(message.heirs):
        relation = enum_in(RELATION, heir.relation, f"jk.heirs[{i}].relation", v)
        name = " ".join(heir.name.split())
        if not name:
            v.add(f"jk.heirs[{i}].name", "is required")
        elif relation is not None:
            try:
                heirs.append(Heir(name, relation, heir.nik.strip()))
            except InvalidArgument as error:
                v.items.extend(FieldViolation(f"jk.heirs[{i}].{x.field.split('.')[-1]}", x.reason)
                               for x in error.violations)
    return JkDetails(died, tuple(heirs), message.periodic_at_once) if died else None


def _jpk(message: pb.JpkClaim, v: Violations) -> JpkDetails | None:
    care = required_date(message, "care_date", v, "jpk.care_date")
    if not message.facility_code.strip():
        v.add("jpk.facility_code", "is required")
    if not message.HasField("claimed"):
        v.add("jpk.claimed", "is required")
    claimed = amount(message, "claimed", v, "jpk.claimed")
    return JpkDetails(care, message.facility_code.strip(), "REIMBURSEMENT", claimed) if care else None


def jkk_findings(request: pb.AssessClaimRequest) -> JkkFindings | None:
    """The JKK assessment input, or None when the request has none (JHT, JK)."""
    if not request.HasField("jkk"):
        return None
    m, v = request.jkk, Violations()
    transport = []
    for i, receipt in enumerate(m.transport):
        mode = enum_in(TRANSPORT, receipt.mode, f"jkk.transport[{i}].mode", v)
        value = amount(receipt, "amount", v, f"jkk.transport[{i}].amount")
        if mode is not None:
            transport.append((mode, value))
    findings = []
    for i, finding in enumerate(m.disabilities):
        known = len(v.items)
        for name in ("percentage", "loss_of_function_pct"):
            if not 0 <= getattr(finding, name) <= 100:
                v.add(f"jkk.disabilities[{i}].{name}", "must be 0..100")
        if not finding.code.strip():
            v.add(f"jkk.disabilities[{i}].code", "is required")
        if len(v.items) > known:
            continue
        with _collect(v, f"jkk.disabilities[{i}]."):
            findings.append(DisabilityFinding(finding.code.strip().upper(), finding.percentage or None,
                                              finding.loss_of_function_pct or 100))
    for name in ("stmb_months", "stmb_extra_days"):
        if getattr(m, name) < 0:
            v.add(f"jkk.{name}", "must not be negative")
    money = {name: amount(m, name, v, f"jkk.{name}") for name in (
        "medical_claimed", "dentures_claimed", "rehabilitation_price", "medical_rehabilitation_claimed")}
    v.raise_if_any()
    return JkkFindings(transport=tuple(transport), stmb_months=m.stmb_months, stmb_extra_days=m.stmb_extra_days,
                       disabilities=tuple(findings), left_handed=m.left_handed, **money)


@contextmanager
def _collect(v: Violations, prefix: str) -> Iterator[None]:
    try:
        yield
    except InvalidArgument as error:
        v.items.extend(FieldViolation(prefix + x.field.split(".")[-1], x.reason) for x in error.violations)


def report_command(request: pb.ReportAccidentRequest) -> tuple[ReportStage, datetime, datetime, JkkOutcome | None]:
    v = Violations()
    stage = enum_in(STAGE, request.stage, "stage", v)
    occurred = timestamp(request, "occurred_at", v, "occurred_at")
    reported = timestamp(request, "reported_at", v, "reported_at")
    outcome = enum_in(JKK_OUTCOME, request.outcome, "outcome", v, required=stage is ReportStage.STAGE_TWO)
    if stage is ReportStage.STAGE_ONE and outcome is not None:
        v.add("outcome", "only the stage II report declares the outcome")
    v.raise_if_any()
    assert stage is not None and occurred is not None and reported is not None
    return stage, occurred, reported, outcome


def list_filters(request) -> tuple[ClaimState | None, Program | None]:
    v = Violations()
    state = enum_in(STATE, request.state, "state", v, required=False)
    program = enum_in(PROGRAM, request.program, "program", v, required=False)
    v.raise_if_any()
    return state, program


def text(request, name: str, *, required: bool = True) -> str:
    value = " ".join(getattr(request, name).split())
    if required and not value:
        raise InvalidArgument.field(name, "is required")
    return value


# ---- encoding --------------------------------------------------------------------------
def stamp(value: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(value.astimezone(UTC))
    return result


def assessment_to_proto(assessment: Assessment, assessed_by: str | None) -> pb.Assessment:
    message = pb.Assessment(lump_sum=from_rupiah(assessment.lump_sum), total=from_rupiah(assessment.total),
                            assessed_by=assessed_by or "")
    for item in assessment.items:
        line = message.items.add(code=item.code, rule_id=item.rule_id, description=item.description,
                                 amount=from_rupiah(item.amount))
        if item.claimed is not None:
            line.claimed.CopyFrom(from_rupiah(item.claimed))
    for p in assessment.periodic:
        message.periodic.add(code=p.code, rule_id=p.rule_id, monthly=from_rupiah(p.monthly), months=p.months,
                             total=from_rupiah(p.total))
    return message


def report_to_proto(report: AccidentReport) -> pb.AccidentReport:
    return pb.AccidentReport(stage=STAGE_TO_PROTO[report.stage], occurred_at=stamp(report.occurred_at),
                             reported_at=stamp(report.reported_at), late=report.late, hours_taken=report.hours_taken,
                             outcome=OUTCOME_TO_PROTO[report.outcome] if report.outcome else 0)


def letter_to_proto(letter: Letter) -> pb.ConfirmationLetter:
    message = pb.ConfirmationLetter(letter_number=letter.letter_number, question=letter.question,
                                    issued_on=from_date(letter.issued_on), issued_by=letter.issued_by,
                                    answer=letter.answer or "")
    if letter.answered_on:
        message.answered_on.CopyFrom(from_date(letter.answered_on))
    return message


def claim_to_proto(claim: Claim, today: date, letters: Sequence[Letter] = ()) -> pb.Claim:
    b = claim.beneficiary
    message = pb.Claim(
        claim_id=claim.claim_id, kpj=claim.kpj, npp=claim.npp, branch_code=claim.branch_code,
        program=PROGRAM_TO_PROTO[claim.program], reason=claim.reason, state=STATE_TO_PROTO[claim.state],
        held_from=STATE_TO_PROTO[claim.held_from] if claim.held_from else 0, claimed_on=from_date(claim.claimed_on),
        beneficiary=pb.BankAccount(holder_name=b.holder_name, bank_name=b.bank_name, account_number=b.account_number),
        documents_received=sorted(d.value for d in claim.documents),
        documents_missing=[d.value for d in claim.missing_documents], approved_by=claim.approved_by or "",
        accident_reports=[report_to_proto(r) for r in claim.accident_reports],
        letters=[letter_to_proto(x) for x in letters],
    )
    for name, value in (("complete_on", claim.complete_on), ("payment_due_on", claim.payment_due_on),
                        ("approved_on", claim.approved_on), ("paid_on", claim.paid_on)):
        if value is not None:
            getattr(message, name).CopyFrom(from_date(value))
    deadline, days_left = claim.deadline(today), claim.days_left(today)
    if deadline is not None and days_left is not None:
        message.deadline = DEADLINE[deadline]
        message.days_left = days_left
    if claim.assessment is not None:
        message.assessment.CopyFrom(assessment_to_proto(claim.assessment, claim.assessed_by))
    if claim.settled_amount is not None:
        message.settled_amount.CopyFrom(from_rupiah(claim.settled_amount))
    if claim.rejection is not None:
        r = claim.rejection
        message.rejection.CopyFrom(pb.Rejection(rule_id=r.rule_id, reason_code=r.code, reason=r.reason))
    for entry in claim.history:
        message.history.add(step=entry.step.value, from_state=STATE_TO_PROTO[entry.from_state] if entry.from_state else 0,
                            to_state=STATE_TO_PROTO[entry.to_state], by=entry.by, office_code=entry.office,
                            at=stamp(entry.at), why=entry.why, rule_id=entry.rule_id)
    _details_to_proto(claim, message)
    return message


def _details_to_proto(claim: Claim, message: pb.Claim) -> None:
    d = claim.details
    if isinstance(d, JhtDetails):
        message.jht.reason = JHT_REASON_TO_PROTO[JhtReason(claim.reason)]
        if d.death_date:
            message.jht.death_date.CopyFrom(from_date(d.death_date))
    elif isinstance(d, JkkDetails):
        message.jkk.cause = JKK_CAUSE_TO_PROTO[claim.reason]
        message.jkk.accident_at.CopyFrom(stamp(d.accident_at))
        message.jkk.description = d.description
    elif isinstance(d, JkDetails):
        message.jk.death_date.CopyFrom(from_date(d.death_date))
        message.jk.periodic_at_once = d.periodic_at_once
        for heir in d.heirs:
            message.jk.heirs.add(name=heir.name, relation=RELATION_TO_PROTO[heir.relation], nik=heir.nik)
    elif isinstance(d, JpkDetails):
        message.jpk.care_date.CopyFrom(from_date(d.care_date))
        message.jpk.facility_code = d.facility_code
        message.jpk.claimed.CopyFrom(from_rupiah(d.claimed))
