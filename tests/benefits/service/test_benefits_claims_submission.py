"""Opening a claim through the API: who may claim what, on the read model's facts (M-4,
B-JHT-1), and bad input answered as INVALID_ARGUMENT naming the field, never INTERNAL.
The service's today is 2024-06-03."""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import func, select

from google.protobuf.timestamp_pb2 import Timestamp

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.common.v1 import types_pb2
from services.benefits.adapters.tables import claims as claim_tables
from tests.benefits.service.support import SERVICE, account, d, jht_request, member, rid
from tests.service_harness import rule_of, violated_fields, violation_code_of


def refused(call):
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value


# (member facts, reason, expected code). Membership months are whole calendar months from the
# first start to the last day worked; the wait ends one calendar month after that day.
INELIGIBLE = {
    # born 1970-01-01: 54 on 2024-06-03.
    "under 55": (dict(born=date(1970, 1, 1)), pb.JHT_REASON_AGE_55, "UNDER_55"),
    # 2019-05-03 .. 2024-05-02 is 59 whole months (the 60th would end on 2024-05-03).
    "59 months of membership": (dict(start=date(2019, 5, 3), left_on=date(2024, 5, 2)), pb.JHT_REASON_TERMINATION,
                                "MEMBERSHIP_UNDER_5_YEARS"),
    # left 2024-05-10: the month of waiting ends on 2024-06-10, after today.
    "waiting period not over": (dict(start=date(2010, 1, 4), left_on=date(2024, 5, 10)), pb.JHT_REASON_TERMINATION,
                                "WAITING_PERIOD_NOT_OVER"),
    "still employed": (dict(start=date(2010, 1, 4)), pb.JHT_REASON_TERMINATION, "STILL_EMPLOYED"),
    "no death recorded": (dict(), pb.JHT_REASON_DEATH, "DEATH_NOT_RECORDED"),
    "deceased member claims for age": (dict(born=date(1960, 1, 1), died_on=date(2024, 2, 1)), pb.JHT_REASON_AGE_55,
                                       "MEMBER_DECEASED"),
}


@pytest.mark.rule("B-JHT-1")
@pytest.mark.parametrize("case", list(INELIGIBLE))
def test_b_jht_1_a_claim_that_is_not_due_yet_is_refused_naming_why(feed, callers, case):
    facts, reason, code = INELIGIBLE[case]
    kpj, _ = member(feed, **facts)
    error = refused(lambda: callers.claims(SERVICE).SubmitClaim(jht_request(kpj, reason)))
    assert (rule_of(error), violation_code_of(error)) == ("B-JHT-1", code)


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_termination_after_60_months_and_a_month_of_waiting_is_due(feed, callers):
    # 2019-05-02 .. 2024-05-02: 60 whole months; the wait ended on 2024-06-02, before today.
    kpj, _ = member(feed, start=date(2019, 5, 2), left_on=date(2024, 5, 2))
    claim = callers.claims(SERVICE).SubmitClaim(jht_request(kpj, pb.JHT_REASON_TERMINATION)).claim
    assert claim.state == pb.CLAIM_STATE_SUBMITTED and claim.reason == "TERMINATION"


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_a_death_membership_has_not_recorded_may_be_stated(feed, callers):
    kpj, _ = member(feed)
    request = jht_request(kpj, pb.JHT_REASON_DEATH)
    request.jht.death_date.CopyFrom(d(date(2024, 5, 20)))
    assert callers.claims(SERVICE).SubmitClaim(request).claim.jht.death_date.day == 20


@pytest.mark.rule("M-4")
def test_m4_a_claim_under_a_program_the_worker_is_not_enrolled_in_is_refused(feed, callers):
    kpj, _ = member(feed, born=date(1960, 1, 1), programs=("JKK", "JK"))
    error = refused(lambda: callers.claims(SERVICE).SubmitClaim(jht_request(kpj)))
    assert (rule_of(error), violation_code_of(error)) == ("M-4", "NOT_ENROLLED_IN_PROGRAM")


def test_a_claim_for_an_unknown_kpj_is_not_found(callers):
    error = refused(lambda: callers.claims(SERVICE).SubmitClaim(jht_request("99999999999")))
    assert error.code() == grpc.StatusCode.NOT_FOUND


BAD_INPUT = {
    "claim date in the future": (lambda r: r.claimed_on.CopyFrom(d(date(2024, 6, 4))), {"claimed_on"}),
    "impossible claim date": (lambda r: r.claimed_on.CopyFrom(types_pb2.Date(year=2024, month=2, day=30)), {"claimed_on"}),
    "no program details": (lambda r: r.ClearField("jht"), {"details"}),
    "no reason": (lambda r: r.jht.ClearField("reason"), {"jht.reason"}),
    "unknown reason value": (lambda r: setattr(r.jht, "reason", 42), {"jht.reason"}),
    "no beneficiary": (lambda r: r.ClearField("beneficiary"), {"beneficiary"}),
    "account with letters": (lambda r: r.beneficiary.CopyFrom(pb.BankAccount(
        holder_name="Budi", bank_name="BNI", account_number="12AB5678")), {"beneficiary.account_number"}),
    "no kpj": (lambda r: setattr(r, "kpj", ""), {"kpj"}),
    "jk death in the future": (lambda r: r.jk.CopyFrom(pb.JkClaim(
        death_date=d(date(2030, 1, 1)), heirs=[pb.Heir(name="Ani", relation=pb.HEIR_RELATION_SPOUSE)])),
        {"jk.death_date"}),
    "jk heir without relation": (lambda r: r.jk.CopyFrom(pb.JkClaim(
        death_date=d(date(2024, 1, 1)), heirs=[pb.Heir(name="Ani")])), {"jk.heirs[0].relation"}),
    "jpk negative receipt": (lambda r: r.jpk.CopyFrom(pb.JpkClaim(
        care_date=d(date(2024, 5, 1)), facility_code="PKM-01", claimed=types_pb2.Money(rupiah=-5))),
        {"jpk.claimed.rupiah"}),
    "jkk accident at the edge of int64": (lambda r: r.jkk.CopyFrom(pb.JkkClaim(
        cause=pb.JKK_CAUSE_WORK_ACCIDENT, accident_at=Timestamp(seconds=2**62))),
        {"jkk.accident_at"}),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_invalid_argument_naming_the_field(feed, callers, case):
    kpj, _ = member(feed, born=date(1960, 1, 1))
    request = jht_request(kpj)
    change, fields = BAD_INPUT[case]
    change(request)
    error = refused(lambda: callers.claims(SERVICE).SubmitClaim(request))
    assert fields <= violated_fields(error), error.details()


def test_a_retry_with_the_same_request_id_answers_the_same_and_opens_one_claim(service, feed, callers):
    kpj, _ = member(feed, born=date(1960, 1, 1))
    request = jht_request(kpj)
    first = callers.claims(SERVICE).SubmitClaim(request).claim
    again = callers.claims(SERVICE).SubmitClaim(request).claim
    assert again == first
    with service.app.ctx.base.read_session() as session:
        count = session.execute(select(func.count()).select_from(claim_tables["claims"])
                                .where(claim_tables["claims"].c.kpj == kpj)).scalar_one()
    assert count == 1


def test_a_second_open_jht_claim_of_the_member_already_exists(feed, callers):
    kpj, _ = member(feed, born=date(1960, 1, 1))
    callers.claims(SERVICE).SubmitClaim(jht_request(kpj))
    error = refused(lambda: callers.claims(SERVICE).SubmitClaim(jht_request(kpj)))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.rule("O-3")
def test_o3_only_a_service_officer_submits(feed, callers):
    kpj, _ = member(feed, born=date(1960, 1, 1))
    for roles in (("BRANCH_HEAD",), ("FINANCE_OFFICER",), ("HEAD_OFFICE_AUDITOR",)):
        error = refused(lambda r=roles: callers.claims(*r).SubmitClaim(pb.SubmitClaimRequest(
            request_id=rid(), kpj=kpj, beneficiary=account(), jht=pb.JhtClaim(reason=pb.JHT_REASON_AGE_55))))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
