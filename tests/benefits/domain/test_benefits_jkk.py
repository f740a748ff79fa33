"""JKK, work accident: each item of B-JKK-2..4, 6..8 with hand-computed rupiah (PP 84/2010)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.benefits.domain.benefit_items import Assessment, BenefitItem, PeriodicBenefit
from services.benefits.domain.benefit_rules import jkk_rules_on
from services.benefits.domain.jkk import JkkCase, JkkOutcome, TransportMode, assess_jkk

ACCIDENT = date(2012, 5, 10)
RULES = jkk_rules_on(ACCIDENT)
LAND, SEA, AIR = TransportMode.LAND, TransportMode.SEA, TransportMode.AIR


def case(wage: int = 5_000_000, outcome: JkkOutcome = JkkOutcome.RECOVERED, **facts) -> JkkCase:
    return JkkCase(wage, ACCIDENT, outcome, **facts)


def amounts(assessment: Assessment) -> dict[str, int]:
    return {item.code: item.amount for item in assessment.items}


class TestTransport:
    @pytest.mark.rule("B-JKK-2")
    @pytest.mark.parametrize("mode, receipt, paid", [
        (LAND, 500_000, 500_000), (LAND, 750_000, 750_000), (LAND, 900_000, 750_000),
        (SEA, 800_000, 800_000), (SEA, 1_200_000, 1_000_000),
        (AIR, 1_500_000, 1_500_000), (AIR, 2_500_000, 2_000_000),
    ])
    def test_each_mode_is_refunded_up_to_its_cap(self, mode, receipt, paid):
        item = assess_jkk(case(transport=((mode, receipt),)), RULES).items[0]
        assert (item.code, item.rule_id, item.amount, item.claimed) == (f"TRANSPORT_{mode.value}", "B-JKK-2",
                                                                      paid, receipt)

    @pytest.mark.rule("B-JKK-2")
    def test_receipts_of_one_mode_are_added_before_the_cap(self):
        got = assess_jkk(case(transport=((LAND, 400_000), (AIR, 1_000_000), (LAND, 500_000))), RULES)
        # land 400,000 + 500,000 = 900,000 -> capped 750,000; air 1,000,000 under its 2,000,000 cap
        assert amounts(got) == {"TRANSPORT_LAND": 750_000, "TRANSPORT_AIR": 1_000_000}
        assert got.item("TRANSPORT_LAND").claimed == 900_000
        assert "capped at Rp750,000" in got.item("TRANSPORT_LAND").description


class TestStmb:
    @pytest.mark.rule("B-JKK-3")
    def test_seven_months_are_four_at_100_and_three_at_75_percent(self):
        got = assess_jkk(case(6_000_000, stmb_months=7), RULES).item("STMB")
        # 4 x 6,000,000 + 3 x 4,500,000 = 24,000,000 + 13,500,000 = 37,500,000
        assert (got.rule_id, got.amount) == ("B-JKK-3", 37_500_000)
        assert got.description == "4 months x 100% + 3 months x 75% of Rp6,000,000"

    @pytest.mark.rule("B-JKK-3")
    @pytest.mark.parametrize("months, paid", [
        (1, 6_000_000),  # 1 x 6,000,000
        (4, 24_000_000),  # 4 x 6,000,000
        (8, 42_000_000),  # 24,000,000 + 4 x 4,500,000
        (10, 48_000_000),  # 24,000,000 + 18,000,000 + 2 x 3,000,000
        (12, 54_000_000),  # 24,000,000 + 18,000,000 + 4 x 3,000,000
    ])
    def test_after_eight_months_half_the_wage(self, months, paid):
        assert assess_jkk(case(6_000_000, stmb_months=months), RULES).item("STMB").amount == paid

    @pytest.mark.rule("B-JKK-3")
    def test_extra_days_are_paid_pro_rata_at_the_rate_of_their_month(self):
        # 2 x 3,000,000 + 15/30 x 100% x 3,000,000 = 6,000,000 + 1,500,000 = 7,500,000
        assert assess_jkk(case(3_000_000, stmb_months=2, stmb_extra_days=15), RULES).item("STMB").amount == 7_500_000
        # the 5th month is at 75%: 24,000,000 + 10/30 x 75% x 6,000,000 = 24,000,000 + 1,500,000
        got = assess_jkk(case(6_000_000, stmb_months=4, stmb_extra_days=10), RULES).item("STMB")
        assert got.amount == 25_500_000
        assert got.description == "4 months x 100% + 10/30 month x 75% of Rp6,000,000"

    @pytest.mark.rule("B-JKK-3")
    def test_the_sum_is_rounded_half_up_once(self):
        # 4 x 1,000,002 + 75% x 1,000,002 = 4,000,008 + 750,001.5 = 4,750,009.5 -> 4,750,010
        assert assess_jkk(case(1_000_002, stmb_months=5), RULES).item("STMB").amount == 4_750_010
        # 1/30 of 1,000,000 = 33,333.33 -> 33,333; 2/30 = 66,666.67 -> 66,667
        assert assess_jkk(case(1_000_000, stmb_extra_days=1), RULES).item("STMB").amount == 33_333
        assert assess_jkk(case(1_000_000, stmb_extra_days=2), RULES).item("STMB").amount == 66_667

    @pytest.mark.rule("B-JKK-3")
    def test_no_time_off_gives_no_stmb_line(self):
        assert assess_jkk(case(stmb_months=0), RULES).item("STMB") is None


class TestMedicalAndDentures:
    @pytest.mark.rule("B-JKK-4")
    @pytest.mark.parametrize("claimed, paid", [(15_000_000, 15_000_000), (20_000_000, 20_000_000),
                                               (25_000_000, 20_000_000)])
    def test_medical_treatment_up_to_20_million(self, claimed, paid):
        item = assess_jkk(case(medical_claimed=claimed), RULES).item("MEDICAL")
        assert (item.rule_id, item.amount, item.claimed) == ("B-JKK-4", paid, claimed)

    @pytest.mark.rule("B-JKK-4")
    @pytest.mark.parametrize("claimed, paid", [(1_800_000, 1_800_000), (2_500_000, 2_000_000)])
    def test_dentures_up_to_2_million(self, claimed, paid):
        item = assess_jkk(case(dentures_claimed=claimed), RULES).item("DENTURES")
        assert (item.rule_id, item.amount, item.claimed) == ("B-JKK-4", paid, claimed)


class TestTotalDisabilityAndDeath:
    @pytest.mark.rule("B-JKK-6")
    def test_total_disability_is_70_percent_of_80_months_plus_24_monthly_payments(self):
        got = assess_jkk(case(5_000_000, JkkOutcome.TOTAL_DISABILITY), RULES)
        # 70% x 80 x 5,000,000 = 280,000,000 at once; 200,000 x 24 = 4,800,000 periodic
        assert got.items == (BenefitItem("TOTAL_DISABILITY", "B-JKK-6", "70% x 80 months x Rp5,000,000",
                                         280_000_000),)
        assert got.periodic == (PeriodicBenefit("TOTAL_DISABILITY_PERIODIC", "B-JKK-6", 200_000, 24),)
        assert got.periodic[0].total == 4_800_000
        assert (got.lump_sum, got.total) == (280_000_000, 284_800_000)

    @pytest.mark.rule("B-JKK-7")
    def test_death_is_60_percent_of_80_months_plus_periodic_plus_funeral(self):
        got = assess_jkk(case(5_000_000, JkkOutcome.DEATH), RULES)
        # 60% x 80 x 5,000,000 = 240,000,000 + 200,000 x 24 periodic + 2,000,000 funeral
        assert amounts(got) == {"DEATH": 240_000_000, "FUNERAL": 2_000_000}
        assert {i.code: i.rule_id for i in got.items} == {"DEATH": "B-JKK-7", "FUNERAL": "B-JKK-7"}
        assert got.periodic == (PeriodicBenefit("DEATH_PERIODIC", "B-JKK-7", 200_000, 24),)
        # 240,000,000 + 2,000,000 = 242,000,000 at once; + 4,800,000 = 246,800,000 in all
        assert (got.lump_sum, got.total) == (242_000_000, 246_800_000)

    @pytest.mark.rule("B-JKK-7", "B-JKK-3", "B-JKK-4", "B-JKK-2")
    def test_treatment_before_the_death_is_paid_too(self):
        got = assess_jkk(case(4_000_000, JkkOutcome.DEATH, stmb_months=2, medical_claimed=12_000_000,
                              transport=((LAND, 300_000),)), RULES)
        # transport 300,000; STMB 2 x 4,000,000 = 8,000,000; medical 12,000,000;
        # death 60% x 80 x 4,000,000 = 192,000,000; funeral 2,000,000
        assert amounts(got) == {"TRANSPORT_LAND": 300_000, "STMB": 8_000_000, "MEDICAL": 12_000_000,
                                "DEATH": 192_000_000, "FUNERAL": 2_000_000}
        # 300,000 + 8,000,000 + 12,000,000 + 192,000,000 + 2,000,000 = 214,300,000; + 4,800,000
        assert (got.lump_sum, got.total) == (214_300_000, 219_100_000)

    @pytest.mark.rule("B-JKK-6")
    def test_the_wage_based_sum_is_rounded_half_up_once(self):
        # 70% x 80 x 1,234,567 = 56 x 1,234,567 = 69,135,752 (exact)
        assert assess_jkk(case(1_234_567, JkkOutcome.TOTAL_DISABILITY), RULES).lump_sum == 69_135_752
        # 60% x 80 x 1 = 48
        assert assess_jkk(case(1, JkkOutcome.DEATH), RULES).item("DEATH").amount == 48


class TestRehabilitation:
    @pytest.mark.rule("B-JKK-8")
    def test_rehabilitation_is_the_hospital_price_plus_40_percent(self):
        item = assess_jkk(case(rehabilitation_price=10_000_000), RULES).item("REHABILITATION")
        # 10,000,000 + 40% = 14,000,000
        assert (item.rule_id, item.amount) == ("B-JKK-8", 14_000_000)
        assert item.description == "government hospital price Rp10,000,000 + 40%"

    @pytest.mark.rule("B-JKK-8")
    def test_the_markup_is_rounded_half_up(self):
        # 40% x 1,234,567 = 493,826.8 -> 493,827; 1,234,567 + 493,827 = 1,728,394
        assert assess_jkk(case(rehabilitation_price=1_234_567), RULES).item("REHABILITATION").amount == 1_728_394

    @pytest.mark.rule("B-JKK-8")
    @pytest.mark.parametrize("claimed, paid", [(1_500_000, 1_500_000), (2_500_000, 2_000_000)])
    def test_medical_rehabilitation_up_to_2_million(self, claimed, paid):
        item = assess_jkk(case(medical_rehabilitation_claimed=claimed), RULES).item("MEDICAL_REHABILITATION")
        assert (item.rule_id, item.amount, item.claimed) == ("B-JKK-8", paid, claimed)


class TestWholeCase:
    @pytest.mark.rule("B-JKK-2", "B-JKK-3", "B-JKK-4", "B-JKK-8")
    def test_a_recovered_worker_gets_every_item_in_order(self):
        got = assess_jkk(case(6_000_000, transport=((SEA, 1_200_000),), stmb_months=7, medical_claimed=25_000_000,
                              dentures_claimed=1_000_000, rehabilitation_price=1_000_000,
                              medical_rehabilitation_claimed=500_000), RULES)
        assert [i.code for i in got.items] == ["TRANSPORT_SEA", "STMB", "MEDICAL", "DENTURES", "REHABILITATION",
                                               "MEDICAL_REHABILITATION"]
        # 1,000,000 + 37,500,000 + 20,000,000 + 1,000,000 + 1,400,000 + 500,000 = 61,400,000
        assert (got.lump_sum, got.total, got.periodic) == (61_400_000, 61_400_000, ())

    @pytest.mark.rule("B-JKK-4")
    def test_nothing_claimed_gives_no_lines(self):
        assert assess_jkk(case(), RULES) == Assessment(items=())

    @pytest.mark.rule("B-JKK-6")
    def test_the_case_is_immutable_and_reusable(self):
        base = case(5_000_000, JkkOutcome.TOTAL_DISABILITY)
        assert assess_jkk(base, RULES) == assess_jkk(replace(base), RULES)
