"""A JPK refund claim (B-JPK-1) through the API, and B-JPK-6 on the employer's standing
history from contributions: care given while the employer was in arrears is refunded on a
claim filed within 3 months after the arrears were paid off. Today is 2024-06-03."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import claims_pb2 as pb
from tests.benefits.service.support import (
    HEAD, SERVICE, account, d, member, rid, rp, standing_changed,
)
from tests.service_harness import rule_of, violation_code_of


def jpk_request(kpj: str, care: date = date(2024, 1, 20), claimed: int = 1_750_000) -> pb.SubmitClaimRequest:
    return pb.SubmitClaimRequest(request_id=rid("jpk"), kpj=kpj, beneficiary=account(),
                                 jpk=pb.JpkClaim(care_date=d(care), facility_code="RS-MEDAN-01", claimed=rp(claimed)))


def in_arrears_then(feed, npp: str, paid_off: date | None) -> None:
    history = [standing_changed(npp, date(2024, 1, 16), True, 3_000_000)]
    if paid_off:
        history.append(standing_changed(npp, paid_off, False))
    assert set(feed(*history, producer="contributions")) == {"applied"}


@pytest.mark.rule("B-JPK-6")
@pytest.mark.parametrize("paid_off, code", [
    (date(2024, 2, 1), "CLAIM_TOO_LATE"),  # deadline 2024-05-01, filed 2024-06-03
    (None, "ARREARS_NOT_PAID_OFF"),
])
def test_b_jpk_6_a_claim_for_care_during_arrears_is_refused_when_not_in_time(feed, callers, paid_off, code):
    kpj, npp = member(feed)
    in_arrears_then(feed, npp, paid_off)
    with pytest.raises(grpc.RpcError) as refused:
        callers.claims(SERVICE).SubmitClaim(jpk_request(kpj))
    assert (rule_of(refused.value), violation_code_of(refused.value)) == ("B-JPK-6", code)


@pytest.mark.rule("B-JPK-1", "B-JPK-6")
def test_b_jpk_1_a_refund_filed_in_time_pays_the_receipt(feed, callers):
    kpj, npp = member(feed)
    in_arrears_then(feed, npp, date(2024, 4, 10))  # deadline 2024-07-10
    officer = callers.claims(SERVICE)
    claim = officer.SubmitClaim(jpk_request(kpj)).claim
    officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id,
                                                    documents=["KPK_CARD", "CARE_RECEIPTS", "REFERRAL_LETTER"]))
    assessed = officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id)).claim
    assert [(i.code, i.amount.rupiah) for i in assessed.assessment.items] == [("JPK_REFUND", 1_750_000)]
    approved = callers.claims(HEAD).ApproveClaim(pb.ApproveClaimRequest(request_id=rid(), claim_id=claim.claim_id))
    assert approved.claim.state == pb.CLAIM_STATE_APPROVED
