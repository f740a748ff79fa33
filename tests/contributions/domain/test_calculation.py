"""C-1..C-4, C-6a: contribution lines for one worker, with hand-computed rupiah."""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chassis.errors import InvalidArgument
from services.chassis.money import apply_rate
from services.contributions.domain.calculation import (
    ContributionLine,
    MaritalStatus,
    Payer,
    Program,
    WorkerWageFacts,
    bill_total,
    compute_lines,
    contribution_base,
    correction_lines,
    total_by_payer,
)
from services.contributions.domain.rule_tables import SEED_CONTRIBUTION_RULES


def amounts(lines):
    return {(line.program, line.payer): line.amount_rupiah for line in lines}


E, W = Payer.EMPLOYER, Payer.WORKER


class TestWholeBill:
    def test_c1_to_c4_married_worker_risk_group_ii(self, rules):
        facts = WorkerWageFacts("11A00000001", 4_500_000, "MARRIED", 2)
        lines = compute_lines(facts, rules)
        # JHT employer 3.7% x 4,500,000 = 166,500; JHT worker 2% x 4,500,000 = 90,000
        # JKK group II 0.54% x 4,500,000 = 24,300; JK 0.3% x 4,500,000 = 13,500
        # JPK married 6% x min(4,500,000, 1,000,000) = 60,000
        assert amounts(lines) == {
            (Program.JHT, E): 166_500, (Program.JHT, W): 90_000, (Program.JKK, E): 24_300,
            (Program.JK, E): 13_500, (Program.JPK, E): 60_000,
        }
        # 166,500 + 90,000 + 24,300 + 13,500 + 60,000 = 354,300
        assert bill_total(lines) == 354_300
        assert total_by_payer(lines) == {E: 264_300, W: 90_000}

    def test_c4_jpk_single_rate_on_wage_below_cap(self, rules):
        facts = WorkerWageFacts("11A00000002", 900_000, "SINGLE", 5)
        got = amounts(compute_lines(facts, rules))
        # JPK single 3% x 900,000 (below the 1,000,000 cap) = 27,000
        assert got[(Program.JPK, E)] == 27_000
        # JKK group V 1.74% x 900,000 = 15,660
        assert got[(Program.JKK, E)] == 15_660

    @pytest.mark.parametrize("status", ["DIVORCED", "WIDOWED", "SINGLE"])
    def test_c4_only_married_pays_the_married_jpk_rate(self, rules, status):
        facts = WorkerWageFacts("11A00000003", 2_000_000, status, 1)
        line = [line for line in compute_lines(facts, rules) if line.program is Program.JPK][0]
        # 3% x 1,000,000 (capped) = 30,000
        assert (line.base_rupiah, line.rate_bp, line.amount_rupiah) == (1_000_000, 300, 30_000)

    def test_c6a_wage_below_umk_is_raised_to_umk(self, rules):
        facts = WorkerWageFacts("11A00000004", 800_000, "SINGLE", 1, umk_rupiah=2_000_000)
        got = amounts(compute_lines(facts, rules))
        # base = max(800,000, UMK 2,000,000) = 2,000,000
        # JHT 3.7% = 74,000; 2% = 40,000; JKK I 0.24% = 4,800; JK 0.3% = 6,000
        # JPK 3% x min(2,000,000, 1,000,000) = 30,000
        assert got == {
            (Program.JHT, E): 74_000, (Program.JHT, W): 40_000, (Program.JKK, E): 4_800,
            (Program.JK, E): 6_000, (Program.JPK, E): 30_000,
        }

    def test_c6a_wage_above_umk_is_used_whole(self):
        assert contribution_base(4_500_000, 3_000_000) == 4_500_000
        assert contribution_base(4_500_000, None) == 4_500_000
        assert contribution_base(2_500_000, 3_000_000) == 3_000_000

    def test_c1_each_line_rounded_half_up_once(self, rules):
        facts = WorkerWageFacts("11A00000005", 1_234_567, "SINGLE", 3)
        got = amounts(compute_lines(facts, rules))
        # 3.7% x 1,234,567 = 45,678.979 -> 45,679; 2% = 24,691.34 -> 24,691
        # JKK III 0.89% = 10,987.6463 -> 10,988; JK 0.3% = 3,703.701 -> 3,704; JPK 30,000
        assert got == {
            (Program.JHT, E): 45_679, (Program.JHT, W): 24_691, (Program.JKK, E): 10_988,
            (Program.JK, E): 3_704, (Program.JPK, E): 30_000,
        }
        # the total is the sum of rounded lines: 115,062 (never re-rounded)
        assert bill_total(compute_lines(facts, rules)) == 115_062

    def test_c2_exact_half_rupiah_rounds_up(self, rules):
        facts = WorkerWageFacts("11A00000006", 1_500_500, "SINGLE", 1)
        # JK 0.3% x 1,500,500 = 4,501.5 -> 4,502
        assert amounts(compute_lines(facts, rules))[(Program.JK, E)] == 4_502


@pytest.mark.parametrize("group, expected", [(1, 7_200), (2, 16_200), (3, 26_700), (4, 38_100), (5, 52_200)])
def test_c3_jkk_rate_follows_risk_group(rules, group, expected):
    # wage 3,000,000 x 0.24% / 0.54% / 0.89% / 1.27% / 1.74%
    facts = WorkerWageFacts("11A00000007", 3_000_000, "SINGLE", group)
    assert amounts(compute_lines(facts, rules))[(Program.JKK, E)] == expected


def test_c6a_jht_jkk_jk_use_whole_wage_only_jpk_is_capped(rules):
    facts = WorkerWageFacts("11A00000008", 25_000_000, "MARRIED", 4)
    bases = {(line.program, line.payer): line.base_rupiah for line in compute_lines(facts, rules)}
    assert bases == {(Program.JHT, E): 25_000_000, (Program.JHT, W): 25_000_000, (Program.JKK, E): 25_000_000,
                     (Program.JK, E): 25_000_000, (Program.JPK, E): 1_000_000}


def test_c5_worker_facts_are_validated_all_at_once():
    with pytest.raises(InvalidArgument) as raised:
        WorkerWageFacts("", -1, "ENGAGED", 6, umk_rupiah=0)
    assert {v.field for v in raised.value.violations} == {
        "kpj", "wage_rupiah", "marital_status", "risk_group", "umk_rupiah"}


class TestCorrections:
    def test_c5_backdated_raise_bills_only_the_difference(self, rules):
        old = WorkerWageFacts("11A00000009", 4_000_000, "MARRIED", 2)
        new = WorkerWageFacts("11A00000009", 4_500_000, "MARRIED", 2)
        got = {(c.program, c.payer): c.amount_rupiah for c in correction_lines(old, new, rules)}
        # JHT E 148,000 -> 166,500 = +18,500; JHT W 80,000 -> 90,000 = +10,000
        # JKK 21,600 -> 24,300 = +2,700; JK 12,000 -> 13,500 = +1,500; JPK 60,000 both: omitted
        assert got == {(Program.JHT, E): 18_500, (Program.JHT, W): 10_000,
                       (Program.JKK, E): 2_700, (Program.JK, E): 1_500}

    def test_c4_marriage_backdated_changes_only_jpk(self, rules):
        old = WorkerWageFacts("11A00000010", 3_000_000, "SINGLE", 1)
        new = WorkerWageFacts("11A00000010", 3_000_000, MaritalStatus.MARRIED, 1)
        (line,) = correction_lines(old, new, rules)
        # JPK 30,000 -> 60,000
        assert (line.program, line.old_amount_rupiah, line.new_amount_rupiah, line.amount_rupiah) == (
            Program.JPK, 30_000, 60_000, 30_000)

    def test_c5_backdated_cut_gives_negative_lines(self, rules):
        old = WorkerWageFacts("11A00000011", 5_000_000, "SINGLE", 1)
        new = WorkerWageFacts("11A00000011", 4_000_000, "SINGLE", 1)
        # JHT E 185,000 -> 148,000 = -37,000
        assert {(c.program, c.payer): c.amount_rupiah for c in correction_lines(old, new, rules)}[
            (Program.JHT, E)] == -37_000

    def test_c5_correction_is_for_one_worker(self, rules):
        with pytest.raises(InvalidArgument):
            correction_lines(WorkerWageFacts("A", 1, "SINGLE", 1), WorkerWageFacts("B", 2, "SINGLE", 1), rules)


# ---- properties -------------------------------------------------------------------------

facts_strategy = st.builds(
    WorkerWageFacts,
    kpj=st.just("11A99999999"),
    wage_rupiah=st.integers(0, 500_000_000),
    marital_status=st.sampled_from(list(MaritalStatus)),
    risk_group=st.integers(1, 5),
    umk_rupiah=st.none() | st.integers(1, 10_000_000),
)
rules_strategy = st.sampled_from(SEED_CONTRIBUTION_RULES.versions)


@given(facts_strategy, rules_strategy)
def test_c5_bill_total_is_sum_of_lines(facts, rules):
    lines = compute_lines(facts, rules)
    assert bill_total(lines) == sum(line.amount_rupiah for line in lines)
    assert sum(total_by_payer(lines).values()) == bill_total(lines)


@given(facts_strategy, rules_strategy)
def test_c1_every_line_is_apply_rate_of_base_and_rate(facts, rules):
    for line in compute_lines(facts, rules):
        assert isinstance(line, ContributionLine)
        assert type(line.amount_rupiah) is int
        assert line.amount_rupiah == apply_rate(line.base_rupiah, line.rate_bp)
        assert line.base_rupiah >= facts.wage_rupiah or line.program is Program.JPK


@given(facts_strategy, facts_strategy, rules_strategy)
def test_c5_old_lines_plus_correction_equal_new_lines(old, new, rules):
    before = Counter(amounts(compute_lines(old, rules)))
    for line in correction_lines(old, new, rules):
        assert line.amount_rupiah != 0
        before[(line.program, line.payer)] += line.amount_rupiah
    assert dict(before) == amounts(compute_lines(new, rules))
