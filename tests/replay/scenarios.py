"""Replay scenarios: per handled event type and consuming service, the state it lands in.

`CASES[(event type, consumer)]` names the service and a setup that applies the events the
sample's event needs first (an employer before its worker, a billed period before a
back-dated change) and returns the payload to replay. The catalogue test requires one
case per type a consumer handles, so a new type cannot be consumed without one.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import grpc
from google.protobuf.message import Message
from sqlalchemy import select

from jamsos.common.v1 import envelope_pb2, types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc, events_pb2, payments_pb2, payments_pb2_grpc
from jamsos.membership.v1 import offices_pb2
from services.benefits.bootstrap import definition as benefits
from services.chassis.events import unpack_payload
from services.chassis.runtime import ServiceDefinition, ServiceRuntime
from services.contributions.bootstrap import definition as contributions
from services.membership.bootstrap import definition as membership
from services.welfare.bootstrap import definition as welfare
from tests.contributions.service.read_model_support import d, employer_registered, office_tree, rp, worker_enrolled
from tests.replay.samples import SAMPLES, START, WAGE
from tests.replay.support import Ids, Replayer, wired_for_a_broker
from tests.service_harness import Caller, token_for

DEFINITIONS: dict[str, Callable[[], ServiceDefinition]] = {
    "membership": membership, "contributions": contributions, "benefits": benefits, "welfare": welfare}
BRANCH = "KC-BINJAI"


def name_of(message_cls) -> str:
    return message_cls.DESCRIPTOR.full_name


@dataclass
class Stage:
    """One running service, its consumers and an admin's billing client."""

    runtime: ServiceRuntime
    replay: Replayer
    channel: grpc.Channel
    wired: Any  # the application as a process with a broker builds it (support.wired_for_a_broker)

    @classmethod
    def of(cls, runtime: ServiceRuntime, channel: grpc.Channel) -> Stage:
        wired = wired_for_a_broker(runtime)
        return cls(runtime, Replayer(runtime, wired), channel, wired)

    def stub(self, stub_cls, role: str = "ADMINISTRATION_OFFICER"):
        return Caller(self.channel, token_for(BRANCH, role))(stub_cls)

    def bill(self, month: int) -> None:
        """A billing run of KC-BINJAI for a 2024 month (inline: no broker)."""
        self.stub(billing_pb2_grpc.BillingServiceStub).StartBillingRun(billing_pb2.StartBillingRunRequest(
            request_id=f"run-{uuid.uuid4().hex}", period=types_pb2.Period(year=2024, month=month), branch_code=BRANCH))

    def outbox_envelope(self, event_type: type[Message], match: Callable[[Message], bool]) -> envelope_pb2.EventEnvelope:
        outbox = self.runtime.definition.tables["outbox"]
        with self.runtime.app.ctx.base.read_session() as session:
            raw = session.execute(select(outbox.c.envelope).order_by(outbox.c.id)).scalars().all()
        envelopes = [envelope_pb2.EventEnvelope.FromString(bytes(r)) for r in raw]
        found = [e for e in envelopes if e.event_type == name_of(event_type) and match(unpack_payload(e, event_type))]
        assert len(found) == 1, f"{len(found)} {name_of(event_type)} in the outbox"
        return found[0]


Setup = Callable[[Stage, Ids], Message | envelope_pb2.EventEnvelope]


@dataclass(frozen=True)
class Case:
    service: str
    setup: Setup
    # Tables the first delivery must change, so a scenario cannot decay into a no-op.
    effect: frozenset[str]


def sample(type_name: str) -> Setup:
    return lambda stage, ids: SAMPLES[type_name](ids)


def with_employer(type_name: str) -> Setup:
    def setup(stage: Stage, ids: Ids) -> Message:
        stage.replay.feed(employer_registered(ids.npp(), registered=START))
        return SAMPLES[type_name](ids)
    return setup


def enrolled(stage: Stage, ids: Ids, *npps: str) -> None:
    stage.replay.feed(*(employer_registered(n, registered=START) for n in (ids.npp(), *npps)),
                      worker_enrolled(ids.kpj(), ids.npp(), WAGE, start=START, programs=("JHT", "JKK", "JK", "JPK")))


def with_worker(type_name: str, *, billed: bool = False) -> Setup:
    """The worker's employer and enrolment first; March 2024 billed when the event corrects it."""
    def setup(stage: Stage, ids: Ids) -> Message:
        enrolled(stage, ids)
        if billed:
            stage.bill(3)
        return SAMPLES[type_name](ids)
    return setup


def transferred(stage: Stage, ids: Ids) -> Message:
    enrolled(stage, ids, ids.npp(2))
    return SAMPLES["jamsos.membership.v1.WorkerTransferred"](ids)


def bill_with_credit(stage: Stage, ids: Ids) -> envelope_pb2.EventEnvelope:
    """C-5, C-7: March overpaid, leaving a credit; April's bill, as billing published it, is the event."""
    enrolled(stage, ids)
    stage.bill(3)
    billing = stage.stub(billing_pb2_grpc.BillingServiceStub)
    march = billing.GetBill(billing_pb2.GetBillRequest(bill_number=f"SPI-202403-{ids.npp()}")).bill
    stage.stub(payments_pb2_grpc.PaymentServiceStub, "FINANCE_OFFICER").RecordPayment(payments_pb2.RecordPaymentRequest(
        request_id=f"pay-{ids.stem}", bank_reference=f"BNI-{ids.stem}", amount=rp(march.total.rupiah + 1_000_000),
        paid_on=d(date(2024, 4, 10)), npp=ids.npp(), bill_number=march.bill_number))
    stage.bill(4)
    expected = SAMPLES[name_of(events_pb2.BillIssued)](ids)
    return stage.outbox_envelope(events_pb2.BillIssued, lambda p: p.bill_number == expected.bill_number)


def another_tree(stage: Stage, ids: Ids) -> Message:
    """A tree with a branch opened under KW-SUMBAGUT (the replica is replaced by every tree)."""
    tree = office_tree()
    tree.offices.add(code=f"KC-N{ids.stem}", name="KC Baru", level=offices_pb2.OFFICE_LEVEL_BRANCH,
                     parent_code="KW-SUMBAGUT")
    return tree


def approved_jht_claim(stage: Stage, ids: Ids) -> Message:
    """B-JHT-1: an approved JHT claim (leaving the country: no age or membership to wait for)
    taken through benefits' API; the JhtSettled contributions answers it with is the event."""
    from jamsos.benefits.v1 import claims_pb2, claims_pb2_grpc
    from services.benefits.domain.documents import required_documents
    from services.benefits.domain.programs import Program

    enrolled(stage, ids)
    officer = stage.stub(claims_pb2_grpc.ClaimServiceStub, "SERVICE_OFFICER")
    claim = officer.SubmitClaim(claims_pb2.SubmitClaimRequest(
        request_id=f"jht-{ids.stem}", kpj=ids.kpj(), jht=claims_pb2.JhtClaim(reason=claims_pb2.JHT_REASON_LEFT_COUNTRY),
        beneficiary=claims_pb2.BankAccount(holder_name="Pekerja", bank_name="BNI", account_number="0123456789"))).claim
    officer.CheckDocuments(claims_pb2.CheckDocumentsRequest(request_id=f"docs-{ids.stem}", claim_id=claim.claim_id,
        documents=[doc.value for doc in required_documents(Program.JHT, "LEFT_COUNTRY")]))
    officer.AssessClaim(claims_pb2.AssessClaimRequest(request_id=f"assess-{ids.stem}", claim_id=claim.claim_id))
    stage.stub(claims_pb2_grpc.ClaimServiceStub, "BRANCH_HEAD").ApproveClaim(claims_pb2.ApproveClaimRequest(
        request_id=f"approve-{ids.stem}", claim_id=claim.claim_id))
    settled = SAMPLES[name_of(events_pb2.JhtSettled)](ids)
    settled.claim_id = claim.claim_id
    return settled



def member_of_membership(type_name: str) -> Setup:
    """Membership issues the KPJ itself: an employer and a worker by RPC, then the benefits
    event about them (M-8)."""
    from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, workers_pb2, workers_pb2_grpc
    from services.membership.domain.nik import make_nik
    from services.membership.domain.person import Sex

    def setup(stage: Stage, ids: Ids) -> Message:
        npp = stage.stub(employers_pb2_grpc.EmployerServiceStub, "MARKETING_OFFICER").RegisterEmployer(
            employers_pb2.RegisterEmployerRequest(
                request_id=f"emp-{ids.stem}", branch_code=BRANCH, legal_name=f"PT Replay {ids.stem}",
                sector="Perkebunan", address="Jl. Sudirman 1", registration_date=d(date(2019, 1, 2)), risk_group=3,
                kind=employers_pb2.EMPLOYER_KIND_COMPANY)).employer.npp
        born = date(1990, 2, 3)
        kpj = stage.stub(workers_pb2_grpc.WorkerServiceStub).EnrolWorker(workers_pb2.EnrolWorkerRequest(
            request_id=f"enrol-{ids.stem}", npp=npp,
            nik=make_nik(f"1275{ids.stem % 99 + 1:02d}", born, Sex.FEMALE, ids.stem % 9999 + 1), name="Siti Aminah",
            birth_date=d(born), sex=workers_pb2.SEX_FEMALE, marital_status=workers_pb2.MARITAL_STATUS_MARRIED,
            monthly_wage=rp(4_000_000), start_date=d(date(2024, 1, 2)))).worker.kpj
        payload = SAMPLES[type_name](ids)
        payload.kpj, payload.npp = kpj, npp
        return payload
    return setup


M = "jamsos.membership.v1."
def tables(names: str) -> frozenset[str]:
    return frozenset(names.split())


CASES: dict[tuple[str, str], Case] = {
    (M + "OfficeTreeChanged", "contributions-membership"): Case(
        "contributions", another_tree, tables("rm_offices")),
    (M + "EmployerRegistered", "contributions-membership"): Case(
        "contributions", sample(M + "EmployerRegistered"), tables("rm_employers rm_employer_risk_groups")),
    (M + "EmployerChanged", "contributions-membership"): Case(
        "contributions", with_worker(M + "EmployerChanged", billed=True), tables("rm_employer_risk_groups bills bill_lines outbox")),
    (M + "WorkerEnrolled", "contributions-membership"): Case(
        "contributions", with_employer(M + "WorkerEnrolled"), tables("rm_workers rm_employments rm_worker_wages rm_worker_marital")),
    (M + "WorkerTransferred", "contributions-membership"): Case(
        "contributions", transferred, tables("rm_workers rm_employments rm_worker_wages")),
    (M + "WorkerWageChanged", "contributions-membership"): Case(
        "contributions", with_worker(M + "WorkerWageChanged", billed=True), tables("rm_worker_wages bills bill_lines outbox")),
    (M + "WorkerFamilyChanged", "contributions-membership"): Case(
        "contributions", with_worker(M + "WorkerFamilyChanged", billed=True), tables("rm_worker_marital bills bill_lines outbox")),
    (M + "WorkerTerminated", "contributions-membership"): Case(
        "contributions", with_worker(M + "WorkerTerminated"), tables("rm_workers rm_employments")),
    (M + "WorkerDied", "contributions-membership"): Case(
        "contributions", with_worker(M + "WorkerDied"), tables("rm_workers rm_employments")),
    ("jamsos.contributions.v1.BillIssued", "money-on-bill-issued"): Case(
        "contributions", bill_with_credit, tables("bills payments payment_allocations outbox")),
    ("jamsos.benefits.v1.JhtPayoutApproved", "ledger-jht-payouts"): Case(
        "contributions", sample("jamsos.benefits.v1.JhtPayoutApproved"), tables("jht_settlements outbox")),
    (M + "OfficeTreeChanged", "benefits-offices"): Case(
        "benefits", another_tree, tables("rm_offices")),
    (M + "OfficeTreeChanged", "welfare-offices"): Case(
        "welfare", another_tree, tables("rm_offices")),
    ("jamsos.common.v1.RuleVersionPublished", "welfare-contributions-rules"): Case(
        "welfare", sample("jamsos.common.v1.RuleVersionPublished"), tables("rule_replicas")),
    **{(M + name, "welfare-membership"): Case("welfare", setup, tables(effect)) for name, setup, effect in (
        ("EmployerRegistered", sample(M + "EmployerRegistered"), "rm_employers"),
        ("EmployerChanged", with_employer(M + "EmployerChanged"), "rm_employers"),
        ("WorkerEnrolled", with_employer(M + "WorkerEnrolled"), "rm_workers rm_employments rm_worker_wages"),
        ("WorkerTransferred", transferred, "rm_workers rm_employments rm_worker_wages"),
        ("WorkerWageChanged", with_worker(M + "WorkerWageChanged"), "rm_worker_wages"),
        ("WorkerTerminated", with_worker(M + "WorkerTerminated"), "rm_workers rm_employments"),
        ("WorkerDied", with_worker(M + "WorkerDied"), "rm_workers rm_employments"),
    )},
    ("jamsos.contributions.v1.StandingChanged", "welfare-standing"): Case(
        "welfare", sample("jamsos.contributions.v1.StandingChanged"), tables("rm_employer_standing")),
    ("jamsos.benefits.v1.MemberDeceased", "welfare-benefits"): Case(
        "welfare", with_worker("jamsos.benefits.v1.MemberDeceased"), tables("rm_member_incidents")),
    ("jamsos.benefits.v1.MemberTotallyDisabled", "welfare-benefits"): Case(
        "welfare", with_worker("jamsos.benefits.v1.MemberTotallyDisabled"), tables("rm_member_incidents")),
    **{(M + name, "benefits-membership"): Case("benefits", setup, tables(effect)) for name, setup, effect in (
        ("EmployerRegistered", sample(M + "EmployerRegistered"), "rm_employers"),
        ("EmployerChanged", sample(M + "EmployerChanged"), "rm_employers"),
        ("WorkerEnrolled", with_employer(M + "WorkerEnrolled"), "rm_workers rm_employments rm_worker_wages"),
        ("WorkerTransferred", transferred, "rm_workers rm_employments rm_worker_wages"),
        ("WorkerWageChanged", with_worker(M + "WorkerWageChanged"), "rm_worker_wages"),
        ("WorkerFamilyChanged", with_worker(M + "WorkerFamilyChanged"), "rm_workers"),
        ("WorkerTerminated", with_worker(M + "WorkerTerminated"), "rm_workers rm_employments"),
        ("WorkerDied", with_worker(M + "WorkerDied"), "rm_workers rm_employments"),
    )},
    ("jamsos.contributions.v1.StandingChanged", "benefits-standing"): Case(
        "benefits", sample("jamsos.contributions.v1.StandingChanged"), tables("rm_employer_standing")),
    ("jamsos.contributions.v1.JhtSettled", "benefits-jht-settlements"): Case(
        "benefits", approved_jht_claim, tables("claims claim_history payment_orders audit_log")),
    ("jamsos.benefits.v1.MemberDeceased", "membership-benefits"): Case(
        "membership", member_of_membership("jamsos.benefits.v1.MemberDeceased"), tables("workers employments outbox audit_log")),
    ("jamsos.benefits.v1.MemberTotallyDisabled", "membership-benefits"): Case(
        "membership", member_of_membership("jamsos.benefits.v1.MemberTotallyDisabled"), tables("workers audit_log")),
}
