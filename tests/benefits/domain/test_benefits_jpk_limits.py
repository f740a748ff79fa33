"""JPK limits in days and months: care days (B-JPK-5), the claim deadline (B-JPK-6), changing
the first-level facility (B-JPK-3), and bad input at the edge (INVALID_ARGUMENT, field named)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.benefits.domain.benefit_rules import jpk_rules_on
from services.benefits.domain.jpk import (
    CareKind,
    CoverageFacts,
    CoverageQuery,
    PersonKind,
    check_coverage,
    claim_deadline,
    claim_in_time,
    may_change_facility,
)
from services.chassis.errors import InvalidArgument

DAY = date(2011, 3, 10)
RULES = jpk_rules_on(DAY)
HOSPITAL, ELSEWHERE = "RSU-01", "RS-99"
FACTS = CoverageFacts(PersonKind.WORKER, True, covered_from=date(2005, 1, 1), appointed_facility_code="PKM-01",
                      network_facility_codes=frozenset({HOSPITAL}))


def stay(days: int, facts: CoverageFacts = FACTS, *, icu: int = 0, at: str = HOSPITAL, emergency: bool = False):
    query = CoverageQuery(DAY, at, CareKind.INPATIENT, inpatient_days=days, intensive_care_days=icu,
                          emergency=emergency)
    return check_coverage(query, facts, RULES)


class TestCareDays:
    @pytest.mark.rule("B-JPK-5")
    def test_a_stay_within_60_days_is_covered_whole(self):
        decision = stay(20, replace(FACTS, care_days_used=40))
        # 40 used + 20 = 60: all 20 covered
        assert (decision.covered, decision.reason_code, decision.days_covered) == (True, "COVERED", 20)

    @pytest.mark.rule("B-JPK-5")
    def test_beyond_60_days_per_case_per_year_only_the_days_left(self):
        decision = stay(10, replace(FACTS, care_days_used=55))
        # 60 - 55 = 5 of the 10 days
        assert (decision.covered, decision.rule_id, decision.reason_code, decision.days_covered) == (
            True, "B-JPK-5", "CARE_DAYS_LIMITED", 5)

    @pytest.mark.rule("B-JPK-5")
    def test_no_care_days_left_is_refused(self):
        decision = stay(3, replace(FACTS, care_days_used=60))
        assert (decision.covered, decision.rule_id, decision.reason_code, decision.days_covered) == (
            False, "B-JPK-5", "CARE_DAYS_EXHAUSTED", 0)

    @pytest.mark.rule("B-JPK-5")
    def test_intensive_care_at_most_20_days(self):
        decision = stay(10, replace(FACTS, intensive_care_days_used=15), icu=10)
        # 20 - 15 = 5 intensive-care days left: 10 - (10 - 5) = 5 days covered
        assert (decision.covered, decision.reason_code, decision.days_covered) == (
            True, "INTENSIVE_CARE_DAYS_LIMITED", 5)
        decision = stay(10, replace(FACTS, intensive_care_days_used=15), icu=4)
        assert (decision.covered, decision.days_covered) == (True, 10)

    @pytest.mark.rule("B-JPK-5")
    def test_intensive_care_days_used_up_leaves_the_ordinary_days(self):
        decision = stay(8, replace(FACTS, intensive_care_days_used=20), icu=3)
        # 3 intensive-care days are not covered, the other 5 are
        assert (decision.covered, decision.days_covered) == (True, 5)
        decision = stay(3, replace(FACTS, intensive_care_days_used=20), icu=3)
        assert (decision.covered, decision.reason_code) == (False, "INTENSIVE_CARE_DAYS_EXHAUSTED")

    @pytest.mark.rule("B-JPK-4", "B-JPK-5")
    def test_the_tightest_limit_decides(self):
        decision = stay(10, replace(FACTS, care_days_used=57), at=ELSEWHERE, emergency=True)
        # 7 days outside the appointed facilities, but only 60 - 57 = 3 care days left
        assert (decision.rule_id, decision.reason_code, decision.days_covered) == ("B-JPK-5", "CARE_DAYS_LIMITED", 3)

    @pytest.mark.rule("B-JPK-4", "B-JPK-5")
    @given(st.integers(1, 400), st.integers(0, 100), st.integers(0, 40), st.integers(0, 400),
           st.booleans(), st.booleans())
    def test_days_covered_never_exceed_the_stay_nor_any_limit(self, days, used, icu_used, icu, outside, emergency):
        icu = min(icu, days)
        facts = replace(FACTS, care_days_used=used, intensive_care_days_used=icu_used)
        decision = stay(days, facts, icu=icu, at=ELSEWHERE if outside else HOSPITAL, emergency=emergency)
        assert 0 <= decision.days_covered <= days
        assert decision.days_covered <= max(0, 60 - used)
        if outside and emergency:
            assert decision.days_covered <= 7
        if outside and not emergency:
            assert not decision.covered
        assert decision.covered == (decision.days_covered > 0)


class TestClaimDeadline:
    @pytest.mark.rule("B-JPK-6")
    @pytest.mark.parametrize("paid_off, deadline", [
        (date(2020, 1, 15), date(2020, 4, 15)),
        (date(2019, 11, 30), date(2020, 2, 29)),  # leap year: clamped to the month's end
        (date(2021, 11, 30), date(2022, 2, 28)),
        (date(2020, 10, 31), date(2021, 1, 31)),  # into the next year
    ])
    def test_three_months_after_the_arrears_are_paid_off(self, paid_off, deadline):
        assert claim_deadline(paid_off, RULES) == deadline

    @pytest.mark.rule("B-JPK-6")
    def test_a_claim_on_the_deadline_is_in_time_a_day_later_is_refused(self):
        assert claim_in_time(date(2020, 4, 15), date(2020, 1, 15), RULES).covered
        late = claim_in_time(date(2020, 4, 16), date(2020, 1, 15), RULES)
        assert (late.covered, late.rule_id, late.reason_code) == (False, "B-JPK-6", "CLAIM_TOO_LATE")

    @pytest.mark.rule("B-JPK-6")
    def test_a_deadline_past_the_calendar_is_invalid_argument(self):
        with pytest.raises(InvalidArgument) as refused:
            claim_deadline(date(9999, 11, 1), RULES)
        assert refused.value.violations[0].field == "arrears_paid_off_on"
        with pytest.raises(InvalidArgument):
            claim_deadline("2020-01-01", RULES)  # type: ignore[arg-type]


class TestChangingTheFacility:
    @pytest.mark.rule("B-JPK-3")
    @pytest.mark.parametrize("on, allowed", [(date(2020, 7, 30), False), (date(2020, 7, 31), True),
                                             (date(2021, 1, 1), True)])
    def test_after_six_months(self, on, allowed):
        decision = may_change_facility(date(2020, 1, 31), on, False, RULES)
        assert (decision.covered, decision.rule_id) == (allowed, "B-JPK-3")
        assert decision.reason_code == ("WAITING_PERIOD_PASSED" if allowed else "TOO_SOON")

    @pytest.mark.rule("B-JPK-3")
    def test_at_once_on_moving_house(self):
        decision = may_change_facility(date(2020, 1, 31), date(2020, 2, 1), True, RULES)
        assert (decision.covered, decision.reason_code) == (True, "MOVED_HOUSE")

    @pytest.mark.rule("B-JPK-3")
    def test_a_change_before_the_facility_was_picked_is_invalid_argument(self):
        with pytest.raises(InvalidArgument) as refused:
            may_change_facility(date(2020, 1, 31), date(2020, 1, 30), True, RULES)
        assert refused.value.violations[0].field == "on_date"


class TestBadInput:
    @pytest.mark.rule("B-JPK-1")
    @pytest.mark.parametrize("query, field", [
        ({"on_date": "2011-03-10"}, "on_date"),
        ({"on_date": datetime(2011, 3, 10, 8)}, "on_date"),
        ({"facility_code": ""}, "facility_code"),
        ({"facility_code": "X" * 65}, "facility_code"),
        ({"facility_code": None}, "facility_code"),
        ({"care": "INPATIENT"}, "care"),
        ({"exclusion_code": "NOT_A_CODE"}, "exclusion_code"),
        ({"inpatient_days": -1}, "inpatient_days"),
        ({"inpatient_days": 2**63}, None),  # a big stay is still a stay: no error at construction
        ({"inpatient_days": 0}, "inpatient_days"),  # a hospital stay is at least a day
        ({"intensive_care_days": 3, "inpatient_days": 2}, "intensive_care_days"),
        ({"emergency": "yes"}, "emergency"),
    ])
    def test_a_bad_query_names_its_field(self, query, field):
        values = {"on_date": DAY, "facility_code": HOSPITAL, "care": CareKind.INPATIENT, "inpatient_days": 1, **query}
        if field is None:
            assert CoverageQuery(**values).inpatient_days == 2**63
            return
        with pytest.raises(InvalidArgument) as refused:
            CoverageQuery(**values)
        assert field in {v.field for v in refused.value.violations}

    @pytest.mark.rule("B-JPK-1")
    @pytest.mark.parametrize("facts, field", [
        ({"person": "WORKER"}, "person"),
        ({"jpk_enrolled": 1}, "jpk_enrolled"),
        ({"covered_from": "2005-01-01"}, "covered_from"),
        ({"covered_until": date(2004, 12, 31)}, "covered_until"),
        ({"childbirths_so_far": -1}, "childbirths_so_far"),
        ({"children_on_joining": -1}, "children_on_joining"),
        ({"care_days_used": -1}, "care_days_used"),
        ({"age": 151}, "age"),
        ({"network_facility_codes": frozenset({""})}, "network_facility_codes"),
        ({"appointed_facility_code": 7}, "appointed_facility_code"),
    ])
    def test_bad_facts_name_their_field(self, facts, field):
        with pytest.raises(InvalidArgument) as refused:
            replace(FACTS, **facts)
        assert field in {v.field for v in refused.value.violations}

    @pytest.mark.rule("B-JPK-4", "B-JPK-5")
    def test_a_stay_at_the_edge_of_int64_is_answered_not_crashed(self):
        decision = stay(2**63 - 1)
        assert (decision.covered, decision.days_covered) == (True, 60)
