"""JPK coverage check (B-JPK-1..5, B-JPK-7): who is covered for what, where."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.benefits.domain.benefit_rules import jpk_rules_on
from services.benefits.domain.jpk import (
    EXCLUSIONS,
    CareKind,
    CoverageFacts,
    CoverageQuery,
    PersonKind,
    check_coverage,
)

DAY = date(2012, 6, 15)
RULES = jpk_rules_on(DAY)
CLINIC, HOSPITAL, ELSEWHERE = "PKM-BINJAI-01", "RSU-MEDAN-02", "RS-SWASTA-99"
WORKER = CoverageFacts(PersonKind.WORKER, True, covered_from=date(2010, 1, 1), appointed_facility_code=CLINIC,
                       appointed_since=date(2010, 1, 1), network_facility_codes=frozenset({HOSPITAL}),
                       birth_date=date(1975, 3, 1))
SPOUSE = replace(WORKER, person=PersonKind.SPOUSE, birth_date=date(1978, 1, 1))
CHILD = replace(WORKER, person=PersonKind.CHILD, birth_date=date(2005, 1, 1))


def ask(care: CareKind, facts: CoverageFacts = WORKER, *, at: str = CLINIC, on: date = DAY, **query):
    return check_coverage(CoverageQuery(on, at, care, **query), facts, RULES)


def outcome(decision) -> tuple[bool, str, str]:
    return decision.covered, decision.rule_id, decision.reason_code


class TestEnrolment:
    @pytest.mark.rule("B-JPK-1")
    @pytest.mark.parametrize("care, at", [(CareKind.FIRST_LEVEL_OUTPATIENT, CLINIC),
                                          (CareKind.REFERRED_SPECIALIST, HOSPITAL)])
    def test_an_enrolled_member_is_covered_at_the_appointed_facilities(self, care, at):
        assert outcome(ask(care, at=at)) == (True, "B-JPK-1", "COVERED")

    @pytest.mark.rule("B-JPK-1")
    def test_a_person_not_enrolled_in_jpk_is_not_covered(self):
        assert outcome(ask(CareKind.FIRST_LEVEL_OUTPATIENT, replace(WORKER, jpk_enrolled=False))) == (
            False, "B-JPK-1", "NOT_ENROLLED")

    @pytest.mark.rule("B-JPK-1")
    @pytest.mark.parametrize("on, covered", [(date(2009, 12, 31), False), (date(2010, 1, 1), True),
                                             (date(2012, 6, 30), True), (date(2012, 7, 1), False)])
    def test_cover_runs_from_its_first_to_its_last_day(self, on, covered):
        facts = replace(WORKER, covered_until=date(2012, 6, 30))
        decision = ask(CareKind.FIRST_LEVEL_OUTPATIENT, facts, on=on)
        assert decision.covered is covered
        if not covered:
            assert decision.reason_code == "NOT_COVERED_ON_DATE"

    @pytest.mark.rule("B-JPK-1")
    def test_special_services_are_for_the_worker_only(self):
        assert outcome(ask(CareKind.SPECIAL_SERVICE, at=HOSPITAL)) == (True, "B-JPK-1", "COVERED")
        for dependant in (SPOUSE, CHILD):
            assert outcome(ask(CareKind.SPECIAL_SERVICE, dependant, at=HOSPITAL)) == (
                False, "B-JPK-1", "SPECIAL_SERVICE_WORKER_ONLY")

    @pytest.mark.rule("B-JPK-1")
    def test_dependants_get_ordinary_care(self):
        assert ask(CareKind.INPATIENT, CHILD, at=HOSPITAL, inpatient_days=3).covered


class TestChildbirth:
    @pytest.mark.rule("B-JPK-2")
    @pytest.mark.parametrize("on_joining, since, covered, reason", [
        (0, 0, True, "COVERED"),  # 1st child
        (0, 2, True, "COVERED"),  # 3rd child
        (0, 3, False, "CHILDBIRTH_LIMIT_REACHED"),  # 4th child
        (2, 0, True, "COVERED"),  # 3rd child, two born before joining
        (2, 1, False, "CHILDBIRTH_LIMIT_REACHED"),  # 4th child
        (3, 0, False, "HAD_CHILDREN_ON_JOINING"),  # 3 children when joining: none
        (4, 0, False, "HAD_CHILDREN_ON_JOINING"),
    ])
    def test_childbirth_up_to_the_third_child(self, on_joining, since, covered, reason):
        facts = replace(SPOUSE, children_on_joining=on_joining, childbirths_so_far=since)
        decision = ask(CareKind.CHILDBIRTH, facts, at=HOSPITAL, inpatient_days=2)
        assert (decision.covered, decision.reason_code) == (covered, reason)
        assert decision.rule_id == ("B-JPK-1" if covered else "B-JPK-2")

    @pytest.mark.rule("B-JPK-2")
    def test_childbirth_is_for_a_worker_or_a_workers_wife(self):
        assert outcome(ask(CareKind.CHILDBIRTH, CHILD, at=HOSPITAL)) == (
            False, "B-JPK-2", "CHILDBIRTH_WORKER_OR_SPOUSE_ONLY")
        assert ask(CareKind.CHILDBIRTH, WORKER, at=HOSPITAL).covered


class TestFacilities:
    @pytest.mark.rule("B-JPK-3")
    def test_first_level_care_is_at_the_members_own_facility(self):
        assert outcome(ask(CareKind.FIRST_LEVEL_OUTPATIENT, at=HOSPITAL)) == (
            False, "B-JPK-3", "NOT_THE_APPOINTED_FACILITY")

    @pytest.mark.rule("B-JPK-4")
    @pytest.mark.parametrize("care", [CareKind.REFERRED_SPECIALIST, CareKind.INPATIENT])
    def test_other_care_outside_the_appointed_facilities_is_not_covered(self, care):
        assert outcome(ask(care, at=ELSEWHERE, inpatient_days=1)) == (False, "B-JPK-4", "NOT_AN_APPOINTED_FACILITY")

    @pytest.mark.rule("B-JPK-4")
    def test_an_emergency_is_covered_anywhere(self):
        assert outcome(ask(CareKind.EMERGENCY, at=ELSEWHERE)) == (True, "B-JPK-1", "COVERED")
        assert ask(CareKind.FIRST_LEVEL_OUTPATIENT, at=ELSEWHERE, emergency=True).covered

    @pytest.mark.rule("B-JPK-4")
    def test_an_emergency_stay_outside_is_covered_for_7_days_at_most(self):
        decision = ask(CareKind.INPATIENT, at=ELSEWHERE, emergency=True, inpatient_days=10)
        assert outcome(decision) == (True, "B-JPK-4", "EMERGENCY_STAY_LIMITED")
        assert decision.days_covered == 7
        decision = ask(CareKind.INPATIENT, at=ELSEWHERE, emergency=True, inpatient_days=7)
        assert (outcome(decision), decision.days_covered) == ((True, "B-JPK-1", "COVERED"), 7)

    @pytest.mark.rule("B-JPK-4")
    def test_an_emergency_stay_at_an_appointed_hospital_is_not_cut_to_7_days(self):
        decision = ask(CareKind.INPATIENT, at=HOSPITAL, emergency=True, inpatient_days=10)
        assert (decision.covered, decision.days_covered) == (True, 10)


class TestExclusions:
    @pytest.mark.rule("B-JPK-5")
    def test_an_excluded_condition_is_refused_naming_the_code(self):
        decision = ask(CareKind.INPATIENT, at=HOSPITAL, inpatient_days=3, exclusion_code="CANCER")
        assert outcome(decision) == (False, "B-JPK-5", "EXCLUDED")
        assert "CANCER" in decision.message

    @pytest.mark.rule("B-JPK-5")
    @pytest.mark.parametrize("code", sorted(EXCLUSIONS))
    def test_every_exclusion_refuses_ordinary_care(self, code):
        assert outcome(ask(CareKind.REFERRED_SPECIALIST, at=HOSPITAL, exclusion_code=code)) == (
            False, "B-JPK-5", "EXCLUDED")

    @pytest.mark.rule("B-JPK-5")
    def test_the_catalogue_holds_every_item_the_rule_book_lists(self):
        # self-inflicted injury, dangerous sports, alcohol or drugs, cancer, occupational disease or
        # accident, congenital lifelong conditions, 4th+ childbirth, haemodialysis, heart surgery,
        # organ transplants, treatment abroad, fertility treatment, cosmetics, general check-ups,
        # care beyond 60 days, intensive care beyond 20 days
        assert {"SELF_INFLICTED_INJURY", "DANGEROUS_SPORTS", "ALCOHOL_OR_DRUGS", "CANCER",
                "WORK_ACCIDENT_OR_OCCUPATIONAL_DISEASE", "CONGENITAL_LIFELONG_CONDITION",
                "FOURTH_OR_LATER_CHILDBIRTH", "HAEMODIALYSIS", "HEART_SURGERY", "ORGAN_TRANSPLANT",
                "TREATMENT_ABROAD", "FERTILITY_TREATMENT", "COSMETIC", "GENERAL_CHECKUP", "CARE_BEYOND_60_DAYS",
                "INTENSIVE_CARE_BEYOND_20_DAYS"} <= set(EXCLUSIONS)
        assert all(isinstance(text, str) and text for text in EXCLUSIONS.values())

    @pytest.mark.rule("B-JPK-5")
    def test_the_catalogue_is_read_only(self):
        with pytest.raises(TypeError):
            EXCLUSIONS["NEW"] = "x"  # type: ignore[index]


class TestExtraBenefits:
    @pytest.mark.rule("B-JPK-7", "B-JPK-5")
    @pytest.mark.parametrize("care, code", [
        (CareKind.EXTRA_HAEMODIALYSIS, "HAEMODIALYSIS"), (CareKind.EXTRA_CANCER, "CANCER"),
        (CareKind.EXTRA_HIV_AIDS, "SEXUALLY_TRANSMITTED_DISEASE"), (CareKind.EXTRA_HEART_SURGERY, "HEART_SURGERY"),
        (CareKind.EXTRA_HEART_SURGERY, "THERAPEUTIC_CARDIAC_CATHETERISATION"),
    ])
    def test_the_extra_benefits_lift_the_exclusion_they_exist_for(self, care, code):
        for person in (WORKER, SPOUSE, CHILD):  # for workers and families
            assert outcome(ask(care, person, at=HOSPITAL, exclusion_code=code)) == (True, "B-JPK-7", "EXTRA_BENEFIT")

    @pytest.mark.rule("B-JPK-7", "B-JPK-5")
    def test_an_extra_benefit_lifts_only_its_own_exclusion(self):
        assert outcome(ask(CareKind.EXTRA_CANCER, at=HOSPITAL, exclusion_code="ORGAN_TRANSPLANT")) == (
            False, "B-JPK-5", "EXCLUDED")

    @pytest.mark.rule("B-JPK-7")
    @pytest.mark.parametrize("on, covered", [(date(2015, 2, 28), False), (date(2015, 3, 1), True)])
    def test_the_extra_checkup_is_for_workers_from_40(self, on, covered):
        # born 1975-03-01: 39 on 2015-02-28, 40 on 2015-03-01
        decision = ask(CareKind.EXTRA_CHECKUP, on=on, exclusion_code="GENERAL_CHECKUP")
        assert (decision.covered, decision.rule_id) == (covered, "B-JPK-7")
        assert decision.reason_code == ("EXTRA_BENEFIT" if covered else "EXTRA_CHECKUP_UNDER_AGE")

    @pytest.mark.rule("B-JPK-7")
    def test_the_age_may_come_as_a_number_when_the_birth_date_is_unknown(self):
        assert ask(CareKind.EXTRA_CHECKUP, replace(WORKER, birth_date=None, age=41)).covered
        assert not ask(CareKind.EXTRA_CHECKUP, replace(WORKER, birth_date=None, age=39)).covered
        assert ask(CareKind.EXTRA_CHECKUP, replace(WORKER, birth_date=None)).reason_code == "EXTRA_CHECKUP_UNDER_AGE"

    @pytest.mark.rule("B-JPK-7")
    def test_the_extra_checkup_is_not_for_dependants(self):
        assert outcome(ask(CareKind.EXTRA_CHECKUP, SPOUSE)) == (False, "B-JPK-7", "EXTRA_CHECKUP_WORKER_ONLY")

    @pytest.mark.rule("B-JPK-5")
    def test_an_ordinary_checkup_stays_excluded(self):
        assert outcome(ask(CareKind.FIRST_LEVEL_OUTPATIENT, exclusion_code="GENERAL_CHECKUP")) == (
            False, "B-JPK-5", "EXCLUDED")
