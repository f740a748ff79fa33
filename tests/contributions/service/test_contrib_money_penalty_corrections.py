"""Penalty corrections (koreksi denda, C-7): requested with a reason, approved by a second
person (O-4), audited, scoped to the penalty's branch (O-2)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import select

from jamsos.contributions.v1 import events_pb2, payments_pb2, payments_pb2_grpc, penalties_pb2 as pb, penalties_pb2_grpc
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import (
    BINJAI, MEDAN, NPP, add_bill, add_employer, d, events, rp, rule_of, set_today,
)


@pytest.fixture
def penalty(contributions, as_user):
    """A 400,000 penalty: 10,000,000 due 15 March 2021 paid 20 April 2021 (C-6)."""
    add_employer(contributions)
    set_today(contributions, date(2021, 6, 30))
    add_bill(contributions, Period(2021, 2), 10_000_000, date(2021, 3, 15))
    response = as_user(BINJAI, "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub).RecordPayment(
        payments_pb2.RecordPaymentRequest(request_id="p", bank_reference="BNI-1", amount=rp(10_000_000),
                                          paid_on=d(date(2021, 4, 20)), npp=NPP))
    return response.penalties[0]


def correction_request(penalty_id: str, request_id: str = "c-1", **change) -> pb.RequestPenaltyCorrectionRequest:
    return pb.RequestPenaltyCorrectionRequest(request_id=request_id, penalty_id=penalty_id,
                                              reason=change.pop("reason", "bank receipt stamped 15 March"), **change)


@pytest.mark.rule("O-4")
def test_o4_a_penalty_correction_needs_a_second_person(contributions, as_user, penalty):
    officer = as_user(BINJAI, "ADMINISTRATION_OFFICER", "BRANCH_HEAD", user="budi")(penalties_pb2_grpc.PenaltyServiceStub)
    correction = officer.RequestPenaltyCorrection(correction_request(penalty.penalty_id, new_amount=rp(200_000)))
    assert correction.correction.status == pb.PENALTY_CORRECTION_STATUS_PENDING
    with pytest.raises(grpc.RpcError) as err:
        officer.ApprovePenaltyCorrection(pb.ApprovePenaltyCorrectionRequest(
            request_id="a-1", correction_id=correction.correction.correction_id))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "O-4"
    head = as_user(BINJAI, "BRANCH_HEAD", user="siti")(penalties_pb2_grpc.PenaltyServiceStub)
    approved = head.ApprovePenaltyCorrection(pb.ApprovePenaltyCorrectionRequest(
        request_id="a-2", correction_id=correction.correction.correction_id)).penalty
    assert (approved.amount.rupiah, approved.assessed_amount.rupiah, approved.status) == (
        200_000, 400_000, pb.PENALTY_STATUS_CORRECTED)
    assert [(c.requested_by, c.approved_by) for c in approved.corrections] == [("budi", "siti")]
    audit = contributions.app.ctx.base.tables["audit"]
    with contributions.app.ctx.base.read_session() as session:
        trail = session.execute(select(audit.c.action, audit.c.user_id, audit.c.reason)
                                .where(audit.c.subject == penalty.penalty_id).order_by(audit.c.id)).all()
    assert [tuple(t) for t in trail] == [
        ("penalty.assess", "kc-binjai-finance_officer", None),
        ("penalty.correction.request", "budi", "bank receipt stamped 15 March"),
        ("penalty.correction.approve", "siti", "bank receipt stamped 15 March")]


def test_waiver_needs_a_reason_one_pending_at_a_time_and_the_own_branch(contributions, as_user, penalty):
    officer = as_user(BINJAI, "ADMINISTRATION_OFFICER")(penalties_pb2_grpc.PenaltyServiceStub)
    with pytest.raises(grpc.RpcError) as err:
        officer.RequestPenaltyCorrection(correction_request(penalty.penalty_id, waive=True, reason=" "))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and err.value.details().startswith("reason")
    waiver = officer.RequestPenaltyCorrection(correction_request(penalty.penalty_id, waive=True)).correction
    with pytest.raises(grpc.RpcError) as err:
        officer.RequestPenaltyCorrection(correction_request(penalty.penalty_id, "c-2", new_amount=rp(1)))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "C-7"
    medan_head = as_user(MEDAN, "BRANCH_HEAD")(penalties_pb2_grpc.PenaltyServiceStub)
    with pytest.raises(grpc.RpcError) as err:
        medan_head.ApprovePenaltyCorrection(pb.ApprovePenaltyCorrectionRequest(
            request_id="a-1", correction_id=waiver.correction_id))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND  # O-2: another branch's penalty is not there
    with pytest.raises(grpc.RpcError) as err:
        medan_head.GetPenalty(pb.GetPenaltyRequest(penalty_id=penalty.penalty_id))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    head = as_user(BINJAI, "BRANCH_HEAD")(penalties_pb2_grpc.PenaltyServiceStub)
    waived = head.ApprovePenaltyCorrection(pb.ApprovePenaltyCorrectionRequest(
        request_id="a-2", correction_id=waiver.correction_id)).penalty
    assert (waived.amount.rupiah, waived.status) == (0, pb.PENALTY_STATUS_WAIVED)
    listed = head.ListPenalties(pb.ListPenaltiesRequest(branch_code=BINJAI)).penalties
    assert [(p.penalty_id, p.amount.rupiah) for p in listed] == [(penalty.penalty_id, 0)]


@pytest.mark.rule("C-6", "O-4")
def test_c6_an_approved_correction_publishes_penalty_corrected_with_both_amounts(contributions, as_user, penalty):
    officer = as_user(BINJAI, "ADMINISTRATION_OFFICER", user="ani")(penalties_pb2_grpc.PenaltyServiceStub)
    correction = officer.RequestPenaltyCorrection(correction_request(penalty.penalty_id, new_amount=rp(200_000))).correction
    head = as_user(BINJAI, "BRANCH_HEAD", user="siti")(penalties_pb2_grpc.PenaltyServiceStub)
    approve = pb.ApprovePenaltyCorrectionRequest(request_id="a-1", correction_id=correction.correction_id)
    assert head.ApprovePenaltyCorrection(approve) == head.ApprovePenaltyCorrection(approve)  # a retry: one event
    [event] = events(contributions, events_pb2.PenaltyCorrected)
    assert (event.penalty_id, event.correction_id, event.npp, event.branch_code, event.previous_amount.rupiah,
            event.amount.rupiah, event.waived, event.requested_by, event.approved_by) == (
        penalty.penalty_id, correction.correction_id, NPP, BINJAI, 400_000, 200_000, False, "ani", "siti")


@pytest.mark.rule("O-4", "C-6")
def test_o4_a_correction_is_rejected_by_a_second_person_with_a_reason_and_the_penalty_stands(contributions, as_user,
                                                                                             penalty):
    officer = as_user(BINJAI, "ADMINISTRATION_OFFICER", "BRANCH_HEAD", user="budi")(penalties_pb2_grpc.PenaltyServiceStub)
    correction = officer.RequestPenaltyCorrection(correction_request(penalty.penalty_id, waive=True)).correction
    reject = lambda stub, rid, reason="receipt is dated 20 April": stub.RejectPenaltyCorrection(  # noqa: E731
        pb.RejectPenaltyCorrectionRequest(request_id=rid, correction_id=correction.correction_id, reason=reason))
    with pytest.raises(grpc.RpcError) as err:
        reject(officer, "r-own")
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "O-4"
    head = as_user(BINJAI, "BRANCH_HEAD", user="siti")(penalties_pb2_grpc.PenaltyServiceStub)
    with pytest.raises(grpc.RpcError) as err:
        reject(head, "r-blank", reason="  ")
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and err.value.details().startswith("reason")
    with pytest.raises(grpc.RpcError) as err:
        reject(as_user(MEDAN, "BRANCH_HEAD")(penalties_pb2_grpc.PenaltyServiceStub), "r-medan")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND  # O-2
    rejected = reject(head, "r-1").correction
    assert reject(head, "r-1").correction == rejected  # a retry answers the same
    assert (rejected.status, rejected.rejected_by, rejected.rejection_reason, rejected.approved_by) == (
        pb.PENALTY_CORRECTION_STATUS_REJECTED, "siti", "receipt is dated 20 April", "")
    stands = head.GetPenalty(pb.GetPenaltyRequest(penalty_id=penalty.penalty_id)).penalty
    assert (stands.amount.rupiah, stands.status) == (400_000, pb.PENALTY_STATUS_ASSESSED)
    with pytest.raises(grpc.RpcError) as err:
        head.ApprovePenaltyCorrection(pb.ApprovePenaltyCorrectionRequest(request_id="a-late",
                                                                         correction_id=correction.correction_id))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "C-7"
    again = officer.RequestPenaltyCorrection(correction_request(penalty.penalty_id, "c-2", new_amount=rp(300_000)))
    assert again.correction.status == pb.PENALTY_CORRECTION_STATUS_PENDING  # a new request may follow
    assert events(contributions, events_pb2.PenaltyCorrected) == []
