"""A JHT claim from the counter to the bank, through the real gRPC server, on SQLite and
PostgreSQL: submitted, documents checked (B-JHT-2), assessed, approved by a second person
(O-4), the balance asked of contributions (JhtPayoutApproved) and answered (JhtSettled),
the payment order for exactly that amount approved and paid by finance (ClaimPaid).
A JhtSettled delivered twice, or re-sent under a new event id, pays nothing twice; one for
a claim this service does not hold is kept aside, not applied."""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.benefits.v1 import payouts_pb2 as ppb
from services.benefits.adapters.tables import payouts
from tests.benefits.service.support import (
    FINANCE, HEAD, SERVICE, approved_jht, check_all_documents, jht_request, jht_settled, member, outbox, rid,
)
from tests.service_harness import rule_of, violation_code_of


@pytest.fixture(scope="module")
def service(benefits_both):
    return benefits_both


def orders_of(runtime, claim_id: str) -> int:
    with runtime.app.ctx.base.read_session() as session:
        return session.execute(select(func.count()).select_from(payouts["orders"])
                               .where(payouts["orders"].c.claim_id == claim_id)).scalar_one()


@pytest.mark.rule("B-JHT-1", "B-JHT-2", "B-JHT-3", "O-4")
def test_jht_claim_from_submission_to_payment(service, feed, callers):
    kpj, _ = member(feed, born=date(1969, 1, 10))  # 55 on 2024-01-10, before TODAY (2024-06-03)
    officer = callers.claims(SERVICE)
    claim = officer.SubmitClaim(jht_request(kpj)).claim
    assert (claim.state, claim.program, claim.reason, claim.branch_code) == (
        pb.CLAIM_STATE_SUBMITTED, pb.PROGRAM_JHT, "AGE_55", "KC-BINJAI")
    assert [e.claim_id for e in outbox(service, benefits_events.ClaimSubmitted, claim.claim_id)] == [claim.claim_id]

    with pytest.raises(grpc.RpcError) as refused:
        officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id))
    assert rule_of(refused.value) == "B-JHT-2" and violation_code_of(refused.value) == "DOCUMENTS_MISSING"
    assert "CLAIM_FORM_5" in refused.value.details() and "FAMILY_CARD" in refused.value.details()

    claim = check_all_documents(callers, claim)
    # B-JHT-3: complete today, so paid by 2024-06-03 + 30 days = 2024-07-03.
    assert claim.state == pb.CLAIM_STATE_DOCUMENTS_CHECKED and not claim.documents_missing
    assert (claim.payment_due_on.year, claim.payment_due_on.month, claim.payment_due_on.day) == (2024, 7, 3)
    assert (claim.deadline, claim.days_left) == (pb.DEADLINE_ON_TIME, 30)

    claim = officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id)).claim
    assert claim.state == pb.CLAIM_STATE_ASSESSED and claim.assessment.total.rupiah == 0  # the balance is settled later

    claim = callers.claims(HEAD).ApproveClaim(pb.ApproveClaimRequest(request_id=rid(), claim_id=claim.claim_id)).claim
    assert claim.state == pb.CLAIM_STATE_APPROVED
    [asked] = outbox(service, benefits_events.JhtPayoutApproved, claim.claim_id)
    assert (asked.kpj, asked.settle_on.year, asked.settle_on.month, asked.settle_on.day) == (kpj, 2024, 6, 3)
    [approved] = outbox(service, benefits_events.ClaimApproved, claim.claim_id)
    assert approved.amount.rupiah == 0 and approved.program == "JHT"

    assert feed(jht_settled(kpj, claim.claim_id, 48_250_300), producer="contributions") == ["applied"]
    finance = callers.payouts(FINANCE)
    [order] = [o for o in finance.ListPaymentOrders(ppb.ListPaymentOrdersRequest(
        state=ppb.PAYMENT_ORDER_STATE_PENDING_APPROVAL, branch_code="KC-BINJAI")).orders if o.claim_id == claim.claim_id]
    assert (order.claim_id, order.kind, order.amount.rupiah) == (claim.claim_id, ppb.PAYMENT_ORDER_KIND_JHT_BALANCE,
                                                                  48_250_300)
    finance.ApprovePaymentOrder(ppb.ApprovePaymentOrderRequest(request_id=rid(), order_id=order.order_id))
    paid = finance.MarkPaymentOrderPaid(ppb.MarkPaymentOrderPaidRequest(
        request_id=rid(), order_id=order.order_id, bank_reference="BNI-TRF-0001")).order
    assert paid.state == ppb.PAYMENT_ORDER_STATE_PAID

    final = officer.GetClaim(pb.GetClaimRequest(claim_id=claim.claim_id)).claim
    assert final.state == pb.CLAIM_STATE_PAID and final.settled_amount.rupiah == 48_250_300
    assert [s.step for s in final.history] == ["SUBMIT", "CHECK_DOCUMENTS", "ASSESS", "APPROVE", "SETTLE", "PAY"]
    assert final.history[3].by == "kc-binjai-branch_head" and final.history[3].office_code == "KC-BINJAI"
    [paid_event] = outbox(service, benefits_events.ClaimPaid, claim.claim_id)
    assert paid_event.amount.rupiah == 48_250_300


@pytest.mark.rule("B-JHT-1")
def test_a_duplicated_and_a_resent_jht_settled_pay_nothing_twice(service, feed, callers):
    kpj, _ = member(feed, born=date(1968, 2, 1))
    claim = approved_jht(callers, kpj)
    settled = jht_settled(kpj, claim.claim_id, 20_000_000)
    envelope = feed.envelope(settled, kpj, producer="contributions")
    assert feed.apply(envelope, settled) == "applied"
    assert feed.apply(envelope, settled) == "duplicate"  # the inbox drops the same event id
    envelope.event_id = rid("again")  # contributions re-sent it: a new event id
    assert feed.apply(envelope, settled) == "applied"
    different = jht_settled(kpj, claim.claim_id, 99_999_999)  # even a different amount: settled once
    assert feed(different, producer="contributions") == ["applied"]
    assert orders_of(service, claim.claim_id) == 1
    got = callers.claims(SERVICE).GetClaim(pb.GetClaimRequest(claim_id=claim.claim_id)).claim
    assert got.settled_amount.rupiah == 20_000_000 and [s.step for s in got.history].count("SETTLE") == 1


@pytest.mark.rule("B-JHT-1")
def test_a_jht_settled_for_an_unknown_claim_is_kept_aside_not_applied(service, feed):
    kpj, _ = member(feed)
    unknown = jht_settled(kpj, "0190ffff-0000-7000-8000-000000000001", 5_000_000)
    assert feed(unknown, producer="contributions") == ["applied"]
    assert feed(unknown, producer="contributions") == ["applied"]  # re-sent: still one row
    with service.app.ctx.base.read_session() as session:
        rows = session.execute(select(payouts["unmatched"])).all()
    assert [(r.claim_id, r.kpj, int(r.amount)) for r in rows if r.kpj == kpj] == [
        ("0190ffff-0000-7000-8000-000000000001", kpj, 5_000_000)]
    assert orders_of(service, unknown.claim_id) == 0


@pytest.mark.rule("B-JHT-1")
def test_an_empty_balance_closes_the_claim_without_a_payment_order(service, feed, callers):
    kpj, _ = member(feed, born=date(1965, 7, 7))
    claim = approved_jht(callers, kpj)
    assert feed(jht_settled(kpj, claim.claim_id, 0), producer="contributions") == ["applied"]
    got = callers.claims(SERVICE).GetClaim(pb.GetClaimRequest(claim_id=claim.claim_id)).claim
    assert got.state == pb.CLAIM_STATE_PAID and got.settled_amount.rupiah == 0
    assert orders_of(service, claim.claim_id) == 0
    assert [e.amount.rupiah for e in outbox(service, benefits_events.ClaimPaid, claim.claim_id)] == [0]


@pytest.mark.rule("O-4")
def test_the_assessor_cannot_approve_the_claim(service, feed, callers):
    kpj, _ = member(feed, born=date(1967, 3, 3))
    both = dict(user="siti-both-roles")
    claim = callers.claims(SERVICE, HEAD, **both).SubmitClaim(jht_request(kpj)).claim
    check_all_documents(callers, claim)  # checked by the branch's service officer
    callers.claims(SERVICE, HEAD, **both).AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id))
    with pytest.raises(grpc.RpcError) as refused:
        callers.claims(SERVICE, HEAD, **both).ApproveClaim(pb.ApproveClaimRequest(request_id=rid(),
                                                                                  claim_id=claim.claim_id))
    assert rule_of(refused.value) == "O-4" and violation_code_of(refused.value) == "SAME_PERSON"
    with pytest.raises(grpc.RpcError) as checker:  # nor whoever checked the documents
        callers.claims(SERVICE, HEAD, user="kc-binjai-service_officer").ApproveClaim(
            pb.ApproveClaimRequest(request_id=rid(), claim_id=claim.claim_id))
    assert rule_of(checker.value) == "O-4"
    assert callers.claims(HEAD).ApproveClaim(pb.ApproveClaimRequest(
        request_id=rid(), claim_id=claim.claim_id)).claim.state == pb.CLAIM_STATE_APPROVED

