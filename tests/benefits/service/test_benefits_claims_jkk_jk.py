"""JKK and JK claims through the API: the employer's accident reports (B-JKK-1, late ones
flagged), the assessment with the calculators on the wage of the accident day, the rule
version of the date of death (B-JK-1), the heirs who inherit, and what approval publishes
(MemberDeceased, MemberTotallyDisabled) and opens (payment order, schedule)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.benefits.v1 import payouts_pb2 as ppb
from tests.benefits.service.support import (
    FINANCE, HEAD, JKK_DOCUMENTS, SERVICE, account, approved_total_disability, at, d, jkk_request, member, outbox,
    report_stage_two, rid, rp, wage_changed,
)
from tests.service_harness import rule_of, violated_fields, violation_code_of


def refused(call):
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value


@pytest.mark.rule("B-JKK-1")
def test_b_jkk_1_a_late_stage_one_report_is_flagged_not_refused(feed, callers):
    kpj, _ = member(feed)
    # accident 2024-03-04 08:00, reported 2024-03-07 09:00: 73 hours, beyond 2 x 24.
    claim = callers.claims(SERVICE).SubmitClaim(jkk_request(kpj, at(2024, 3, 4), at(2024, 3, 7, 9))).claim
    [report] = claim.accident_reports
    assert (report.stage, report.late, report.hours_taken) == (pb.REPORT_STAGE_ONE, True, 73)
    # declared recovered 2024-04-02 10:00, reported 2024-04-04 09:00: 47 hours, in time.
    claim = report_stage_two(callers, claim.claim_id, at(2024, 4, 2, 10), at(2024, 4, 4, 9), pb.JKK_OUTCOME_RECOVERED)
    assert [(r.stage, r.late) for r in claim.accident_reports] == [(pb.REPORT_STAGE_ONE, True),
                                                                   (pb.REPORT_STAGE_TWO, False)]


@pytest.mark.rule("B-JKK-1")
def test_b_jkk_1_an_accident_before_the_enrolment_is_refused(feed, callers):
    kpj, _ = member(feed, start=date(2020, 1, 6))
    error = refused(lambda: callers.claims(SERVICE).SubmitClaim(jkk_request(kpj, at(2019, 12, 1))))
    assert (rule_of(error), violation_code_of(error)) == ("B-JKK-1", "ACCIDENT_BEFORE_ENROLMENT")


def test_an_accident_in_the_future_or_reported_before_it_happened_is_invalid(feed, callers):
    kpj, _ = member(feed)
    future = refused(lambda: callers.claims(SERVICE).SubmitClaim(jkk_request(kpj, at(2099, 1, 1))))
    assert "jkk.accident_at" in violated_fields(future)
    backwards = refused(lambda: callers.claims(SERVICE).SubmitClaim(jkk_request(kpj, at(2024, 3, 4), at(2024, 3, 3))))
    assert violated_fields(backwards) == {"jkk.stage_one_reported_at"}


@pytest.mark.rule("B-JKK-1", "B-JKK-9")
def test_a_jkk_claim_is_assessed_once_the_doctor_declared_the_outcome(feed, callers):
    kpj, _ = member(feed)
    officer = callers.claims(SERVICE)
    claim = officer.SubmitClaim(jkk_request(kpj, at(2024, 3, 4))).claim
    officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id, documents=JKK_DOCUMENTS))
    error = refused(lambda: officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id,
                                                                      jkk=pb.JkkAssessment())))
    assert (rule_of(error), violation_code_of(error)) == ("B-JKK-1", "STAGE_TWO_NOT_REPORTED")


@pytest.mark.rule("B-JKK-2", "B-JKK-3", "B-JKK-4", "B-JKK-6")
def test_a_total_disability_pays_on_the_wage_of_the_accident_day(service, feed, callers):
    kpj, npp = member(feed, wage=5_000_000)
    assert feed(wage_changed(kpj, npp, 6_000_000, date(2024, 1, 1))) == ["applied"]
    assert feed(wage_changed(kpj, npp, 9_000_000, date(2024, 4, 1))) == ["applied"]  # after the accident: not used
    officer = callers.claims(SERVICE)
    claim = officer.SubmitClaim(jkk_request(kpj, at(2024, 3, 4), at(2024, 3, 5))).claim
    report_stage_two(callers, claim.claim_id, at(2024, 5, 1, 10), at(2024, 5, 2, 9), pb.JKK_OUTCOME_TOTAL_DISABILITY)
    officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id, documents=JKK_DOCUMENTS))
    assessed = officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id, jkk=pb.JkkAssessment(
        transport=[pb.TransportReceipt(mode=pb.TRANSPORT_MODE_LAND, amount=rp(900_000))],
        stmb_months=2, medical_claimed=rp(25_000_000)))).claim.assessment
    lines = {i.code: i.amount.rupiah for i in assessed.items}
    assert lines == {
        "TRANSPORT_LAND": 750_000,  # 900,000 claimed, capped at 750,000
        "STMB": 12_000_000,  # 2 months x 100% x 6,000,000
        "MEDICAL": 20_000_000,  # 25,000,000 claimed, capped at 20,000,000
        "TOTAL_DISABILITY": 336_000_000,  # 70% x 80 x 6,000,000
    }
    assert [(p.code, p.monthly.rupiah, p.months) for p in assessed.periodic] == [
        ("TOTAL_DISABILITY_PERIODIC", 200_000, 24)]
    # 750,000 + 12,000,000 + 20,000,000 + 336,000,000 = 368,750,000; + 200,000 x 24 = 373,550,000
    assert (assessed.lump_sum.rupiah, assessed.total.rupiah) == (368_750_000, 373_550_000)

    approved = callers.claims(HEAD).ApproveClaim(pb.ApproveClaimRequest(request_id=rid(),
                                                                         claim_id=claim.claim_id)).claim
    assert approved.state == pb.CLAIM_STATE_APPROVED
    [event] = outbox(service, benefits_events.ClaimApproved, claim.claim_id)
    assert event.amount.rupiah == 368_750_000
    [disabled] = outbox(service, benefits_events.MemberTotallyDisabled, kpj)
    assert (disabled.work_accident, disabled.established_on.month, disabled.claim_id) == (True, 5, claim.claim_id)
    [order] = [o for o in callers.payouts(FINANCE).ListPaymentOrders(ppb.ListPaymentOrdersRequest()).orders
               if o.claim_id == claim.claim_id]
    assert (order.kind, order.amount.rupiah) == (ppb.PAYMENT_ORDER_KIND_LUMP_SUM, 368_750_000)
    [schedule] = callers.payouts(FINANCE).ListPaymentSchedules(ppb.ListPaymentSchedulesRequest(
        claim_id=claim.claim_id)).schedules
    assert (schedule.monthly.rupiah, schedule.months, schedule.starts_on.month) == (200_000, 24, 6)


@pytest.mark.rule("B-JKK-7")
def test_a_death_at_work_is_published_with_its_date(service, feed, callers):
    kpj, _ = member(feed)
    officer = callers.claims(SERVICE)
    claim = officer.SubmitClaim(jkk_request(kpj, at(2024, 3, 4))).claim
    report_stage_two(callers, claim.claim_id, at(2024, 3, 9, 23), at(2024, 3, 10, 8), pb.JKK_OUTCOME_DEATH)
    officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id, documents=JKK_DOCUMENTS))
    officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id, jkk=pb.JkkAssessment()))
    callers.claims(HEAD).ApproveClaim(pb.ApproveClaimRequest(request_id=rid(), claim_id=claim.claim_id))
    [deceased] = outbox(service, benefits_events.MemberDeceased, kpj)
    assert (deceased.work_accident, deceased.death_date.day, deceased.death_date.month) == (True, 9, 3)


def jk_request(kpj: str, died: date, heirs: list[pb.Heir], beneficiary: str, at_once: bool = False):
    return pb.SubmitClaimRequest(request_id=rid("jk"), kpj=kpj, beneficiary=account(beneficiary),
                                 jk=pb.JkClaim(death_date=d(died), heirs=heirs, periodic_at_once=at_once))


HEIRS = [pb.Heir(name="Ani Lestari", relation=pb.HEIR_RELATION_SPOUSE),
         pb.Heir(name="Rudi", relation=pb.HEIR_RELATION_CHILD),
         pb.Heir(name="Sumarni", relation=pb.HEIR_RELATION_PARENT)]
JK_DOCUMENTS = ["KPJ_ORIGINAL", "DEATH_CERTIFICATE", "HEIR_STATEMENT", "HEIR_ID_CARD", "FAMILY_CARD"]


def assessed_jk(callers, kpj: str, died: date, beneficiary: str = "Ani Lestari") -> pb.Claim:
    officer = callers.claims(SERVICE)
    claim = officer.SubmitClaim(jk_request(kpj, died, HEIRS, beneficiary)).claim
    officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id, documents=JK_DOCUMENTS))
    return officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id)).claim


@pytest.mark.rule("B-JK-1")
def test_b_jk_1_the_date_of_death_picks_the_version_of_the_table(feed, callers):
    before = assessed_jk(callers, member(feed, died_on=date(2015, 6, 30))[0], date(2015, 6, 30))
    after = assessed_jk(callers, member(feed, died_on=date(2015, 7, 1))[0], date(2015, 7, 1))
    # PP 84/2010: 14,200,000 + funeral 2,000,000 at once, 200,000 x 24 monthly.
    assert {i.code: i.amount.rupiah for i in before.assessment.items} == {"JK_LUMP_SUM": 14_200_000,
                                                                          "FUNERAL": 2_000_000}
    assert [(p.monthly.rupiah, p.months) for p in before.assessment.periodic] == [(200_000, 24)]
    # PP 44/2015: 16,200,000 + 3,000,000 + 4,800,000 at once + 12,000,000 scholarship = 36,000,000.
    assert after.assessment.lump_sum.rupiah == 36_000_000 and not after.assessment.periodic


@pytest.mark.rule("B-JK-1")
def test_b_jk_1_the_benefit_goes_to_an_heir_of_the_first_rank(feed, callers):
    kpj, _ = member(feed, died_on=date(2024, 4, 10))
    error = refused(lambda: callers.claims(SERVICE).SubmitClaim(jk_request(kpj, date(2024, 4, 10), HEIRS, "Sumarni")))
    assert (rule_of(error), violation_code_of(error)) == ("B-JK-1", "BENEFICIARY_NOT_AN_HEIR")
    nobody = refused(lambda: callers.claims(SERVICE).SubmitClaim(jk_request(kpj, date(2024, 4, 10), [], "Ani")))
    assert violation_code_of(nobody) == "NO_HEIRS"
    other_day = refused(lambda: callers.claims(SERVICE).SubmitClaim(
        jk_request(kpj, date(2024, 4, 11), HEIRS, "Ani Lestari")))
    assert violated_fields(other_day) == {"jk.death_date"}  # membership recorded 2024-04-10


@pytest.mark.rule("B-JK-1")
def test_b_jk_1_an_approved_death_benefit_is_published_and_ordered(service, feed, callers):
    kpj, _ = member(feed, died_on=date(2024, 4, 10))
    claim = assessed_jk(callers, kpj, date(2024, 4, 10))
    # PP 82/2019: 20,000,000 + 10,000,000 funeral + 12,000,000 periodic at once = 42,000,000
    assert claim.assessment.lump_sum.rupiah == 42_000_000
    callers.claims(HEAD).ApproveClaim(pb.ApproveClaimRequest(request_id=rid(), claim_id=claim.claim_id))
    [deceased] = outbox(service, benefits_events.MemberDeceased, kpj)
    assert (deceased.work_accident, deceased.death_date.day) == (False, 10)
    [order] = [o for o in callers.payouts(FINANCE).ListPaymentOrders(ppb.ListPaymentOrdersRequest()).orders
               if o.claim_id == claim.claim_id]
    assert (order.amount.rupiah, order.beneficiary.holder_name) == (42_000_000, "Ani Lestari")


@pytest.mark.rule("B-JKK-6")
def test_an_approved_claim_paid_by_finance_is_paid(service, feed, callers):
    kpj, _ = member(feed)
    claim = approved_total_disability(callers, kpj)
    finance = callers.payouts(FINANCE)
    [order] = [o for o in finance.ListPaymentOrders(ppb.ListPaymentOrdersRequest()).orders if o.claim_id == claim.claim_id]
    unapproved = refused(lambda: finance.MarkPaymentOrderPaid(ppb.MarkPaymentOrderPaidRequest(
        request_id=rid(), order_id=order.order_id, bank_reference="BNI-1")))
    assert violation_code_of(unapproved) == "ORDER_NOT_APPROVED"
    finance.ApprovePaymentOrder(ppb.ApprovePaymentOrderRequest(request_id=rid(), order_id=order.order_id))
    finance.MarkPaymentOrderPaid(ppb.MarkPaymentOrderPaidRequest(request_id=rid(), order_id=order.order_id,
                                                                 bank_reference="BNI-2"))
    got = callers.claims(SERVICE).GetClaim(pb.GetClaimRequest(claim_id=claim.claim_id)).claim
    assert got.state == pb.CLAIM_STATE_PAID
    # 70% x 80 x 5,000,000 = 280,000,000 at once
    assert [e.amount.rupiah for e in outbox(service, benefits_events.ClaimPaid, claim.claim_id)] == [280_000_000]
    medan = refused(lambda: callers.payouts(FINANCE, office="KC-MEDAN").GetPaymentOrder(
        ppb.GetPaymentOrderRequest(order_id=order.order_id)))
    assert medan.code() == grpc.StatusCode.NOT_FOUND
