"""A rejected transfer to the end, on SQLite and PostgreSQL (the re-issue is a second order of
the same claim and kind: the unique key counts attempts): the bank rejects the order (AC04),
the claim stays APPROVED; finance re-issues it to the corrected account, another officer
approves it (O-4), it goes out in a new file and the bank's acceptance pays the claim."""
from __future__ import annotations

import grpc
import pytest

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.benefits.v1 import payouts_pb2 as ppb
from tests.benefits.service.payout_file_support import approved_order, e2e, export, get_order, import_status, pain002
from tests.benefits.service.support import FINANCE, SERVICE, outbox, rid
from tests.service_harness import rule_of, violated_fields, violation_code_of


@pytest.fixture(scope="module")
def service(benefits_both):
    return benefits_both


@pytest.mark.rule("O-4")
def test_a_rejected_order_is_reissued_to_a_corrected_account_and_approved_by_another_officer(service, feed, callers):
    order = approved_order(feed, callers, 15_000_000)
    first_file, _ = export(callers)
    rejected = import_status(callers, pain002(first_file.msg_id, [
        (e2e(order.order_id), "RJCT", "AC04", "Closed account number")]))
    assert rejected.failed == 1
    failed = get_order(callers, order.order_id)
    assert (failed.state, failed.failure_code, failed.failed_on.day) == (ppb.PAYMENT_ORDER_STATE_FAILED, "AC04", 3)
    claims = callers.claims(SERVICE)
    assert claims.GetClaim(pb.GetClaimRequest(claim_id=order.claim_id)).claim.state == pb.CLAIM_STATE_APPROVED

    finance_a, finance_b = callers.payouts(FINANCE, user="fin-ani"), callers.payouts(FINANCE, user="fin-budi")
    bad = pytest.raises(grpc.RpcError, finance_a.ReissuePaymentOrder, ppb.ReissuePaymentOrderRequest(
        request_id=rid(), order_id=order.order_id, beneficiary=pb.BankAccount(
            holder_name="Budi Santoso", bank_name="Bank Rakyat Indonesia", account_number="12-AB")))
    assert violated_fields(bad.value) == {"beneficiary.account_number"}
    corrected = pb.BankAccount(holder_name="Budi Santoso", bank_name="Bank Rakyat Indonesia",
                               account_number="0987 6543 21")
    request = ppb.ReissuePaymentOrderRequest(request_id=rid("reissue"), order_id=order.order_id, beneficiary=corrected)
    new = finance_a.ReissuePaymentOrder(request).order
    assert finance_a.ReissuePaymentOrder(request).order.order_id == new.order_id  # a retry: the same order
    assert (new.state, new.attempt, new.reissue_of, new.reissued_by, new.amount.rupiah) == (
        ppb.PAYMENT_ORDER_STATE_PENDING_APPROVAL, 2, order.order_id, "fin-ani", 15_000_000)
    assert new.beneficiary.account_number == "0987654321"
    assert get_order(callers, order.order_id).reissued_as == new.order_id
    again = pytest.raises(grpc.RpcError, finance_b.ReissuePaymentOrder, ppb.ReissuePaymentOrderRequest(
        request_id=rid(), order_id=order.order_id))
    assert violation_code_of(again.value) == "ORDER_ALREADY_REISSUED"

    own = pytest.raises(grpc.RpcError, finance_a.ApprovePaymentOrder, ppb.ApprovePaymentOrderRequest(
        request_id=rid(), order_id=new.order_id))
    assert rule_of(own.value) == "O-4" and violation_code_of(own.value) == "SAME_PERSON"
    finance_b.ApprovePaymentOrder(ppb.ApprovePaymentOrderRequest(request_id=rid(), order_id=new.order_id))

    second_file, _ = export(callers)
    assert list(second_file.order_ids) == [new.order_id] and second_file.msg_id != first_file.msg_id
    accepted = import_status(callers, pain002(second_file.msg_id, [(e2e(new.order_id), "ACSC", "", "")]))
    assert accepted.paid == 1
    assert claims.GetClaim(pb.GetClaimRequest(claim_id=order.claim_id)).claim.state == pb.CLAIM_STATE_PAID
    assert [e.amount.rupiah for e in outbox(service, benefits_events.ClaimPaid, order.claim_id)] == [15_000_000]
