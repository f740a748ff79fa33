"""B-JHT-3 while a claim is on hold: the 30 days count from the complete claim, and a claim
waiting for the answer to its confirmation letter is not complete, so its clock stands: it
is neither at risk nor overdue (the list and the gauge leave it out) and the days it waited
move its last day to pay. The module moves the service's today, so it has a database of
its own."""
from __future__ import annotations

from datetime import date

import pytest

from jamsos.benefits.v1 import claims_pb2 as pb
from tests.benefits.service.support import SERVICE, TODAY, check_all_documents, d, jht_request, member, rid
from tests.benefits.service.test_benefits_claims_deadlines import at_risk, gauge


def hold(callers, claim_id: str, letter: str) -> pb.Claim:
    return callers.claims(SERVICE).PutClaimOnHold(pb.PutClaimOnHoldRequest(
        request_id=rid(), claim_id=claim_id, letter_number=letter, question="confirm the last day worked")).claim


def answer(callers, claim_id: str, letter: str) -> pb.Claim:
    return callers.claims(SERVICE).AnswerConfirmationLetter(pb.AnswerConfirmationLetterRequest(
        request_id=rid(), claim_id=claim_id, letter_number=letter, answer="confirmed by the employer")).claim


def get(callers, claim_id: str) -> pb.Claim:
    return callers.claims(SERVICE).GetClaim(pb.GetClaimRequest(claim_id=claim_id)).claim


@pytest.mark.rule("B-JHT-3")
def test_b_jht_3_the_days_on_hold_do_not_count_against_the_30_days(service, feed, callers):
    claim = callers.claims(SERVICE).SubmitClaim(jht_request(member(feed, born=date(1960, 1, 1))[0])).claim
    claim_id = check_all_documents(callers, claim).claim_id  # complete 2024-06-03: due 2024-07-03
    try:
        service.app.ctx.today = lambda: date(2024, 6, 10)  # 23 days left
        held = hold(callers, claim_id, "KONF-B3-1")
        assert (held.deadline, held.days_left, held.payment_due_on) == (pb.DEADLINE_ON_HOLD, 23, d(date(2024, 7, 3)))

        service.app.ctx.today = lambda: date(2024, 7, 1)  # running, it would have 2 days left: at risk
        assert at_risk(callers) == []
        assert (gauge("at_risk"), gauge("overdue")) == (0, 0)
        assert (get(callers, claim_id).deadline, get(callers, claim_id).days_left) == (pb.DEADLINE_ON_HOLD, 23)

        resumed = answer(callers, claim_id, "KONF-B3-1")  # 21 days on hold: 2024-07-03 + 21 = 2024-07-24
        assert (resumed.payment_due_on, resumed.deadline, resumed.days_left) == (
            d(date(2024, 7, 24)), pb.DEADLINE_ON_TIME, 23)
        assert get(callers, claim_id).history[-1].rule_id == "B-JHT-3"

        service.app.ctx.today = lambda: date(2024, 7, 20)  # 4 days left
        assert at_risk(callers) == [(claim_id, pb.DEADLINE_AT_RISK, 4)]
        assert (gauge("at_risk"), gauge("overdue")) == (1, 0)

        service.app.ctx.today = lambda: date(2024, 7, 26)  # late again: 2 days past, then held
        hold(callers, claim_id, "KONF-B3-2")
        assert (gauge("at_risk"), gauge("overdue")) == (0, 0)
        service.app.ctx.today = lambda: date(2024, 8, 5)
        late = answer(callers, claim_id, "KONF-B3-2")  # the days lost before the hold stay lost
        assert (late.deadline, late.days_left, late.payment_due_on) == (pb.DEADLINE_OVERDUE, -2, d(date(2024, 8, 3)))
        assert (gauge("at_risk"), gauge("overdue")) == (0, 1)
    finally:
        service.app.ctx.today = lambda: TODAY


@pytest.mark.rule("B-JHT-3")
def test_b_jht_3_a_claim_held_before_it_is_complete_has_no_clock_to_stop(feed, callers):
    claim = callers.claims(SERVICE).SubmitClaim(jht_request(member(feed, born=date(1960, 1, 1))[0])).claim
    held = hold(callers, claim.claim_id, "KONF-B3-3")
    assert (held.deadline, held.HasField("payment_due_on")) == (pb.DEADLINE_UNSPECIFIED, False)
    resumed = answer(callers, claim.claim_id, "KONF-B3-3")
    assert (resumed.state, resumed.HasField("payment_due_on")) == (pb.CLAIM_STATE_SUBMITTED, False)
    assert check_all_documents(callers, resumed).payment_due_on == d(date(2024, 7, 3))
