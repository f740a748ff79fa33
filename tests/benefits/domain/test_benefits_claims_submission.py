"""Opening a claim on the read model's facts (pure domain): enrolment in the program (M-4),
an accident while employed and not before the enrolment (B-JKK-1), a death benefit for the
heirs who inherit (B-JK-1), no claim twice."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from services.benefits.domain.claim_details import JhtDetails, JkDetails, JkkDetails
from services.benefits.domain.claim_submission import NewClaim, duplicate_of, open_claim
from services.benefits.domain.claims import Actor, ClaimState, Rejection
from services.benefits.domain.jk import Heir, HeirRelation
from services.benefits.domain.member_facts import Employment, MemberFacts
from services.benefits.domain.payouts import BankAccount
from services.benefits.domain.programs import Program
from services.chassis.errors import InvalidArgument, RuleViolation

TODAY = date(2024, 6, 3)
NOW = datetime(2024, 6, 3, 12, tzinfo=UTC)
CLERK = Actor("dewi", "KC-BINJAI")
ACCOUNT = BankAccount("Ani Lestari", "BRI", "0011223344")
MEMBER = MemberFacts(kpj="10000000001", name="Budi", birth_date=date(1980, 1, 1), status="NON_ACTIVE",
                     npp="20000002", branch_code="KC-MEDAN", programs=frozenset({"JHT", "JKK", "JK"}),
                     member_since=date(2015, 1, 5),
                     employments=(Employment("20000001", "KC-BINJAI", date(2015, 1, 5), date(2020, 6, 30)),
                                  Employment("20000002", "KC-MEDAN", date(2020, 7, 1), date(2024, 2, 29))),
                     end_date=date(2024, 2, 29))
HEIRS = (Heir("Ani Lestari", HeirRelation.SPOUSE), Heir("Sumarni", HeirRelation.PARENT))


def opened(program: Program, reason: str, details, member: MemberFacts = MEMBER, account: BankAccount = ACCOUNT):
    return open_claim("c-1", NewClaim(program, reason, details, account), member, today=TODAY, now=NOW, actor=CLERK)


def refusal(call) -> tuple[str, str | None]:
    with pytest.raises(RuleViolation) as error:
        call()
    return error.value.rule_id, error.value.code


@pytest.mark.rule("M-4")
def test_m4_a_claim_belongs_to_the_members_branch_under_a_program_the_member_is_enrolled_in():
    claim = opened(Program.JHT, "LEFT_COUNTRY", JhtDetails())
    assert (claim.branch_code, claim.state, claim.claimed_on) == ("KC-MEDAN", ClaimState.SUBMITTED, TODAY)
    assert refusal(lambda: opened(Program.JPK, "REIMBURSEMENT", None)) == ("M-4", "NOT_ENROLLED_IN_PROGRAM")


@pytest.mark.rule("B-JKK-1")
def test_b_jkk_1_the_employer_of_the_accident_day_and_no_accident_outside_employment():
    claim = opened(Program.JKK, "WORK_ACCIDENT", JkkDetails(datetime(2019, 8, 1, 7, tzinfo=UTC)))
    assert claim.npp == "20000001"  # the first employer, where the accident happened
    before = JkkDetails(datetime(2014, 12, 31, 7, tzinfo=UTC))
    assert refusal(lambda: opened(Program.JKK, "WORK_ACCIDENT", before)) == ("B-JKK-1", "ACCIDENT_BEFORE_ENROLMENT")
    after = JkkDetails(datetime(2024, 3, 15, 7, tzinfo=UTC))
    assert refusal(lambda: opened(Program.JKK, "WORK_ACCIDENT", after)) == ("B-JKK-1", "NOT_EMPLOYED_ON_ACCIDENT_DATE")
    with pytest.raises(InvalidArgument) as future:
        opened(Program.JKK, "WORK_ACCIDENT", JkkDetails(datetime(2024, 6, 3, 13, tzinfo=UTC)))
    assert future.value.violations[0].field == "jkk.accident_at"


@pytest.mark.rule("B-JK-1")
def test_b_jk_1_a_death_benefit_goes_to_the_first_rank_of_heirs():
    dead = replace(MEMBER, status="DECEASED", death_date=date(2024, 4, 10))
    assert opened(Program.JK, "DEATH", JkDetails(date(2024, 4, 10), HEIRS), dead).beneficiary == ACCOUNT
    parent = BankAccount("Sumarni", "BRI", "0011223344")
    assert refusal(lambda: opened(Program.JK, "DEATH", JkDetails(date(2024, 4, 10), HEIRS), dead, parent)) == (
        "B-JK-1", "BENEFICIARY_NOT_AN_HEIR")
    only_parent = JkDetails(date(2024, 4, 10), (Heir("Sumarni", HeirRelation.PARENT),))
    assert opened(Program.JK, "DEATH", only_parent, dead, parent).state is ClaimState.SUBMITTED
    assert refusal(lambda: opened(Program.JK, "DEATH", JkDetails(date(2014, 4, 10), HEIRS))) == (
        "B-JK-1", "DEATH_BEFORE_ENROLMENT")


def test_one_open_jht_claim_one_death_benefit_one_claim_per_accident():
    jht = opened(Program.JHT, "LEFT_COUNTRY", JhtDetails())
    assert duplicate_of(jht, [jht]) is jht
    rejected = jht.reject(Rejection("B-JHT-2", "FORGED", "forged visa"), CLERK, NOW)
    assert duplicate_of(jht, [rejected]) is None  # a rejected claim may be filed again
    accident = opened(Program.JKK, "WORK_ACCIDENT", JkkDetails(datetime(2019, 8, 1, 7, tzinfo=UTC)))
    other = opened(Program.JKK, "WORK_ACCIDENT", JkkDetails(datetime(2019, 9, 1, 7, tzinfo=UTC)))
    assert duplicate_of(accident, [other, jht]) is None and duplicate_of(accident, [accident]) is accident
