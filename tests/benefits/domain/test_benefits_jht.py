"""JHT eligibility (B-JHT-1) and the 30 days to pay (B-JHT-3), with the rules of the claim's
own date from the dated JHT table."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.benefits.domain.dates import add_months, age_on, whole_months_between
from services.benefits.domain.jht import JHT_RULES, Deadline, JhtRules, check_eligibility, deadline_on, payment_due_on
from services.benefits.domain.member_facts import Employment, MemberFacts
from services.benefits.domain.programs import JhtReason
from services.chassis.errors import RuleViolation

RULES = JHT_RULES.in_force_on(date(2024, 6, 3))


def facts(**changes) -> MemberFacts:
    base = MemberFacts(kpj="10000000001", name="Budi", birth_date=date(1969, 6, 3), status="ACTIVE", npp="20000001",
                       branch_code="KC-BINJAI", programs=frozenset({"JHT"}), member_since=date(2019, 5, 2),
                       employments=(Employment("20000001", "KC-BINJAI", date(2019, 5, 2)),))
    return replace(base, **changes)


def code_of(reason: JhtReason, member: MemberFacts, on: date, rules: JhtRules = RULES) -> str | None:
    try:
        check_eligibility(reason, member, on, rules)
    except RuleViolation as error:
        assert error.rule_id == "B-JHT-1"
        return error.code
    return None


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_the_balance_is_paid_from_the_55th_birthday():
    assert code_of(JhtReason.AGE_55, facts(), date(2024, 6, 2)) == "UNDER_55"  # 54 the day before
    assert code_of(JhtReason.AGE_55, facts(), date(2024, 6, 3)) is None  # 55 on 3 June 2024


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_termination_needs_60_months_of_membership():
    # 2019-05-02 .. 2024-05-01: 59 whole months; .. 2024-05-02: 60.
    assert code_of(JhtReason.TERMINATION, facts(status="NON_ACTIVE", end_date=date(2024, 5, 1)),
                   date(2024, 7, 1)) == "MEMBERSHIP_UNDER_5_YEARS"
    assert code_of(JhtReason.TERMINATION, facts(status="NON_ACTIVE", end_date=date(2024, 5, 2)),
                   date(2024, 7, 1)) is None


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_termination_waits_a_month_after_the_last_day_worked():
    left = facts(status="NON_ACTIVE", end_date=date(2024, 5, 31))
    # 31 May + 1 month = 30 June (no 31 June): claimable from 30 June.
    assert code_of(JhtReason.TERMINATION, left, date(2024, 6, 29)) == "WAITING_PERIOD_NOT_OVER"
    assert code_of(JhtReason.TERMINATION, left, date(2024, 6, 30)) is None
    assert code_of(JhtReason.TERMINATION, facts(), date(2024, 6, 30)) == "STILL_EMPLOYED"


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_reasons_proven_by_documents_need_no_facts_but_a_deceased_member_claims_death_only():
    for reason in (JhtReason.TOTAL_DISABILITY, JhtReason.LEFT_COUNTRY, JhtReason.CIVIL_SERVICE):
        assert code_of(reason, facts(birth_date=date(1995, 1, 1)), date(2024, 6, 3)) is None
    dead = facts(status="DECEASED", death_date=date(2024, 1, 2))
    assert code_of(JhtReason.AGE_55, dead, date(2024, 6, 3)) == "MEMBER_DECEASED"
    assert code_of(JhtReason.DEATH, dead, date(2024, 6, 3)) is None
    assert code_of(JhtReason.DEATH, facts(), date(2024, 6, 3)) == "DEATH_NOT_RECORDED"


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_the_claim_date_picks_the_version_of_the_rules():
    later = JHT_RULES.with_version(replace(RULES, effective_from=date(2025, 1, 1), source="a later regulation",
                                           retirement_age=56))
    member = facts(birth_date=date(1969, 3, 1))  # 55 on 2024-03-01, 56 on 2025-03-01
    assert code_of(JhtReason.AGE_55, member, date(2024, 12, 31), later.in_force_on(date(2024, 12, 31))) is None
    assert code_of(JhtReason.AGE_55, member, date(2025, 2, 1), later.in_force_on(date(2025, 2, 1))) == "UNDER_55"
    with pytest.raises(RuleViolation) as none:
        JHT_RULES.in_force_on(date(1990, 1, 1))
    assert none.value.rule_id == "B-JHT-1"


def test_the_rules_version_round_trips_as_data():
    assert JhtRules.from_dict(RULES.to_dict()) == RULES


@pytest.mark.rule("B-JHT-3")
def test_b_jht_3_paid_within_30_days_at_risk_in_the_last_7_then_overdue():
    due = payment_due_on(date(2024, 6, 3), RULES)
    assert due == date(2024, 7, 3)  # 3 June + 30 days
    assert deadline_on(due, date(2024, 6, 25), RULES) is Deadline.ON_TIME  # 8 days left
    assert deadline_on(due, date(2024, 6, 26), RULES) is Deadline.AT_RISK  # 7 days left
    assert deadline_on(due, date(2024, 7, 3), RULES) is Deadline.AT_RISK  # the last day
    assert deadline_on(due, date(2024, 7, 4), RULES) is Deadline.OVERDUE


def test_calendar_months_clamp_to_the_end_of_a_shorter_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 15), 2) == date(2024, 2, 15)
    assert whole_months_between(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert whole_months_between(date(2024, 1, 31), date(2024, 2, 28)) == 0
    assert age_on(date(2000, 2, 29), date(2024, 2, 28)) == 23 and age_on(date(2000, 2, 29), date(2024, 2, 29)) == 24
