"""The events a claim publishes on `jamsos.benefits.events.v1` (contract: benefits events.proto):
claim events keyed by the claim id, member events (death, total disability) by the KPJ."""
from __future__ import annotations

from datetime import date

from google.protobuf.message import Message

from jamsos.benefits.v1 import events_pb2
from services.benefits.domain.claims import Claim
from services.benefits.domain.payouts import PaymentOrder
from services.chassis.config import topic_of
from services.chassis.convert import from_date, from_rupiah
from services.chassis.unit_of_work import UnitOfWork

TOPIC = topic_of("benefits")
CLAIM_AGGREGATE = "claim"
MEMBER_AGGREGATE = "member"


def emit_claim(uow: UnitOfWork, claim: Claim, payload: Message) -> None:
    uow.emit(TOPIC, payload, aggregate_type=CLAIM_AGGREGATE, aggregate_id=claim.claim_id, branch_code=claim.branch_code)


def emit_member(uow: UnitOfWork, claim: Claim, payload: Message) -> None:
    uow.emit(TOPIC, payload, aggregate_type=MEMBER_AGGREGATE, aggregate_id=claim.kpj, branch_code=claim.branch_code)


def claim_submitted(claim: Claim) -> events_pb2.ClaimSubmitted:
    return events_pb2.ClaimSubmitted(claim_id=claim.claim_id, kpj=claim.kpj, npp=claim.npp,
                                     branch_code=claim.branch_code, program=claim.program.value, reason=claim.reason,
                                     submitted_on=from_date(claim.claimed_on))


def claim_approved(claim: Claim, amount: int) -> events_pb2.ClaimApproved:
    return events_pb2.ClaimApproved(claim_id=claim.claim_id, kpj=claim.kpj, branch_code=claim.branch_code,
                                    program=claim.program.value, amount=from_rupiah(amount),
                                    approved_on=from_date(claim.approved_on))


def claim_rejected(claim: Claim) -> events_pb2.ClaimRejected:
    r = claim.rejection
    assert r is not None
    return events_pb2.ClaimRejected(claim_id=claim.claim_id, kpj=claim.kpj, branch_code=claim.branch_code,
                                    program=claim.program.value, rule_id=r.rule_id, reason_code=r.code, reason=r.reason)


def claim_paid(claim: Claim, amount: int, paid_on: date) -> events_pb2.ClaimPaid:
    return events_pb2.ClaimPaid(claim_id=claim.claim_id, kpj=claim.kpj, branch_code=claim.branch_code,
                                program=claim.program.value, amount=from_rupiah(amount), paid_on=from_date(paid_on))


def emit_order(uow: UnitOfWork, order: PaymentOrder, payload: Message) -> None:
    """An order's event, keyed by its claim so it is ordered with the claim's."""
    uow.emit(TOPIC, payload, aggregate_type=CLAIM_AGGREGATE, aggregate_id=order.claim_id, branch_code=order.branch_code)


def payment_order_paid(order: PaymentOrder) -> events_pb2.PaymentOrderPaid:
    assert order.paid_on is not None
    return events_pb2.PaymentOrderPaid(
        order_id=order.order_id, claim_id=order.claim_id, kpj=order.kpj, branch_code=order.branch_code,
        kind=order.kind.value, amount=from_rupiah(order.amount), paid_on=from_date(order.paid_on),
        bank_reference=order.bank_reference or "", payout_file_msg_id=order.exported_in or "")


def payment_order_failed(order: PaymentOrder) -> events_pb2.PaymentOrderFailed:
    assert order.failed_on is not None
    return events_pb2.PaymentOrderFailed(
        order_id=order.order_id, claim_id=order.claim_id, kpj=order.kpj, branch_code=order.branch_code,
        kind=order.kind.value, amount=from_rupiah(order.amount), failed_on=from_date(order.failed_on),
        reason_code=order.failure_code or "", reason=order.failure_reason or "",
        payout_file_msg_id=order.exported_in or "", attempt=order.attempt)


def jht_payout_approved(claim: Claim, settle_on: date) -> events_pb2.JhtPayoutApproved:
    return events_pb2.JhtPayoutApproved(claim_id=claim.claim_id, kpj=claim.kpj, branch_code=claim.branch_code,
                                        settle_on=from_date(settle_on))


def member_deceased(claim: Claim, died: date, *, work_accident: bool) -> events_pb2.MemberDeceased:
    return events_pb2.MemberDeceased(kpj=claim.kpj, npp=claim.npp, branch_code=claim.branch_code,
                                     death_date=from_date(died), work_accident=work_accident, claim_id=claim.claim_id)


def member_totally_disabled(claim: Claim, since: date, *, work_accident: bool) -> events_pb2.MemberTotallyDisabled:
    return events_pb2.MemberTotallyDisabled(kpj=claim.kpj, npp=claim.npp, branch_code=claim.branch_code,
                                            established_on=from_date(since), work_accident=work_accident,
                                            claim_id=claim.claim_id)
