"""One claim driver of the claims bench: JKK claims taken through the whole workflow, one
after the other, in a process of its own (so many drivers are never limited by one GIL).

A claim is eight calls, as the branch's staff make them: the service officer submits it
with the employer's stage I report, records the stage II report (recovered), checks the
documents and assesses it (transport and one month of STMB); the branch head approves it
(a second person, O-4); finance finds the payment order the approval opened, approves it
and marks it paid (the claim is then PAID). Each call's latency is recorded under its step;
a call answered ABORTED or UNAVAILABLE is retried with the same request id (idempotent), as
a client would, and its latency includes the retries.

JKK because it needs no years of membership and no exchange with contributions (a JHT
payout waits for contributions' JhtSettled): members enrolled a few seconds earlier can
claim, and every call of the workflow is benefits' own.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from jamsos.benefits.v1 import claims_pb2 as cpb
from jamsos.benefits.v1 import claims_pb2_grpc, payouts_pb2_grpc
from jamsos.benefits.v1 import payouts_pb2 as ppb
from jamsos.common.v1 import types_pb2

STEPS = ("SubmitClaim", "ReportAccident", "CheckDocuments", "AssessClaim", "ApproveClaim", "ListPaymentOrders",
         "ApprovePaymentOrder", "MarkPaymentOrderPaid")
#: B-JKK-9's checklist for a work accident, as the counter receives it.
JKK_DOCUMENTS = ("KPJ_COPY", "DOCTOR_FORM_3B_3C", "TREATMENT_RECEIPTS", "TRANSPORT_RECEIPTS")
TRANSPORT_RUPIAH = 500_000  # a land transport receipt, under B-JKK-2's cap
RETRIED = (grpc.StatusCode.ABORTED, grpc.StatusCode.UNAVAILABLE)
ATTEMPTS = 8
#: Seconds between the accident times of two claims of one driver; drivers and rounds get
#: ranges of their own (one JKK claim per accident and member).
PER_DRIVER, PER_ROUND = 200_000, 20_000


@dataclass(frozen=True)
class DriverJob:
    """What one driver does in one round; picklable, for a spawned process."""

    benefits: str  # address
    officer: str  # tokens: SERVICE_OFFICER, BRANCH_HEAD, FINANCE_OFFICER (three people)
    head: str
    finance: str
    kpjs: tuple[str, ...]
    driver: int
    round: int
    start_at: float  # time.time() every driver of the round starts at
    seconds: float  # no claim is started after start_at + seconds; started ones are finished
    accidents_from: float  # epoch seconds: this run's first accident time (weeks ago)
    tag: str
    timeout_s: float = 30.0
    max_claims: int = 0  # 0: as many as fit in `seconds`


class StepFailed(Exception):
    def __init__(self, step: str, code: str) -> None:
        super().__init__(f"{step}: {code}")
        self.step, self.code = step, code


class _Calls:
    """The stubs of the three people, and the latencies of each step."""

    def __init__(self, channel: grpc.Channel, job: DriverJob) -> None:
        self.job = job
        self.claims = claims_pb2_grpc.ClaimServiceStub(channel)
        self.payouts = payouts_pb2_grpc.PayoutServiceStub(channel)
        self.latencies: dict[str, list[float]] = {step: [] for step in STEPS}
        self.retries: Counter[str] = Counter()

    def call(self, step: str, method: Callable[..., Any], request: Message, token: str) -> Any:
        metadata = (("authorization", f"Bearer {token}"),)
        started = time.perf_counter()
        for attempt in range(ATTEMPTS):
            try:
                answer = method(request, metadata=metadata, timeout=self.job.timeout_s)
                self.latencies[step].append(time.perf_counter() - started)
                return answer
            except grpc.RpcError as error:
                code = error.code()
                if code not in RETRIED or attempt == ATTEMPTS - 1:
                    raise StepFailed(step, code.name) from error
                self.retries[step] += 1
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")


def timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def accident_time(job: DriverJob, number: int) -> datetime:
    offset = job.driver * PER_DRIVER + job.round * PER_ROUND + number
    return datetime.fromtimestamp(job.accidents_from + offset, UTC)


def submit_request(job: DriverJob, kpj: str, number: int) -> cpb.SubmitClaimRequest:
    accident = accident_time(job, number)
    return cpb.SubmitClaimRequest(
        request_id=_rid(job, number, "submit"), kpj=kpj,
        beneficiary=cpb.BankAccount(holder_name=f"Pekerja {kpj}", bank_name="Bank Negara Indonesia",
                                    account_number="0123456789"),
        jkk=cpb.JkkClaim(cause=cpb.JKK_CAUSE_WORK_ACCIDENT, accident_at=timestamp(accident),
                         stage_one_reported_at=timestamp(accident + timedelta(hours=3)),
                         description="hand caught in the press"))


def one_claim(calls: _Calls, kpj: str, number: int) -> str:
    """The whole workflow of one claim; returns its payment order's id."""
    job, c, p = calls.job, calls.claims, calls.payouts
    claim = calls.call("SubmitClaim", c.SubmitClaim, submit_request(job, kpj, number), job.officer).claim
    declared = accident_time(job, number) + timedelta(days=1)
    calls.call("ReportAccident", c.ReportAccident, cpb.ReportAccidentRequest(
        request_id=_rid(job, number, "report"), claim_id=claim.claim_id, stage=cpb.REPORT_STAGE_TWO,
        occurred_at=timestamp(declared), reported_at=timestamp(declared + timedelta(hours=5)),
        outcome=cpb.JKK_OUTCOME_RECOVERED), job.officer)
    calls.call("CheckDocuments", c.CheckDocuments, cpb.CheckDocumentsRequest(
        request_id=_rid(job, number, "docs"), claim_id=claim.claim_id, documents=JKK_DOCUMENTS), job.officer)
    calls.call("AssessClaim", c.AssessClaim, cpb.AssessClaimRequest(
        request_id=_rid(job, number, "assess"), claim_id=claim.claim_id, jkk=cpb.JkkAssessment(
            transport=[cpb.TransportReceipt(mode=cpb.TRANSPORT_MODE_LAND,
                                            amount=types_pb2.Money(rupiah=TRANSPORT_RUPIAH))],
            stmb_months=1)), job.officer)
    calls.call("ApproveClaim", c.ApproveClaim, cpb.ApproveClaimRequest(
        request_id=_rid(job, number, "approve"), claim_id=claim.claim_id), job.head)
    pending = calls.call("ListPaymentOrders", p.ListPaymentOrders, ppb.ListPaymentOrdersRequest(
        state=ppb.PAYMENT_ORDER_STATE_PENDING_APPROVAL, page=types_pb2.PageRequest(page_size=200)), job.finance)
    order = next((o for o in pending.orders if o.claim_id == claim.claim_id), None)
    if order is None:
        raise StepFailed("ListPaymentOrders", "NO_ORDER_FOR_CLAIM")
    calls.call("ApprovePaymentOrder", p.ApprovePaymentOrder, ppb.ApprovePaymentOrderRequest(
        request_id=_rid(job, number, "order"), order_id=order.order_id), job.finance)
    paid = calls.call("MarkPaymentOrderPaid", p.MarkPaymentOrderPaid, ppb.MarkPaymentOrderPaidRequest(
        request_id=_rid(job, number, "paid"), order_id=order.order_id, bank_reference=f"BNI-{number}"),
        job.finance).order
    if paid.state != ppb.PAYMENT_ORDER_STATE_PAID:
        raise StepFailed("MarkPaymentOrderPaid", ppb.PaymentOrderState.Name(paid.state))
    return str(claim.claim_id)


def drive(job: DriverJob) -> dict[str, Any]:
    """Claims one after the other until the round's time is up; raw figures for claims.py."""
    with grpc.insecure_channel(job.benefits) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        calls = _Calls(channel, job)
        delay = job.start_at - time.time()
        if delay > 0:
            time.sleep(delay)
        deadline = job.start_at + job.seconds
        done, failed, number = 0, Counter[str](), 0
        last_claim, finished_at, whole = "", time.time(), []
        while time.time() < deadline and (not job.max_claims or number < job.max_claims):
            kpj = job.kpjs[number % len(job.kpjs)]
            started = time.perf_counter()
            try:
                last_claim = one_claim(calls, kpj, number)
                whole.append(time.perf_counter() - started)
                done += 1
            except StepFailed as failure:
                failed[f"{failure.step} {failure.code}"] += 1
            number += 1
            finished_at = time.time()
        state = ""
        if last_claim:  # not timed: the last claim really is PAID
            state = cpb.ClaimState.Name(calls.claims.GetClaim(cpb.GetClaimRequest(claim_id=last_claim), metadata=(
                ("authorization", f"Bearer {job.officer}"),), timeout=job.timeout_s).claim.state)
    return {"driver": job.driver, "claims": done, "failed": dict(failed), "retries": dict(calls.retries),
            "started_at": job.start_at, "finished_at": finished_at, "latencies_s": calls.latencies,
            "claim_latencies_s": whole,
            "last_claim_state": state}


def _rid(job: DriverJob, number: int, step: str) -> str:
    return f"bench-{job.tag}-{job.round}-{job.driver}-{number}-{step}"
