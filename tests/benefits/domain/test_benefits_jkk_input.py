"""JKK input at the edges: bad values are INVALID_ARGUMENT naming the field, never an internal
error; amounts up to MAX_RUPIAH are exact, and a benefit above it is refused, not truncated."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from services.benefits.domain.benefit_rules import jkk_rules_on
from services.benefits.domain.jkk import DisabilityFinding, JkkCase, JkkOutcome, TransportMode, assess_jkk
from services.chassis.errors import InvalidArgument
from services.chassis.money import MAX_RUPIAH

ACCIDENT = date(2014, 8, 17)
RULES = jkk_rules_on(ACCIDENT)
INT64_MAX = 2**63 - 1


def fields_of(error: InvalidArgument) -> set[str]:
    return {v.field for v in error.violations}


def refused(**facts) -> set[str]:
    values = {"monthly_wage": 5_000_000, "accident_date": ACCIDENT, "outcome": JkkOutcome.RECOVERED, **facts}
    with pytest.raises(InvalidArgument) as error:
        assess_jkk(JkkCase(**values), RULES)
    return fields_of(error.value)


class TestBadValues:
    @pytest.mark.rule("B-JKK-3")
    @pytest.mark.parametrize("wage", [-1, MAX_RUPIAH + 1, INT64_MAX, 5_000_000.0, True, "5000000", None])
    def test_a_bad_wage_names_monthly_wage(self, wage):
        assert refused(monthly_wage=wage) == {"monthly_wage"}

    @pytest.mark.rule("B-JKK-3")
    @pytest.mark.parametrize("day", [None, "2014-08-17", datetime(2014, 8, 17, 10, 0)])
    def test_a_bad_accident_date_names_it(self, day):
        assert refused(accident_date=day) == {"accident_date"}

    @pytest.mark.rule("B-JKK-7")
    @pytest.mark.parametrize("outcome", ["DEATH", None, 3])
    def test_an_outcome_that_is_not_the_enum_names_outcome(self, outcome):
        assert refused(outcome=outcome) == {"outcome"}

    @pytest.mark.rule("B-JKK-2")
    @pytest.mark.parametrize("entry, field", [
        ((TransportMode.LAND, -1), "transport.amount"),
        ((TransportMode.AIR, MAX_RUPIAH + 1), "transport.amount"),
        (("BICYCLE", 10_000), "transport.mode"),
        ((TransportMode.SEA,), "transport"),
    ])
    def test_a_bad_transport_entry_names_its_field(self, entry, field):
        assert refused(transport=(entry,)) == {field}

    @pytest.mark.rule("B-JKK-3")
    @pytest.mark.parametrize("facts, field", [
        ({"stmb_months": -1}, "stmb_months"), ({"stmb_months": 1.5}, "stmb_months"),
        ({"stmb_extra_days": -1}, "stmb_extra_days"), ({"stmb_extra_days": 30}, "stmb_extra_days"),
    ])
    def test_bad_stmb_time_names_its_field(self, facts, field):
        assert refused(**facts) == {field}

    @pytest.mark.rule("B-JKK-4", "B-JKK-8")
    @pytest.mark.parametrize("name", ["medical_claimed", "dentures_claimed", "rehabilitation_price",
                                      "medical_rehabilitation_claimed"])
    @pytest.mark.parametrize("value", [-1, -MAX_RUPIAH, MAX_RUPIAH + 1, 1.0])
    def test_a_bad_claim_names_its_field(self, name, value):
        assert refused(**{name: value}) == {name}

    @pytest.mark.rule("B-JKK-3", "B-JKK-4")
    def test_every_problem_is_reported_at_once(self):
        assert refused(monthly_wage=-1, stmb_months=-1, medical_claimed=-5) == {
            "monthly_wage", "stmb_months", "medical_claimed"}

    @pytest.mark.rule("B-JKK-5")
    @pytest.mark.parametrize("finding, field", [
        ({"code": ""}, "disabilities.code"), ({"code": None}, "disabilities.code"),
        ({"code": "SIGHT_ONE_EYE", "percentage": -1}, "disabilities.percentage"),
        ({"code": "SIGHT_ONE_EYE", "percentage": 101}, "disabilities.percentage"),
        ({"code": "SIGHT_ONE_EYE", "loss_of_function_pct": 0}, "disabilities.loss_of_function_pct"),
        ({"code": "SIGHT_ONE_EYE", "loss_of_function_pct": 101}, "disabilities.loss_of_function_pct"),
    ])
    def test_a_bad_finding_names_its_field(self, finding, field):
        with pytest.raises(InvalidArgument) as error:
            DisabilityFinding(**finding)
        assert fields_of(error.value) == {field}

    @pytest.mark.rule("B-JKK-5")
    def test_findings_belong_to_a_partial_disability_outcome(self):
        assert refused(outcome=JkkOutcome.DEATH, disabilities=(DisabilityFinding("SIGHT_ONE_EYE"),)) == {
            "disabilities"}
        assert refused(outcome=JkkOutcome.PARTIAL_DISABILITY) == {"disabilities"}


class TestMaxRupiah:
    @pytest.mark.rule("B-JKK-3")
    def test_one_month_of_the_largest_wage_is_paid_exactly(self):
        got = assess_jkk(JkkCase(MAX_RUPIAH, ACCIDENT, JkkOutcome.RECOVERED, stmb_months=1), RULES)
        assert got.total == MAX_RUPIAH  # 100% x MAX_RUPIAH

    @pytest.mark.rule("B-JKK-3")
    def test_stmb_above_max_rupiah_is_refused_naming_the_months(self):
        assert refused(monthly_wage=MAX_RUPIAH, stmb_months=2) == {"stmb_months"}
        assert refused(monthly_wage=1, stmb_months=INT64_MAX) == {"stmb_months"}

    @pytest.mark.rule("B-JKK-7")
    def test_a_death_on_the_largest_wage_is_refused_naming_the_wage(self):
        # 60% x 80 = 48 months' wage: 48 x MAX_RUPIAH is above MAX_RUPIAH
        assert refused(monthly_wage=MAX_RUPIAH, outcome=JkkOutcome.DEATH) == {"monthly_wage"}

    @pytest.mark.rule("B-JKK-7")
    def test_the_largest_wage_whose_death_benefit_is_payable(self):
        # total = 48 x wage + 4,800,000 periodic + 2,000,000 funeral <= 100,000,000,000,000
        wage = (MAX_RUPIAH - 6_800_000) // 48  # 2,083,333,191,666
        got = assess_jkk(JkkCase(wage, ACCIDENT, JkkOutcome.DEATH), RULES)
        assert got.item("DEATH").amount == 99_999_993_199_968  # 48 x 2,083,333,191,666
        assert got.total == 99_999_999_999_968  # + 6,800,000
        assert refused(monthly_wage=wage + 1, outcome=JkkOutcome.DEATH) == {"monthly_wage"}

    @pytest.mark.rule("B-JKK-8")
    def test_rehabilitation_above_max_rupiah_is_refused_naming_the_price(self):
        assert refused(rehabilitation_price=MAX_RUPIAH) == {"rehabilitation_price"}

    @pytest.mark.rule("B-JKK-2")
    def test_receipts_adding_up_above_max_rupiah_are_refused(self):
        assert refused(transport=((TransportMode.LAND, MAX_RUPIAH), (TransportMode.LAND, 1))) == {"transport.amount"}

    @pytest.mark.rule("B-JKK-4")
    def test_a_claim_of_max_rupiah_is_capped_not_refused(self):
        got = assess_jkk(JkkCase(0, ACCIDENT, JkkOutcome.RECOVERED, medical_claimed=MAX_RUPIAH), RULES)
        assert (got.item("MEDICAL").amount, got.item("MEDICAL").claimed) == (20_000_000, MAX_RUPIAH)
