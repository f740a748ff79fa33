"""The benefits rule tables: the rule book's figures as dated versions (B-JKK-2..8, B-JK-1, B-JPK-2..7)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.benefits.domain.benefit_rules import (
    JK_RULES,
    JKK_RULES,
    JPK_RULES,
    JkkRules,
    JkRules,
    JpkRules,
    StmbBlock,
    TransportMode,
    jk_rules_on,
    jkk_rules_on,
    jpk_rules_on,
    load_table,
)
from services.benefits.domain.jk import assess_jk
from services.benefits.domain.jkk import JkkCase, JkkOutcome, assess_jkk
from services.chassis.errors import InvalidArgument, RuleViolation

ONE_DAY = timedelta(days=1)


class TestJkkVersion:
    @pytest.mark.rule("B-JKK-2", "B-JKK-3", "B-JKK-4", "B-JKK-6", "B-JKK-7", "B-JKK-8")
    def test_the_pp_84_2010_figures(self):
        rules = jkk_rules_on(date(2012, 5, 10))
        assert rules.effective_from == date(2010, 12, 20)
        assert dict(rules.transport_caps) == {TransportMode.LAND: 750_000, TransportMode.SEA: 1_000_000,
                                              TransportMode.AIR: 2_000_000}
        assert rules.stmb_blocks == (StmbBlock(4, 10_000), StmbBlock(4, 7_500), StmbBlock(None, 5_000))
        assert (rules.medical_cap, rules.dentures_cap) == (20_000_000, 2_000_000)
        assert (rules.disability_wage_months, rules.total_disability_bp, rules.death_bp) == (80, 7_000, 6_000)
        assert (rules.periodic_monthly, rules.periodic_months, rules.funeral) == (200_000, 24, 2_000_000)
        assert (rules.rehabilitation_markup_bp, rules.medical_rehabilitation_cap) == (4_000, 2_000_000)

    @pytest.mark.rule("B-JKK-2")
    def test_an_accident_before_the_first_version_names_the_rule(self):
        with pytest.raises(RuleViolation) as refused:
            jkk_rules_on(date(2010, 12, 19))
        assert (refused.value.rule_id, refused.value.code) == ("B-JKK-2", "NO_RULE_VERSION_IN_FORCE")

    @pytest.mark.rule("B-JKK-7")
    def test_a_new_regulation_is_a_new_version_picked_by_the_accident_date(self):
        later = replace(JKK_RULES.versions[0], effective_from=date(2016, 1, 1), funeral=3_000_000, source="test")
        table = JKK_RULES.with_version(later)
        case = JkkCase(5_000_000, date(2015, 12, 31), JkkOutcome.DEATH)
        assert assess_jkk(case, jkk_rules_on(case.accident_date, table)).item("FUNERAL").amount == 2_000_000
        case = replace(case, accident_date=date(2016, 1, 1))
        assert assess_jkk(case, jkk_rules_on(case.accident_date, table)).item("FUNERAL").amount == 3_000_000


class TestJkVersions:
    @pytest.mark.rule("B-JK-1")
    @pytest.mark.parametrize("death, regulation, lump, monthly, at_once, funeral, scholarship", [
        (date(2012, 3, 1), "PP 84/2010", 14_200_000, 200_000, 4_800_000, 2_000_000, 0),
        (date(2017, 3, 1), "PP 44/2015", 16_200_000, 200_000, 4_800_000, 3_000_000, 12_000_000),
        (date(2021, 3, 1), "PP 82/2019", 20_000_000, 500_000, 12_000_000, 10_000_000, 0),
    ])
    def test_the_three_versions(self, death, regulation, lump, monthly, at_once, funeral, scholarship):
        rules = jk_rules_on(death)
        assert (rules.regulation, rules.lump_sum, rules.periodic_monthly, rules.periodic_months,
                rules.periodic_at_once, rules.funeral, rules.scholarship) == (
            regulation, lump, monthly, 24, at_once, funeral, scholarship)

    @pytest.mark.rule("B-JK-1")
    def test_the_periodic_at_once_is_24_monthly_payments_in_every_version(self):
        # 200,000 x 24 = 4,800,000; 500,000 x 24 = 12,000,000
        assert all(v.periodic_monthly * v.periodic_months == v.periodic_at_once for v in JK_RULES.versions)

    @pytest.mark.rule("B-JK-1")
    @pytest.mark.parametrize("death, regulation", [
        (date(2015, 6, 30), "PP 84/2010"), (date(2015, 7, 1), "PP 44/2015"),
        (date(2019, 12, 1), "PP 44/2015"), (date(2019, 12, 2), "PP 82/2019"),
    ])
    def test_the_day_before_a_version_starts_gets_the_previous_one(self, death, regulation):
        assert jk_rules_on(death).regulation == regulation

    @pytest.mark.rule("B-JK-1")
    def test_a_death_before_pp_84_2010_names_the_rule(self):
        with pytest.raises(RuleViolation) as refused:
            jk_rules_on(date(2010, 12, 19))
        assert refused.value.rule_id == "B-JK-1"

    @pytest.mark.rule("B-JK-1")
    @given(st.dates(min_value=date(2010, 12, 20), max_value=date(2040, 12, 31)))
    def test_the_date_of_death_picks_the_version(self, death):
        # the starts written out: 2010-12-20 PP 84/2010, 2015-07-01 PP 44/2015, 2019-12-02 PP 82/2019
        expected = ("PP 82/2019" if death >= date(2019, 12, 2)
                    else "PP 44/2015" if death >= date(2015, 7, 1) else "PP 84/2010")
        assert jk_rules_on(death).regulation == expected
        # the total a death of that day pays: 21,000,000 / 36,000,000 / 42,000,000
        total = assess_jk(jk_rules_on(death), periodic_at_once=True).total
        assert total == {"PP 84/2010": 21_000_000, "PP 44/2015": 36_000_000, "PP 82/2019": 42_000_000}[expected]

    @pytest.mark.rule("B-JK-1")
    @given(st.sampled_from(JK_RULES.versions[1:]))
    def test_the_eve_of_each_later_version_is_still_the_earlier_one(self, version):
        earlier = JK_RULES.versions[JK_RULES.versions.index(version) - 1]
        assert jk_rules_on(version.effective_from - ONE_DAY) == earlier
        assert jk_rules_on(version.effective_from) == version


class TestJpkVersion:
    @pytest.mark.rule("B-JPK-2", "B-JPK-3", "B-JPK-4", "B-JPK-5", "B-JPK-6", "B-JPK-7")
    def test_the_seed_003_limits(self):
        rules = jpk_rules_on(date(2005, 1, 1))
        assert (rules.childbirth_limit, rules.facility_change_after_months, rules.emergency_outside_network_max_days,
                rules.care_days_per_case_per_year, rules.intensive_care_max_days, rules.claim_deadline_months,
                rules.extra_checkup_from_age) == (3, 6, 7, 60, 20, 3, 40)

    @pytest.mark.rule("B-JPK-1")
    def test_care_before_the_first_version_names_the_rule(self):
        with pytest.raises(RuleViolation) as refused:
            jpk_rules_on(date(1992, 12, 31))
        assert refused.value.rule_id == "B-JPK-1"


class TestStorage:
    @pytest.mark.rule("B-JKK-2", "B-JK-1", "B-JPK-1")
    @pytest.mark.parametrize("table, load, rule_id", [
        (JKK_RULES, JkkRules.from_dict, "B-JKK-2"), (JK_RULES, JkRules.from_dict, "B-JK-1"),
        (JPK_RULES, JpkRules.from_dict, "B-JPK-1"),
    ])
    def test_a_table_survives_a_round_trip_through_json(self, table, load, rule_id):
        stored = json.loads(json.dumps(table.to_dict()))
        again = load_table(stored, load, rule_id)
        assert again == table
        assert again.rule_id == rule_id

    @pytest.mark.rule("B-JK-1")
    def test_a_stored_version_missing_a_figure_is_refused_naming_it(self):
        data = JK_RULES.versions[0].to_dict()
        del data["lump_sum"]
        with pytest.raises(InvalidArgument) as refused:
            JkRules.from_dict(data)
        assert [v.field for v in refused.value.violations] == ["lump_sum"]

    @pytest.mark.rule("B-JKK-2")
    def test_a_stored_version_with_an_unknown_transport_mode_is_refused(self):
        data = JKK_RULES.versions[0].to_dict()
        data["transport_caps"] = {"LAND": 1, "SEA": 1, "TELEPORT": 1}
        with pytest.raises(InvalidArgument) as refused:
            JkkRules.from_dict(data)
        assert refused.value.violations[0].field == "transport_caps"


class TestBadVersions:
    @pytest.mark.rule("B-JKK-4")
    @pytest.mark.parametrize("change, field", [
        ({"medical_cap": -1}, "medical_cap"),
        ({"death_bp": 60.0}, "death_bp"),
        ({"funeral": True}, "funeral"),
        ({"source": " "}, "source"),
        ({"transport_caps": {TransportMode.LAND: 1, TransportMode.SEA: 1}}, "transport_caps"),
        ({"stmb_blocks": (StmbBlock(None, 10_000), StmbBlock(4, 7_500))}, "stmb_blocks"),
        ({"stmb_blocks": (StmbBlock(0, 10_000), StmbBlock(None, 7_500))}, "stmb_blocks"),
        ({"stmb_blocks": ()}, "stmb_blocks"),
        ({"stmb_days_per_month": 0}, "stmb_days_per_month"),
    ])
    def test_a_jkk_version_with_a_bad_figure_is_refused_naming_it(self, change, field):
        with pytest.raises(InvalidArgument) as refused:
            replace(JKK_RULES.versions[0], **change)
        assert field in {v.field for v in refused.value.violations}

    @pytest.mark.rule("B-JPK-2")
    def test_a_jpk_version_with_a_negative_limit_is_refused(self):
        with pytest.raises(InvalidArgument) as refused:
            replace(JPK_RULES.versions[0], childbirth_limit=-1)
        assert refused.value.violations[0].field == "childbirth_limit"

    @pytest.mark.rule("B-JK-1")
    def test_a_jk_version_needs_its_regulation_named(self):
        with pytest.raises(InvalidArgument) as refused:
            replace(JK_RULES.versions[0], regulation="")
        assert refused.value.violations[0].field == "regulation"
