"""B-JKK-5: partial permanent disability from the table, loss of function, the left-handed swap,
and the cap at the total-disability lump sum; the table itself as coded data."""
from __future__ import annotations

from datetime import date

import pytest

from services.benefits.domain.benefit_rules import jkk_rules_on
from services.benefits.domain.disability_table import DISABILITY_TABLE, DisabilityRow, for_worker, index_rows, lookup
from services.benefits.domain.jkk import DisabilityFinding, JkkCase, JkkOutcome, assess_jkk
from services.chassis.errors import InvalidArgument

ACCIDENT = date(2013, 2, 1)
RULES = jkk_rules_on(ACCIDENT)


def partial(*findings: DisabilityFinding, wage: int = 5_000_000, left_handed: bool = False):
    case = JkkCase(wage, ACCIDENT, JkkOutcome.PARTIAL_DISABILITY, disabilities=findings, left_handed=left_handed)
    return assess_jkk(case, RULES)


class TestTable:
    @pytest.mark.rule("B-JKK-5")
    def test_the_rows_the_rule_book_confirms(self):
        assert {code: (r.percentage_min, r.percentage_max) for code, r in DISABILITY_TABLE.items()} == {
            "SIGHT_BOTH_EYES": (70, 70), "SIGHT_ONE_EYE": (35, 35),
            "HEARING_BOTH_EARS": (40, 40), "HEARING_ONE_EAR": (20, 20),
            "RIGHT_ARM_FROM_SHOULDER": (40, 40), "LEFT_ARM_FROM_SHOULDER": (35, 35),
            "SCALP_TORN_OFF": (10, 30), "EAR_LOBE_ONE": (5, 5), "EAR_LOBES_BOTH": (10, 10),
            "LOSS_OF_SMELL": (10, 10), "NASAL_SEPTUM_PERFORATED": (15, 15), "COLOUR_VISION": (10, 10),
        }

    @pytest.mark.rule("B-JKK-5")
    def test_the_table_travels_in_the_dated_jkk_version(self):
        assert RULES.disability_table == DISABILITY_TABLE

    @pytest.mark.rule("B-JKK-5")
    def test_lookup_by_code(self):
        assert lookup("SIGHT_ONE_EYE") == DisabilityRow("SIGHT_ONE_EYE", "sight of one eye", 35, 35)

    @pytest.mark.rule("B-JKK-5")
    @pytest.mark.parametrize("code", ["NOSE", "", None, 7, "sight_one_eye"])
    def test_an_unknown_code_is_invalid_argument_on_disabilities_code(self, code):
        with pytest.raises(InvalidArgument) as refused:
            lookup(code)
        assert refused.value.violations[0].field == "disabilities.code"

    @pytest.mark.rule("B-JKK-5")
    def test_the_arms_swap_for_a_left_handed_worker(self):
        assert for_worker("LEFT_ARM_FROM_SHOULDER", left_handed=True).percentage_min == 40
        assert for_worker("RIGHT_ARM_FROM_SHOULDER", left_handed=True).percentage_min == 35
        assert for_worker("SIGHT_ONE_EYE", left_handed=True).percentage_min == 35

    @pytest.mark.rule("B-JKK-5")
    def test_a_table_with_a_duplicate_code_or_a_missing_mirror_is_refused(self):
        row = DisabilityRow("A", "a", 5, 5)
        with pytest.raises(InvalidArgument):
            index_rows((row, row))
        with pytest.raises(InvalidArgument):
            index_rows((DisabilityRow("A", "a", 5, 5, left_handed_code="B"),))
        with pytest.raises(InvalidArgument):
            DisabilityRow("A", "a", 30, 10)


class TestPartialDisability:
    @pytest.mark.rule("B-JKK-5")
    def test_table_percentage_times_80_months_wage(self):
        got = partial(DisabilityFinding("SIGHT_ONE_EYE"))
        # 35% x 80 x 5,000,000 = 140,000,000
        item = got.items[0]
        assert (item.code, item.rule_id, item.amount) == ("PARTIAL_DISABILITY", "B-JKK-5", 140_000_000)
        assert item.description == "35% (sight of one eye) x 80 months x Rp5,000,000"
        assert got.periodic == ()

    @pytest.mark.rule("B-JKK-5")
    def test_one_line_per_finding(self):
        got = partial(DisabilityFinding("HEARING_ONE_EAR"), DisabilityFinding("EAR_LOBE_ONE"), wage=2_000_000)
        # 20% x 80 x 2,000,000 = 32,000,000; 5% x 80 x 2,000,000 = 8,000,000
        assert [i.amount for i in got.items] == [32_000_000, 8_000_000]
        assert got.total == 40_000_000

    @pytest.mark.rule("B-JKK-5")
    def test_loss_of_function_scales_the_table_percentage(self):
        item = partial(DisabilityFinding("RIGHT_ARM_FROM_SHOULDER", loss_of_function_pct=50)).items[0]
        # 50% x 40% x 80 x 5,000,000 = 80,000,000
        assert (item.code, item.amount) == ("LOSS_OF_FUNCTION", 80_000_000)
        assert item.description.startswith("50% loss of function x 40% (right arm from the shoulder)")

    @pytest.mark.rule("B-JKK-5")
    def test_loss_of_function_is_rounded_half_up_once(self):
        item = partial(DisabilityFinding("SIGHT_ONE_EYE", loss_of_function_pct=33), wage=1_234_567).items[0]
        # 33% x 35% x 80 x 1,234,567 = 0.1155 x 98,765,360 = 11,407,399.08 -> 11,407,399
        assert item.amount == 11_407_399

    @pytest.mark.rule("B-JKK-5")
    def test_a_left_handed_worker_losing_the_left_arm_gets_the_right_arm_figure(self):
        # 40% x 80 x 5,000,000 = 160,000,000 (right-handed: 35% -> 140,000,000)
        assert partial(DisabilityFinding("LEFT_ARM_FROM_SHOULDER"), left_handed=True).total == 160_000_000
        assert partial(DisabilityFinding("LEFT_ARM_FROM_SHOULDER")).total == 140_000_000
        assert partial(DisabilityFinding("RIGHT_ARM_FROM_SHOULDER"), left_handed=True).total == 140_000_000

    @pytest.mark.rule("B-JKK-5")
    def test_a_ranged_row_takes_the_doctors_percentage_within_it(self):
        # 25% x 80 x 5,000,000 = 100,000,000
        assert partial(DisabilityFinding("SCALP_TORN_OFF", percentage=25)).total == 100_000_000

    @pytest.mark.rule("B-JKK-5")
    @pytest.mark.parametrize("finding", [
        DisabilityFinding("SCALP_TORN_OFF"),  # a range needs the doctor's percentage
        DisabilityFinding("SCALP_TORN_OFF", percentage=35),  # outside 10-30
        DisabilityFinding("SCALP_TORN_OFF", percentage=5),
        DisabilityFinding("SIGHT_ONE_EYE", percentage=50),  # a fixed row is its own figure
    ])
    def test_a_percentage_outside_the_row_is_invalid_argument(self, finding):
        with pytest.raises(InvalidArgument) as refused:
            partial(finding)
        assert refused.value.violations[0].field == "disabilities.percentage"

    @pytest.mark.rule("B-JKK-5")
    def test_a_fixed_row_accepts_its_own_figure(self):
        assert partial(DisabilityFinding("SIGHT_ONE_EYE", percentage=35)).total == 140_000_000

    @pytest.mark.rule("B-JKK-5")
    def test_an_unknown_finding_is_invalid_argument_on_disabilities_code(self):
        with pytest.raises(InvalidArgument) as refused:
            partial(DisabilityFinding("TAIL"))
        assert refused.value.violations[0].field == "disabilities.code"


class TestCapAtTotalDisability:
    @pytest.mark.rule("B-JKK-5", "B-JKK-6")
    def test_partial_disabilities_together_never_exceed_the_total_disability_lump_sum(self):
        got = partial(DisabilityFinding("SIGHT_ONE_EYE"), DisabilityFinding("HEARING_BOTH_EARS"))
        # 35% -> 140,000,000; 40% -> 160,000,000; together 300,000,000 > 70% x 80 x 5,000,000 = 280,000,000
        # so the second line pays 280,000,000 - 140,000,000 = 140,000,000
        assert [i.amount for i in got.items] == [140_000_000, 140_000_000]
        assert got.total == 280_000_000
        assert "capped" in got.items[1].description and "Rp160,000,000" in got.items[1].description

    @pytest.mark.rule("B-JKK-5", "B-JKK-6")
    def test_a_finding_after_the_cap_is_reached_pays_nothing(self):
        got = partial(DisabilityFinding("SIGHT_BOTH_EYES"), DisabilityFinding("LOSS_OF_SMELL"))
        # 70% -> 280,000,000 = the cap; loss of smell 10% -> 40,000,000 capped to 0
        assert [i.amount for i in got.items] == [280_000_000, 0]

    @pytest.mark.rule("B-JKK-5")
    def test_partial_disability_has_no_periodic_benefit(self):
        assert partial(DisabilityFinding("SIGHT_BOTH_EYES")).periodic == ()
