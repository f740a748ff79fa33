"""B-JK-1: the death benefit (not from a work accident): who inherits, and what each version pays."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.benefits.domain.benefit_items import PeriodicBenefit
from services.benefits.domain.benefit_rules import jk_rules_on
from services.benefits.domain.jk import Heir, HeirRelation, assess_jk, heirs_in_order
from services.chassis.errors import InvalidArgument

R = HeirRelation
PP_84_2010, PP_44_2015, PP_82_2019 = jk_rules_on(date(2012, 1, 1)), jk_rules_on(date(2016, 1, 1)), jk_rules_on(
    date(2020, 1, 1))


def amounts(assessment) -> dict[str, int]:
    return {item.code: item.amount for item in assessment.items}


class TestHeirs:
    @pytest.mark.rule("B-JK-1")
    def test_spouse_and_children_inherit_before_anyone_else(self):
        widow, son, mother = Heir("Siti", R.SPOUSE), Heir("Budi", R.CHILD), Heir("Aminah", R.PARENT)
        assert heirs_in_order([mother, son, Heir("Wasiat", R.WILL_NAMED), widow]) == (son, widow)

    @pytest.mark.rule("B-JK-1")
    def test_without_spouse_or_children_the_blood_relatives_to_the_2nd_degree(self):
        relatives = [Heir("Ayah", R.PARENT), Heir("Adik", R.SIBLING), Heir("Nenek", R.GRANDPARENT),
                     Heir("Cucu", R.GRANDCHILD)]
        assert heirs_in_order([Heir("Teman", R.WILL_NAMED), *relatives]) == tuple(relatives)

    @pytest.mark.rule("B-JK-1")
    def test_failing_them_whoever_the_will_names(self):
        named = Heir("Teman", R.WILL_NAMED, nik="3201010101010001")
        assert heirs_in_order([named]) == (named,)

    @pytest.mark.rule("B-JK-1")
    def test_no_candidates_no_heirs(self):
        assert heirs_in_order([]) == ()

    @pytest.mark.rule("B-JK-1")
    @given(st.lists(st.sampled_from(list(HeirRelation)), min_size=1, max_size=8))
    def test_the_heirs_are_all_of_one_rank_and_no_higher_rank_is_left_out(self, relations):
        candidates = [Heir(f"heir {i}", r) for i, r in enumerate(relations)]
        chosen = heirs_in_order(candidates)
        ranks = {R.SPOUSE: 1, R.CHILD: 1, R.PARENT: 2, R.SIBLING: 2, R.GRANDPARENT: 2, R.GRANDCHILD: 2,
                 R.WILL_NAMED: 3}
        best = min(ranks[r] for r in relations)
        assert chosen == tuple(c for c in candidates if ranks[c.relation] == best)

    @pytest.mark.rule("B-JK-1")
    @pytest.mark.parametrize("heir, field", [
        ({"name": " ", "relation": R.CHILD}, "heirs.name"),
        ({"name": "x" * 101, "relation": R.CHILD}, "heirs.name"),
        ({"name": "Budi", "relation": "CHILD"}, "heirs.relation"),
        ({"name": "Budi", "relation": R.CHILD, "nik": None}, "heirs.nik"),
    ])
    def test_a_bad_heir_names_its_field(self, heir, field):
        with pytest.raises(InvalidArgument) as refused:
            Heir(**heir)
        assert refused.value.violations[0].field == field


class TestAmounts:
    @pytest.mark.rule("B-JK-1")
    def test_pp_84_2010_monthly(self):
        got = assess_jk(PP_84_2010, periodic_at_once=False)
        # 14,200,000 lump sum + 2,000,000 funeral at once; 200,000 x 24 = 4,800,000 month by month
        assert amounts(got) == {"JK_LUMP_SUM": 14_200_000, "FUNERAL": 2_000_000}
        assert got.periodic == (PeriodicBenefit("JK_PERIODIC", "B-JK-1", 200_000, 24),)
        # 16,200,000 + 4,800,000 = 21,000,000
        assert (got.lump_sum, got.total) == (16_200_000, 21_000_000)

    @pytest.mark.rule("B-JK-1")
    def test_pp_84_2010_heirs_may_take_the_periodic_benefit_at_once(self):
        got = assess_jk(PP_84_2010, periodic_at_once=True)
        # 14,200,000 + 2,000,000 + 4,800,000 = 21,000,000, all at once
        assert amounts(got) == {"JK_LUMP_SUM": 14_200_000, "FUNERAL": 2_000_000, "JK_PERIODIC_AT_ONCE": 4_800_000}
        assert (got.periodic, got.lump_sum, got.total) == ((), 21_000_000, 21_000_000)
        assert "as the heirs chose" in got.item("JK_PERIODIC_AT_ONCE").description

    @pytest.mark.rule("B-JK-1")
    @pytest.mark.parametrize("at_once", [True, False])
    def test_pp_44_2015_adds_the_scholarship_and_pays_the_periodic_benefit_at_once(self, at_once):
        got = assess_jk(PP_44_2015, periodic_at_once=at_once)
        # 16,200,000 + 3,000,000 + 4,800,000 + 12,000,000 = 36,000,000
        assert amounts(got) == {"JK_LUMP_SUM": 16_200_000, "FUNERAL": 3_000_000, "JK_PERIODIC_AT_ONCE": 4_800_000,
                                "JK_SCHOLARSHIP": 12_000_000}
        assert (got.periodic, got.total) == ((), 36_000_000)

    @pytest.mark.rule("B-JK-1")
    def test_pp_82_2019(self):
        got = assess_jk(PP_82_2019, periodic_at_once=False)
        # 20,000,000 + 500,000 x 24 = 12,000,000 at once + 10,000,000 funeral = 42,000,000
        assert amounts(got) == {"JK_LUMP_SUM": 20_000_000, "FUNERAL": 10_000_000, "JK_PERIODIC_AT_ONCE": 12_000_000}
        assert got.total == 42_000_000
        assert "PP 82/2019 pays it at once" in got.item("JK_PERIODIC_AT_ONCE").description

    @pytest.mark.rule("B-JK-1")
    def test_every_line_names_the_rule(self):
        got = assess_jk(PP_44_2015, periodic_at_once=True)
        assert {i.rule_id for i in got.items} == {"B-JK-1"}

    @pytest.mark.rule("B-JK-1")
    @pytest.mark.parametrize("choice", [None, "yes", 1])
    def test_the_choice_must_be_a_boolean(self, choice):
        with pytest.raises(InvalidArgument) as refused:
            assess_jk(PP_84_2010, periodic_at_once=choice)
        assert refused.value.violations[0].field == "periodic_at_once"
