"""The claim workflow's other steps and its walls: documents (B-JHT-2), the confirmation
letter that holds a doubtful claim, rejection naming the rule, the branch scope (O-2: another
branch's claim is NOT_FOUND exactly as one that does not exist), lists and paging."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.common.v1 import types_pb2
from tests.benefits.service.support import (
    SERVICE, check_all_documents, jht_request, member, outbox, rid,
)
from tests.service_harness import violated_fields, violation_code_of


def refused(call):
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value


@pytest.fixture
def claim(feed, callers):
    kpj, _ = member(feed, born=date(1960, 1, 1))
    return callers.claims(SERVICE).SubmitClaim(jht_request(kpj)).claim


@pytest.mark.rule("B-JHT-2")
def test_b_jht_2_documents_received_in_parts_complete_the_claim(callers, claim):
    officer = callers.claims(SERVICE)
    partly = officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id,
                                                             documents=["CLAIM_FORM_5", "ID_CARD"])).claim
    assert partly.state == pb.CLAIM_STATE_SUBMITTED
    assert list(partly.documents_missing) == ["KPJ_ORIGINAL", "TERMINATION_LETTER", "STATEMENT_NOT_WORKING",
                                              "FAMILY_CARD"]
    error = refused(lambda: officer.CheckDocuments(pb.CheckDocumentsRequest(
        request_id=rid(), claim_id=claim.claim_id, documents=["KPJ_ORIGINAL", "SELFIE"])))
    assert violated_fields(error) == {"documents[1]"}
    done = officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id, documents=[
        "KPJ_ORIGINAL", "TERMINATION_LETTER", "STATEMENT_NOT_WORKING", "FAMILY_CARD"])).claim
    assert done.state == pb.CLAIM_STATE_DOCUMENTS_CHECKED and not done.documents_missing
    assert (done.complete_on.year, done.complete_on.month, done.complete_on.day) == (2024, 6, 3)


def test_a_doubtful_claim_waits_on_hold_for_the_answer_to_its_confirmation_letter(callers, claim):
    officer = callers.claims(SERVICE)
    check_all_documents(callers, claim)
    letter = f"KONF-{claim.claim_id[-8:]}"
    held = officer.PutClaimOnHold(pb.PutClaimOnHoldRequest(request_id=rid(), claim_id=claim.claim_id,
                                                           letter_number=letter, question="Confirm the birth date")).claim
    assert (held.state, held.held_from) == (pb.CLAIM_STATE_ON_HOLD, pb.CLAIM_STATE_DOCUMENTS_CHECKED)
    assert [x.letter_number for x in held.letters] == [letter]
    error = refused(lambda: officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id)))
    assert violation_code_of(error) == "CLAIM_NOT_READY_FOR_ASSESSMENT"
    reused = refused(lambda: officer.PutClaimOnHold(pb.PutClaimOnHoldRequest(
        request_id=rid(), claim_id=claim.claim_id, letter_number=letter, question="again")))
    assert reused.code() == grpc.StatusCode.ALREADY_EXISTS
    back = officer.AnswerConfirmationLetter(pb.AnswerConfirmationLetterRequest(
        request_id=rid(), claim_id=claim.claim_id, letter_number=letter, answer="KTP copy matches")).claim
    assert (back.state, back.held_from) == (pb.CLAIM_STATE_DOCUMENTS_CHECKED, pb.CLAIM_STATE_UNSPECIFIED)
    assert back.letters[0].answer == "KTP copy matches"
    steps = officer.GetClaim(pb.GetClaimRequest(claim_id=claim.claim_id)).claim.history
    assert [(s.step, s.to_state) for s in steps][-2:] == [("HOLD", pb.CLAIM_STATE_ON_HOLD),
                                                          ("RESUME", pb.CLAIM_STATE_DOCUMENTS_CHECKED)]


@pytest.mark.rule("B-JHT-1")
def test_a_rejection_names_the_rule_and_is_published(service, callers, claim):
    officer = callers.claims(SERVICE)
    rejected = officer.RejectClaim(pb.RejectClaimRequest(
        request_id=rid(), claim_id=claim.claim_id, rule_id="B-JHT-1", reason_code="STILL_EMPLOYED",
        reason="The employer confirms the member works there")).claim
    assert rejected.state == pb.CLAIM_STATE_REJECTED
    assert (rejected.rejection.rule_id, rejected.rejection.reason_code) == ("B-JHT-1", "STILL_EMPLOYED")
    [event] = outbox(service, benefits_events.ClaimRejected, claim.claim_id)
    assert (event.rule_id, event.reason_code) == ("B-JHT-1", "STILL_EMPLOYED")
    again = refused(lambda: officer.RejectClaim(pb.RejectClaimRequest(
        request_id=rid(), claim_id=claim.claim_id, rule_id="B-JHT-1", reason_code="X1", reason="again")))
    assert violation_code_of(again) == "CLAIM_NOT_REJECTABLE"


def test_a_rejection_needs_a_known_rule_and_a_reason(callers, claim):
    error = refused(lambda: callers.claims(SERVICE).RejectClaim(pb.RejectClaimRequest(
        request_id=rid(), claim_id=claim.claim_id, rule_id="C-6", reason_code="", reason="")))
    assert violated_fields(error) == {"rule_id", "reason_code", "reason"}


READERS = {
    "own branch": (("KC-BINJAI", "SERVICE_OFFICER"), None),
    "its region": (("KW-SUMBAGUT", "REGIONAL_OFFICER"), None),
    "head office auditor": (("KP", "HEAD_OFFICE_AUDITOR"), None),
    "another branch of the region": (("KC-MEDAN", "SERVICE_OFFICER"), grpc.StatusCode.NOT_FOUND),
    "another region": (("KW-DKI", "REGIONAL_OFFICER"), grpc.StatusCode.NOT_FOUND),
}


@pytest.mark.rule("O-2")
@pytest.mark.parametrize("reader", list(READERS))
def test_o2_a_claim_is_read_by_its_branch_its_region_and_the_head_office_only(callers, claim, reader):
    (office, role), refusal = READERS[reader]
    call = lambda cid: callers.claims(role, office=office).GetClaim(pb.GetClaimRequest(claim_id=cid))  # noqa: E731
    if refusal is None:
        assert call(claim.claim_id).claim.claim_id == claim.claim_id
        return
    hidden, unknown = refused(lambda: call(claim.claim_id)), refused(lambda: call("0190ffff-0000-7000-8000-00000000abcd"))
    assert hidden.code() == unknown.code() == refusal
    assert hidden.details().replace(claim.claim_id, "X") == unknown.details().replace(
        "0190ffff-0000-7000-8000-00000000abcd", "X")


@pytest.mark.rule("O-2")
def test_o2_another_branch_can_neither_change_a_claim_nor_claim_for_its_member(feed, callers, claim):
    medan = callers.claims(SERVICE, office="KC-MEDAN")
    error = refused(lambda: medan.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id,
                                                                          documents=["ID_CARD"])))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    kpj, _ = member(feed, born=date(1960, 1, 1))
    assert refused(lambda: medan.SubmitClaim(jht_request(kpj))).code() == grpc.StatusCode.NOT_FOUND
    listing = refused(lambda: medan.ListClaims(pb.ListClaimsRequest(branch_code="KC-BINJAI")))
    assert listing.code() == grpc.StatusCode.PERMISSION_DENIED
    assert claim.claim_id not in {c.claim_id for c in medan.ListClaims(pb.ListClaimsRequest()).claims}
    region = callers.claims("REGIONAL_OFFICER", office="KW-SUMBAGUT")
    assert refused(lambda: region.RejectClaim(pb.RejectClaimRequest(
        request_id=rid(), claim_id=claim.claim_id, rule_id="B-JHT-1", reason_code="X1", reason="no"))
    ).code() == grpc.StatusCode.PERMISSION_DENIED


def test_claims_are_listed_by_state_and_program_page_by_page(feed, callers):
    kpjs = [member(feed, born=date(1960, 1, 1))[0] for _ in range(3)]
    made = [callers.claims(SERVICE).SubmitClaim(jht_request(k)).claim.claim_id for k in kpjs]
    officer, seen, token = callers.claims(SERVICE), [], ""
    while True:
        page = officer.ListClaims(pb.ListClaimsRequest(
            branch_code="KC-BINJAI", state=pb.CLAIM_STATE_SUBMITTED, program=pb.PROGRAM_JHT,
            page=types_pb2.PageRequest(page_size=2, page_token=token)))
        assert len(page.claims) <= 2
        seen += [c.claim_id for c in page.claims]
        token = page.page.next_page_token
        if not token:
            break
    assert set(made) <= set(seen) and len(seen) == len(set(seen))
    assert seen == sorted(seen, reverse=True)  # newest first
    mine = officer.ListWorkerClaims(pb.ListWorkerClaimsRequest(kpj=kpjs[0])).claims
    assert [c.claim_id for c in mine] == [made[0]]
    assert not officer.ListClaims(pb.ListClaimsRequest(program=pb.PROGRAM_JK, branch_code="KC-BINJAI")).claims
    bad = refused(lambda: officer.ListClaims(pb.ListClaimsRequest(page=types_pb2.PageRequest(page_token="%%%"))))
    assert violated_fields(bad) == {"page.page_token"}


def test_an_unknown_claim_is_not_found(callers):
    error = refused(lambda: callers.claims(SERVICE).ApproveClaim(pb.ApproveClaimRequest(
        request_id=rid(), claim_id="nope")))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED  # the officer may not approve at all (O-3)
    error = refused(lambda: callers.claims("BRANCH_HEAD").ApproveClaim(pb.ApproveClaimRequest(
        request_id=rid(), claim_id="nope")))
    assert error.code() == grpc.StatusCode.NOT_FOUND
