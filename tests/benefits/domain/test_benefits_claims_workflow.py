"""The claims state machine (pure domain): SUBMITTED -> DOCUMENTS_CHECKED -> ASSESSED ->
APPROVED -> PAID, REJECTED and ON_HOLD, each transition one history step; documents before
assessment (B-JHT-2), four eyes on approval (O-4)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.benefits.domain.accident_reports import ACCIDENT_REPORT_RULES, ReportStage, accident_report
from services.benefits.domain.benefit_items import Assessment, BenefitItem
from services.benefits.domain.claim_details import JhtDetails, JkkDetails
from services.benefits.domain.claims import Actor, Claim, ClaimState, Rejection, Step, submitted
from services.benefits.domain.documents import Document, required_documents
from services.benefits.domain.jkk import JkkOutcome
from services.benefits.domain.payouts import BankAccount
from services.benefits.domain.programs import Program
from services.chassis.errors import RuleViolation

AT = datetime(2024, 6, 3, 9, tzinfo=UTC)
DAY = date(2024, 6, 3)
CLERK, ASSESSOR, HEAD = Actor("dewi", "KC-BINJAI"), Actor("rina", "KC-BINJAI"), Actor("pak-kepala", "KC-BINJAI")
ACCOUNT = BankAccount("Budi Santoso", "BNI", "0123456789")
LINES = Assessment((BenefitItem("JK_LUMP_SUM", "B-JK-1", "lump sum", 20_000_000),))


def jht(reason: str = "AGE_55") -> Claim:
    claim = Claim("c-1", "10000000001", "20000001", "KC-BINJAI", Program.JHT, reason, DAY, JhtDetails(), ACCOUNT)
    return submitted(claim, CLERK, AT)


def complete(claim: Claim, by: Actor = CLERK) -> Claim:
    return claim.receive_documents(required_documents(claim.program, claim.reason), by, AT, DAY)


def approved() -> Claim:
    return complete(jht()).assess(LINES, ASSESSOR, AT).approve(HEAD, AT, DAY)


def test_the_happy_path_records_one_history_step_per_transition():
    claim = approved().mark_paid(DAY, Actor("finance", "KC-BINJAI"), AT)
    assert claim.state is ClaimState.PAID
    assert [(h.step, h.from_state, h.to_state, h.by) for h in claim.history] == [
        (Step.SUBMIT, None, ClaimState.SUBMITTED, "dewi"),
        (Step.CHECK_DOCUMENTS, ClaimState.SUBMITTED, ClaimState.DOCUMENTS_CHECKED, "dewi"),
        (Step.ASSESS, ClaimState.DOCUMENTS_CHECKED, ClaimState.ASSESSED, "rina"),
        (Step.APPROVE, ClaimState.ASSESSED, ClaimState.APPROVED, "pak-kepala"),
        (Step.PAY, ClaimState.APPROVED, ClaimState.PAID, "finance"),
    ]
    assert all(h.office == "KC-BINJAI" and h.at == AT for h in claim.history)


@pytest.mark.rule("B-JHT-2")
def test_b_jht_2_a_claim_is_not_assessed_while_a_document_is_missing():
    claim = jht().receive_documents([Document.CLAIM_FORM_5, Document.ID_CARD], CLERK, AT, DAY)
    assert claim.state is ClaimState.SUBMITTED and claim.complete_on is None
    with pytest.raises(RuleViolation) as refused:
        claim.assess(LINES, ASSESSOR, AT)
    assert (refused.value.rule_id, refused.value.code) == ("B-JHT-2", "DOCUMENTS_MISSING")
    assert refused.value.reason == ("documents missing: KPJ_ORIGINAL, TERMINATION_LETTER, STATEMENT_NOT_WORKING, "
                                    "FAMILY_CARD")


@pytest.mark.rule("B-JHT-3")
def test_b_jht_3_the_day_the_checklist_is_complete_starts_the_30_days():
    claim = complete(jht())
    assert (claim.complete_on, claim.payment_due_on) == (DAY, date(2024, 7, 3))  # 3 June + 30 days
    assert claim.documents_checked_by == "dewi"


@pytest.mark.rule("O-4")
@pytest.mark.parametrize("approver", [CLERK, ASSESSOR])
def test_o4_neither_the_checker_nor_the_assessor_approves(approver):
    assessed = complete(jht()).assess(LINES, ASSESSOR, AT)
    with pytest.raises(RuleViolation) as refused:
        assessed.approve(approver, AT, DAY)
    assert (refused.value.rule_id, refused.value.code) == ("O-4", "SAME_PERSON")


def test_approval_needs_an_assessed_claim_and_payment_an_approved_one():
    with pytest.raises(RuleViolation) as early:
        complete(jht()).approve(HEAD, AT, DAY)
    assert early.value.code == "CLAIM_NOT_ASSESSED"
    with pytest.raises(RuleViolation) as unpaid:
        complete(jht()).mark_paid(DAY, HEAD, AT)
    assert unpaid.value.code == "CLAIM_NOT_APPROVED"


@pytest.mark.parametrize("state_of", [lambda: jht(), lambda: complete(jht()),
                                      lambda: complete(jht()).assess(LINES, ASSESSOR, AT)])
def test_a_held_claim_goes_back_to_where_it_was(state_of):
    before = state_of()
    held = before.hold("KONF-1", "confirm the employer", CLERK, AT)
    assert (held.state, held.held_from) == (ClaimState.ON_HOLD, before.state)
    with pytest.raises(RuleViolation):
        held.hold("KONF-2", "again", CLERK, AT)
    back = held.resume("KONF-1", "confirmed", CLERK, AT)
    assert (back.state, back.held_from) == (before.state, None)
    assert [h.step for h in back.history][-2:] == [Step.HOLD, Step.RESUME]


def test_an_approved_claim_is_neither_held_nor_rejected():
    claim = approved()
    with pytest.raises(RuleViolation) as held:
        claim.hold("KONF-1", "?", CLERK, AT)
    assert held.value.code == "CLAIM_NOT_HOLDABLE"
    with pytest.raises(RuleViolation) as rejected:
        claim.reject(Rejection("B-JHT-1", "X", "no"), CLERK, AT)
    assert rejected.value.code == "CLAIM_NOT_REJECTABLE"


def test_a_rejection_keeps_the_rule_and_closes_a_held_claim():
    held = jht().hold("KONF-1", "?", CLERK, AT)
    rejected = held.reject(Rejection("B-JHT-1", "STILL_EMPLOYED", "works at PT X"), CLERK, AT)
    assert rejected.state is ClaimState.REJECTED and rejected.is_closed and rejected.held_from is None
    assert (rejected.history[-1].rule_id, rejected.history[-1].why) == ("B-JHT-1", "STILL_EMPLOYED: works at PT X")


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_a_jht_claim_is_settled_once_approved_and_then_pays_the_settled_balance():
    with pytest.raises(RuleViolation):
        complete(jht()).settle(5_000_000, DAY, CLERK, AT)
    settled = approved().settle(48_250_300, DAY, Actor("service:contributions", "KP"), AT)
    assert (settled.state, settled.settled_amount, settled.payable_now) == (ClaimState.APPROVED, 48_250_300, 48_250_300)


@pytest.mark.rule("B-JKK-1")
def test_b_jkk_1_each_report_stage_is_recorded_once_and_only_on_a_jkk_claim():
    accident = datetime(2024, 3, 4, 8, tzinfo=UTC)
    claim = submitted(Claim("c-2", "10000000002", "20000001", "KC-BINJAI", Program.JKK, "WORK_ACCIDENT", DAY,
                            JkkDetails(accident), ACCOUNT), CLERK, AT)
    rules = ACCIDENT_REPORT_RULES.in_force_on(accident.date())
    report = accident_report(ReportStage.STAGE_TWO, datetime(2024, 4, 1, tzinfo=UTC), datetime(2024, 4, 4, tzinfo=UTC),
                             now=AT, rules=rules, fields=("a", "b"), outcome=JkkOutcome.RECOVERED)
    assert report.late and report.hours_taken == 72  # 3 days: beyond 2 x 24 hours
    claim = claim.report_accident(report, CLERK, AT)
    with pytest.raises(RuleViolation) as twice:
        claim.report_accident(report, CLERK, AT)
    assert twice.value.code == "ALREADY_REPORTED"
    with pytest.raises(RuleViolation) as not_jkk:
        jht().report_accident(report, CLERK, AT)
    assert not_jkk.value.code == "NOT_A_JKK_CLAIM"
