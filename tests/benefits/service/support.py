"""The benefits service under test: a real gRPC server on a real database, its read model fed
with membership- and contributions-shaped events through the consumers' own appliers (inbox
included), callers with tokens of given roles, and builders for claims.

Dates: the service's "today" is TODAY (ctx.today), so eligibility arithmetic is fixed; times
of accidents lie before it (and before the real clock, which checks "not in the future").
"""
from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import claims_pb2_grpc, jpk_pb2_grpc, payouts_pb2_grpc, rules_pb2_grpc
from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import events_pb2 as contributions_events
from jamsos.membership.v1 import employers_pb2, events_pb2, workers_pb2
from services.benefits.domain.documents import required_documents
from services.benefits.domain.programs import Program
from services.chassis.consumer import EventApplier
from services.chassis.events import make_envelope, unpack_payload
from tests.contributions.service.read_model_support import office_tree
from tests.service_harness import Caller, token_for

TODAY = date(2024, 6, 3)
BRANCH = "KC-BINJAI"
SERVICE, HEAD, FINANCE = "SERVICE_OFFICER", "BRANCH_HEAD", "FINANCE_OFFICER"
_serial = itertools.count(1)
PROGRAMS = {"JHT": workers_pb2.PROGRAM_JHT, "JKK": workers_pb2.PROGRAM_JKK, "JK": workers_pb2.PROGRAM_JK,
            "JPK": workers_pb2.PROGRAM_JPK}


def d(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


def rp(amount: int) -> types_pb2.Money:
    return types_pb2.Money(rupiah=amount)


def ts(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(UTC))
    return stamp


def at(year: int, month: int, day: int, hour: int = 8) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def rid(prefix: str = "rq") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def fresh_ids() -> tuple[str, str]:
    """A KPJ (11 digits) and an NPP (8 digits) no other test of the process uses."""
    stem = uuid.uuid4().int % 10_000_000 * 100 + next(_serial) % 100
    return f"1{stem:010d}", f"2{stem % 10_000_000:07d}"


class Feed:
    """`feed(payload, ...)` applies each event once, to the consumer that handles its type."""

    def __init__(self, runtime):
        base = runtime.app.ctx.base
        self.appliers = [EventApplier(s.name, "benefits", s.registry, base.unit_of_work)
                         for s in runtime.definition.consumers(runtime.app)]

    def applier_of(self, payload: Message) -> EventApplier:
        [applier] = [a for a in self.appliers if a.registry.get(payload.DESCRIPTOR.full_name)]
        return applier

    def envelope(self, payload: Message, key: str, producer: str = "membership"):
        return make_envelope(payload, aggregate_type="test", aggregate_id=key, branch_code=BRANCH, producer=producer)

    def __call__(self, *payloads: Message, producer: str = "membership") -> list[str]:
        return [self.applier_of(p).apply(self.envelope(p, "key", producer)) for p in payloads]

    def apply(self, envelope, payload_type: Message) -> str:
        return self.applier_of(payload_type).apply(envelope)


def prepare(runtime) -> Feed:
    """The office tree applied and today fixed: ready for members and claims."""
    runtime.app.ctx.today = lambda: TODAY
    feed = Feed(runtime)
    feed(office_tree())
    return feed


# ---- membership- and contributions-shaped events --------------------------------------------
def worker(kpj: str, npp: str, *, born: date, start: date, wage: int = 5_000_000, branch: str = BRANCH,
           programs: tuple[str, ...] = ("JHT", "JKK", "JK", "JPK"), name: str = "Budi Santoso") -> workers_pb2.Worker:
    return workers_pb2.Worker(
        kpj=kpj, nik="1275010101900001", name=name, birth_date=d(born), sex=workers_pb2.SEX_MALE,
        marital_status=workers_pb2.MARITAL_STATUS_MARRIED, monthly_wage=rp(wage), npp=npp, branch_code=branch,
        start_date=d(start), status=workers_pb2.WORKER_STATUS_ACTIVE, programs=[PROGRAMS[p] for p in programs],
        kind=workers_pb2.MEMBERSHIP_KIND_EMPLOYEE)


def employer_registered(npp: str, branch: str = BRANCH) -> events_pb2.EmployerRegistered:
    return events_pb2.EmployerRegistered(employer=employers_pb2.Employer(
        npp=npp, branch_code=branch, legal_name=f"PT Contoh {npp}", registration_date=d(date(2000, 1, 3)),
        risk_group=2, kind=employers_pb2.EMPLOYER_KIND_COMPANY, status=employers_pb2.EMPLOYER_STATUS_ACTIVE))


def terminated(kpj: str, npp: str, day: date) -> events_pb2.WorkerTerminated:
    return events_pb2.WorkerTerminated(kpj=kpj, npp=npp, termination_date=d(day),
                                       reason=workers_pb2.TERMINATION_REASON_RESIGNED)


def died(kpj: str, npp: str, day: date) -> events_pb2.WorkerDied:
    return events_pb2.WorkerDied(kpj=kpj, npp=npp, death_date=d(day))


def wage_changed(kpj: str, npp: str, wage: int, since: date) -> events_pb2.WorkerWageChanged:
    return events_pb2.WorkerWageChanged(kpj=kpj, npp=npp, monthly_wage=rp(wage), effective_date=d(since))


def standing_changed(npp: str, as_of: date, in_arrears: bool, arrears: int = 0) -> contributions_events.StandingChanged:
    return contributions_events.StandingChanged(npp=npp, branch_code=BRANCH, in_arrears=in_arrears,
                                                good_standing=not in_arrears, arrears=rp(arrears), as_of=d(as_of))


def jht_settled(kpj: str, claim_id: str, amount: int, day: date = TODAY) -> contributions_events.JhtSettled:
    return contributions_events.JhtSettled(kpj=kpj, claim_id=claim_id, amount=rp(amount), settled_on=d(day))


def member(feed: Feed, *, born: date = date(1980, 5, 17), start: date = date(2010, 3, 1), wage: int = 5_000_000,
           branch: str = BRANCH, programs: tuple[str, ...] = ("JHT", "JKK", "JK", "JPK"),
           left_on: date | None = None, died_on: date | None = None) -> tuple[str, str]:
    """A member enrolled (and terminated or deceased when asked); returns (kpj, npp)."""
    kpj, npp = fresh_ids()
    events: list[Message] = [employer_registered(npp, branch),
                             events_pb2.WorkerEnrolled(worker=worker(kpj, npp, born=born, start=start, wage=wage,
                                                                     branch=branch, programs=programs))]
    if left_on:
        events.append(terminated(kpj, npp, left_on))
    if died_on:
        events.append(died(kpj, npp, died_on))
    assert set(feed(*events)) == {"applied"}
    return kpj, npp


# ---- callers and claims ----------------------------------------------------------------------
class Callers:
    """`callers.claims(SERVICE).SubmitClaim(...)` as a user of KC-BINJAI with that role."""

    def __init__(self, channel, office: str = BRANCH):
        self.channel, self.office = channel, office

    def claims(self, *roles: str, office: str | None = None, user: str | None = None):
        return Caller(self.channel, token_for(office or self.office, *roles, user=user))(claims_pb2_grpc.ClaimServiceStub)

    def payouts(self, *roles: str, office: str | None = None, user: str | None = None):
        return Caller(self.channel, token_for(office or self.office, *roles, user=user))(
            payouts_pb2_grpc.PayoutServiceStub)

    def jpk(self, *roles: str, office: str | None = None, user: str | None = None):
        return Caller(self.channel, token_for(office or self.office, *roles, user=user))(jpk_pb2_grpc.JpkServiceStub)

    def rules(self, *roles: str, office: str | None = None, user: str | None = None):
        return Caller(self.channel, token_for(office or self.office, *roles, user=user))(
            rules_pb2_grpc.BenefitRuleServiceStub)


def account(holder: str = "Budi Santoso") -> pb.BankAccount:
    return pb.BankAccount(holder_name=holder, bank_name="Bank Negara Indonesia", account_number="0123456789")


def jht_request(kpj: str, reason: int = pb.JHT_REASON_AGE_55, **fields) -> pb.SubmitClaimRequest:
    return pb.SubmitClaimRequest(request_id=rid("submit"), kpj=kpj, beneficiary=account(),
                                 jht=pb.JhtClaim(reason=reason), **fields)


def documents_for(program: Program, reason: str) -> list[str]:
    """The checklist as input to CheckDocuments (what the counter received)."""
    return [doc.value for doc in required_documents(program, reason)]


def check_all_documents(callers: Callers, claim: pb.Claim) -> pb.Claim:
    program = {pb.PROGRAM_JHT: Program.JHT, pb.PROGRAM_JKK: Program.JKK, pb.PROGRAM_JK: Program.JK,
               pb.PROGRAM_JPK: Program.JPK}[claim.program]
    return callers.claims(SERVICE).CheckDocuments(pb.CheckDocumentsRequest(
        request_id=rid("docs"), claim_id=claim.claim_id, documents=documents_for(program, claim.reason))).claim


def approved_jht(callers: Callers, kpj: str) -> pb.Claim:
    """An AGE_55 JHT claim taken to APPROVED by a service officer and the branch head."""
    claim = callers.claims(SERVICE).SubmitClaim(jht_request(kpj)).claim
    check_all_documents(callers, claim)
    callers.claims(SERVICE).AssessClaim(pb.AssessClaimRequest(request_id=rid("assess"), claim_id=claim.claim_id))
    return callers.claims(HEAD).ApproveClaim(pb.ApproveClaimRequest(request_id=rid("approve"),
                                                                    claim_id=claim.claim_id)).claim


def outbox(runtime, event_type, key: str | None = None) -> list:
    """Payloads of `event_type` in the outbox (for one message key), oldest first."""
    table = runtime.app.ctx.base.tables["outbox"]
    statement = select(table.c.envelope, table.c.message_key).where(
        table.c.event_type == event_type.DESCRIPTOR.full_name).order_by(table.c.id)
    from services.chassis.events import parse_envelope
    with runtime.app.ctx.base.read_session() as session:
        rows = session.execute(statement).all()
    return [unpack_payload(parse_envelope(bytes(r.envelope)), event_type) for r in rows
            if key is None or r.message_key == key]


# ---- JKK and JK ------------------------------------------------------------------------------
JKK_DOCUMENTS = ["KPJ_COPY", "DOCTOR_FORM_3B_3C", "TREATMENT_RECEIPTS", "TRANSPORT_RECEIPTS"]


def jkk_request(kpj: str, accident: datetime, reported: datetime | None = None) -> pb.SubmitClaimRequest:
    claim = pb.JkkClaim(cause=pb.JKK_CAUSE_WORK_ACCIDENT, accident_at=ts(accident), description="fell from a ladder")
    if reported is not None:
        claim.stage_one_reported_at.CopyFrom(ts(reported))
    return pb.SubmitClaimRequest(request_id=rid("jkk"), kpj=kpj, beneficiary=account(), jkk=claim)


def report_stage_two(callers: Callers, claim_id: str, declared: datetime, reported: datetime,
                     outcome: int) -> pb.Claim:
    return callers.claims(SERVICE).ReportAccident(pb.ReportAccidentRequest(
        request_id=rid("report"), claim_id=claim_id, stage=pb.REPORT_STAGE_TWO, occurred_at=ts(declared),
        reported_at=ts(reported), outcome=outcome)).claim


def approved_total_disability(callers: Callers, kpj: str) -> pb.Claim:
    """A JKK claim: accident 2024-03-04, total disability declared 2024-05-01, approved today.
    Assessed with nothing but the outcome: 70% x 80 months' wage at once, Rp200,000 x 24."""
    officer = callers.claims(SERVICE)
    claim = officer.SubmitClaim(jkk_request(kpj, at(2024, 3, 4), at(2024, 3, 5))).claim
    report_stage_two(callers, claim.claim_id, at(2024, 5, 1, 10), at(2024, 5, 2, 9), pb.JKK_OUTCOME_TOTAL_DISABILITY)
    officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id, documents=JKK_DOCUMENTS))
    officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id, jkk=pb.JkkAssessment()))
    return callers.claims(HEAD).ApproveClaim(pb.ApproveClaimRequest(request_id=rid(), claim_id=claim.claim_id)).claim
