"""JPK family coverage (M-6)."""
from __future__ import annotations

from datetime import date

import pytest

from services.chassis.errors import InvalidArgument
from services.membership.domain.family import (
    FamilyMember,
    Relation,
    child_coverage_ends_on,
    covered_dependants,
    validate_family,
)
from services.membership.domain.numbers import make_nik
from services.membership.domain.person import MaritalStatus, Sex
from services.membership.domain.worker_rules import FamilyRules, family_rules_on

ON = date(2024, 6, 1)
WORKER_BORN = date(1980, 4, 1)
SPOUSE = FamilyMember("Budi", Relation.SPOUSE, date(1979, 1, 1), married=True)


def child(name, born, married=False, order=None, nik=None):
    return FamilyMember(name, Relation.CHILD, born, married=married, order=order, nik=nik)


FOUR_CHILDREN = [child("Ani", date(2004, 1, 1), order=1), child("Dedi", date(2012, 1, 1), order=4),
                 child("Bayu", date(2006, 1, 1), order=2), child("Citra", date(2009, 1, 1), order=3)]


def names(members):
    return [m.name for m in members]


@pytest.mark.rule("M-6")
def test_m6_married_worker_covers_spouse_and_three_eldest_eligible_children():
    covered = covered_dependants(MaritalStatus.MARRIED, [*FOUR_CHILDREN, SPOUSE], ON)
    assert names(covered) == ["Budi", "Ani", "Bayu", "Citra"]


@pytest.mark.rule("M-6")
def test_m6_child_drops_out_at_21_and_the_next_child_moves_up():
    assert child_coverage_ends_on(FOUR_CHILDREN[0]) == date(2025, 1, 1)
    covered = covered_dependants(MaritalStatus.MARRIED, [SPOUSE, *FOUR_CHILDREN], date(2025, 1, 1))
    assert names(covered) == ["Budi", "Bayu", "Citra", "Dedi"]
    day_before = covered_dependants(MaritalStatus.MARRIED, [SPOUSE, *FOUR_CHILDREN], date(2024, 12, 31))
    assert "Ani" in names(day_before)


@pytest.mark.rule("M-6")
def test_m6_married_child_drops_out():
    family = [SPOUSE, child("Ani", date(2004, 1, 1), married=True), child("Bayu", date(2006, 1, 1))]
    assert names(covered_dependants(MaritalStatus.MARRIED, family, ON)) == ["Budi", "Bayu"]


@pytest.mark.rule("M-6")
def test_m6_child_born_after_the_date_is_not_yet_covered():
    family = [child("Eka", date(2024, 7, 1))]
    assert covered_dependants(MaritalStatus.MARRIED, family, ON) == ()


@pytest.mark.rule("M-6")
def test_m6_twins_are_ordered_by_the_family_card():
    twins = [child("Kedua", date(2010, 5, 5), order=3), child("Pertama", date(2010, 5, 5), order=2),
             child("Sulung", date(2008, 1, 1), order=1), child("Bungsu", date(2012, 1, 1), order=4)]
    assert names(covered_dependants(MaritalStatus.MARRIED, twins, ON)) == ["Sulung", "Pertama", "Kedua"]


@pytest.mark.rule("M-6")
@pytest.mark.parametrize("status", [MaritalStatus.SINGLE, MaritalStatus.DIVORCED, MaritalStatus.WIDOWED])
def test_m6_only_a_married_worker_has_dependants(status):
    assert covered_dependants(status, [SPOUSE, *FOUR_CHILDREN], ON) == ()


@pytest.mark.rule("M-6")
def test_m6_child_born_on_29_february_drops_out_on_1_march():
    assert child_coverage_ends_on(child("Leap", date(2004, 2, 29))) == date(2025, 3, 1)


@pytest.mark.rule("M-6")
def test_m6_valid_family_passes():
    family = [SPOUSE, child("Ani", date(2004, 1, 1), order=1, nik=make_nik("127501", date(2004, 1, 1), Sex.FEMALE))]
    assert validate_family(WORKER_BORN, MaritalStatus.MARRIED, family, ON) is None
    # and the family it accepted is covered: the spouse, and Ani (20 on 1 Jun 2024, under 21)
    assert names(covered_dependants(MaritalStatus.MARRIED, family, ON)) == ["Budi", "Ani"]


@pytest.mark.rule("M-6")
def test_m6_family_change_reports_every_problem():
    family = [
        SPOUSE,
        FamilyMember("Kedua", Relation.SPOUSE, date(1985, 1, 1), married=True),
        child("", date(2004, 1, 1), order=1),
        child("Tua", date(1979, 1, 1), order=1),
        child("Nanti", date(2024, 7, 1)),
        child("Salah", date(2010, 1, 1), nik=make_nik("127501", date(2010, 1, 2), Sex.MALE)),
        child("Rusak", date(2011, 1, 1), nik="123"),
    ]
    with pytest.raises(InvalidArgument) as caught:
        validate_family(WORKER_BORN, MaritalStatus.MARRIED, family, ON)
    assert {v.field for v in caught.value.violations} == {
        "family[1].relation", "family[2].name", "family[3].birth_date", "family[3].order",
        "family[4].birth_date", "family[5].nik", "family[6].nik",
    }


@pytest.mark.rule("M-6")
def test_m6_spouse_only_for_a_married_worker():
    with pytest.raises(InvalidArgument, match="family\\[0\\].relation: a spouse can only be recorded"):
        validate_family(WORKER_BORN, MaritalStatus.SINGLE, [SPOUSE], ON)


@pytest.mark.rule("M-6")
def test_m6_relation_given_as_text_is_read_and_unknown_relation_reported():
    family = [FamilyMember("Budi", "SPOUSE", date(1979, 1, 1)), FamilyMember("Om", "UNCLE", date(1970, 1, 1))]
    with pytest.raises(InvalidArgument) as caught:
        validate_family(WORKER_BORN, MaritalStatus.MARRIED, family, ON)
    assert {v.field for v in caught.value.violations} == {"family[1].relation"}
    assert names(covered_dependants(MaritalStatus.MARRIED, family[:1], ON)) == ["Budi"]


@pytest.mark.rule("M-6")
def test_m6_the_limits_are_a_dated_rule_table_of_three_children_under_21():
    rules = family_rules_on(date(2024, 1, 1))
    assert (rules.max_covered_children, rules.child_age_limit) == (3, 21)
    assert family_rules_on(date(1980, 1, 1)) == rules  # records older than the first version


@pytest.mark.rule("M-6")
def test_m6_a_new_version_of_the_limits_applies_from_its_own_date(monkeypatch):
    import services.membership.domain.family as family
    import services.membership.domain.worker_rules as worker_rules

    table = worker_rules.FAMILY_RULES.with_version(
        FamilyRules(date(2030, 1, 1), max_covered_children=2, child_age_limit=25, source="hypothetical"))
    monkeypatch.setattr(worker_rules, "FAMILY_RULES", table)
    monkeypatch.setattr(family, "FAMILY_RULES", table)
    # 21 before the change: born 1 Jun 2008, out on 1 Jun 2029, before 2030.
    assert child_coverage_ends_on(child("Early", date(2008, 6, 1))) == date(2029, 6, 1)
    # Still under 21 on 1 Jan 2030, so the new limit of 25 holds: out on 1 Jun 2035.
    assert child_coverage_ends_on(child("Later", date(2010, 6, 1))) == date(2035, 6, 1)
    spouse = FamilyMember("Siti", Relation.SPOUSE, date(1990, 1, 1))
    kids = [child(f"C{i}", date(2015, 1, i + 1), order=i + 1) for i in range(3)]
    assert names(covered_dependants(MaritalStatus.MARRIED, [spouse, *kids], date(2029, 12, 31))) == ["Siti", "C0", "C1", "C2"]
    assert names(covered_dependants(MaritalStatus.MARRIED, [spouse, *kids], date(2030, 1, 1))) == ["Siti", "C0", "C1"]
