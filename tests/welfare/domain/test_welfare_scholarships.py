"""Scholarships: amounts (W-S-1) and eligibility (W-S-2), every failing reason at once."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.chassis.errors import InvalidArgument, RuleViolation
from services.welfare.domain.members import EmployerFacts, WorkerFacts
from services.welfare.domain.rule_tables import SCHOLARSHIP_RULES
from services.welfare.domain.scholarships import (
    REQUIRED_DOCUMENTS, Child, ScholarshipApplication, ScholarshipPath, SchoolLevel, award_schedule, evaluate,
    validate_child,
)

ON = date(2025, 6, 2)
RULES = SCHOLARSHIP_RULES.in_force_on(ON)
UMK = 2_900_000  # Binjai; 300% of it is 8,700,000
EMPLOYER = EmployerFacts("12345678", "KC-BINJAI", "PT Sawit Makmur", date(2020, 1, 6), True, date(2025, 6, 1))
WORKER = WorkerFacts("12345678901", "12345678", "KC-BINJAI", "Budi", "ACTIVE", date(2020, 2, 3), 4_000_000)
PUPIL = Child("Ani", 1, SchoolLevel.SENIOR_HIGH, 11, "SMA Negeri 1 Binjai", 801, None, False)
STUDENT = Child("Rudi", 2, SchoolLevel.UNIVERSITY, 3, "Universitas Sumatera Utara", None, 275, False)
DOCS = frozenset(REQUIRED_DOCUMENTS)


def codes(worker=WORKER, employer=EMPLOYER, umk=UMK, child=PUPIL, documents=DOCS, on=ON):
    path, reasons = evaluate(worker, employer, umk, child, documents, RULES, on)
    return path, {r.code for r in reasons}


@pytest.mark.rule("W-S-1")
@pytest.mark.parametrize(("level", "monthly"), [
    (SchoolLevel.PRIMARY, 150_000), (SchoolLevel.JUNIOR_HIGH, 150_000),
    (SchoolLevel.SENIOR_HIGH, 200_000), (SchoolLevel.UNIVERSITY, 200_000)])
def test_the_monthly_amount_by_level_for_12_months(level, monthly):
    schedule = award_schedule(level, RULES, date(2025, 7, 1))
    assert [p.amount for p in schedule] == [monthly] * 12
    # 12 x 150,000 = 1,800,000; 12 x 200,000 = 2,400,000
    assert sum(p.amount for p in schedule) == {150_000: 1_800_000, 200_000: 2_400_000}[monthly]
    assert schedule[-1].due_on == date(2026, 6, 1)


@pytest.mark.rule("W-S-2")
def test_an_eligible_child_has_no_reason():
    assert codes() == (ScholarshipPath.ACHIEVEMENT, set())
    assert codes(child=STUDENT) == (ScholarshipPath.ACHIEVEMENT, set())


@pytest.mark.rule("W-S-2")
@pytest.mark.parametrize(("child", "eligible"), [
    (replace(PUPIL, report_grade_hundredths=700), False),  # 7.00 is not above 7.00
    (replace(PUPIL, report_grade_hundredths=701), True),
    (replace(STUDENT, gpa_hundredths=274), False),
    (replace(STUDENT, gpa_hundredths=275), True),  # at least 2.75
])
def test_grades_above_7_or_a_gpa_of_at_least_2_75(child, eligible):
    assert (codes(child=child)[1] == set()) is eligible


@pytest.mark.rule("W-S-2")
@pytest.mark.parametrize(("wage", "eligible"), [(8_700_000, True), (8_700_001, False)])
def test_the_wage_is_at_most_300_percent_of_the_umk(wage, eligible):
    # 2,900,000 x 300% = 8,700,000
    assert (codes(worker=replace(WORKER, monthly_wage_rupiah=wage))[1] == set()) is eligible


@pytest.mark.rule("W-S-2", "C-8")
def test_every_failing_condition_is_answered_at_once():
    worker = replace(WORKER, member_since=date(2024, 12, 1), status="NON_ACTIVE", monthly_wage_rupiah=9_000_000)
    employer = replace(EMPLOYER, registered_on=date(2025, 1, 1), good_standing=False)
    child = replace(PUPIL, order=4, report_grade_hundredths=650, receives_other_scholarship=True)
    assert codes(worker, employer, UMK, child, frozenset())[1] == {
        "EMPLOYER_REGISTERED_UNDER_1_YEAR", "EMPLOYER_NOT_IN_GOOD_STANDING", "MEMBER_UNDER_1_YEAR",
        "MEMBER_NOT_ACTIVE", "WAGE_ABOVE_UMK_CAP", "GRADES_NOT_ABOVE_MINIMUM", "CHILD_ORDER_ABOVE_MAXIMUM",
        "RECEIVES_OTHER_SCHOLARSHIP", "DOCUMENTS_MISSING"}


@pytest.mark.rule("W-S-2")
def test_an_unknown_umk_or_standing_is_a_reason_not_a_guess():
    assert codes(umk=None)[1] == {"UMK_UNKNOWN"}
    assert codes(employer=replace(EMPLOYER, good_standing=None))[1] == {"EMPLOYER_STANDING_UNKNOWN"}


@pytest.mark.rule("W-S-2")
@pytest.mark.parametrize("victim", [dict(work_accident_death=True), dict(work_accident_disability=True)])
def test_a_child_of_a_worker_killed_or_disabled_at_work_needs_no_grades(victim):
    worker = replace(WORKER, status="DECEASED", member_since=date(2025, 3, 1), monthly_wage_rupiah=20_000_000, **victim)
    child = replace(PUPIL, report_grade_hundredths=550)
    assert codes(worker=worker, child=child, employer=replace(EMPLOYER, good_standing=False)) == (
        ScholarshipPath.WORK_ACCIDENT, set())
    # but no other scholarship, and only the first three children
    assert codes(worker=worker, child=replace(child, receives_other_scholarship=True, order=4))[1] == {
        "RECEIVES_OTHER_SCHOLARSHIP", "CHILD_ORDER_ABOVE_MAXIMUM"}


@pytest.mark.parametrize(("child", "field"), [
    (replace(PUPIL, class_or_semester=13), "child.class_or_semester"),
    (replace(PUPIL, level=SchoolLevel.PRIMARY, class_or_semester=7), "child.class_or_semester"),
    (replace(PUPIL, report_grade_hundredths=1001), "child.report_grade_hundredths"),
    (replace(STUDENT, gpa_hundredths=401), "child.gpa_hundredths"),
    (replace(PUPIL, name=" "), "child.name"),
])
def test_impossible_child_data_is_bad_input(child, field):
    with pytest.raises(InvalidArgument) as bad:
        validate_child(child)
    assert {v.field for v in bad.value.violations} == {field}


@pytest.mark.rule("O-4", "W-S-1")
def test_the_award_is_by_another_officer_and_each_payment_is_paid_once():
    application = ScholarshipApplication("A1", WORKER.kpj, WORKER.npp, "KC-BINJAI", PUPIL, DOCS, ON, "siti")
    checked = application.checked("siti", ON, ScholarshipPath.ACHIEVEMENT, [])
    with pytest.raises(RuleViolation) as same:
        checked.awarded("siti", ON, award_schedule(PUPIL.level, RULES, date(2025, 7, 1)))
    assert same.value.code == "SAME_PERSON"
    awarded = checked.awarded("kepala", ON, award_schedule(PUPIL.level, RULES, date(2025, 7, 1)))
    paid = awarded.paid(1, date(2025, 7, 1), "BNI-1")
    with pytest.raises(RuleViolation) as twice:
        paid.paid(1, date(2025, 7, 2), "BNI-2")
    assert twice.value.code == "PAYMENT_ALREADY_PAID"
    done = paid
    for n in range(2, 13):
        done = done.paid(n, date(2025, 7, 1), f"BNI-{n}")
    assert done.status.value == "COMPLETED"
