"""C-1..C-4, C-6a: contribution lines for one worker, with hand-computed rupiah."""
from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chassis.errors import InvalidArgument
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
    @pytest.mark.rule("C-1", "C-2", "C-3", "C-4")
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

    @pytest.mark.rule("C-4")
    def test_c4_jpk_single_rate_on_wage_below_cap(self, rules):
        facts = WorkerWageFacts("11A00000002", 900_000, "SINGLE", 5)
        got = amounts(compute_lines(facts, rules))
        # JPK single 3% x 900,000 (below the 1,000,000 cap) = 27,000
        assert got[(Program.JPK, E)] == 27_000
        # JKK group V 1.74% x 900,000 = 15,660
        assert got[(Program.JKK, E)] == 15_660

    @pytest.mark.rule("C-4")
    @pytest.mark.parametrize("status", ["DIVORCED", "WIDOWED", "SINGLE"])
    def test_c4_only_married_pays_the_married_jpk_rate(self, rules, status):
        facts = WorkerWageFacts("11A00000003", 2_000_000, status, 1)
        line = [line for line in compute_lines(facts, rules) if line.program is Program.JPK][0]
        # 3% x 1,000,000 (capped) = 30,000
        assert (line.base_rupiah, line.rate_bp, line.amount_rupiah) == (1_000_000, 300, 30_000)

    @pytest.mark.rule("C-6a")
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

    @pytest.mark.rule("C-6a")
    def test_c6a_wage_above_umk_is_used_whole(self):
        assert contribution_base(4_500_000, 3_000_000) == 4_500_000
        assert contribution_base(4_500_000, None) == 4_500_000
        assert contribution_base(2_500_000, 3_000_000) == 3_000_000

    @pytest.mark.rule("C-1")
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

    @pytest.mark.rule("C-2")
    def test_c2_exact_half_rupiah_rounds_up(self, rules):
        facts = WorkerWageFacts("11A00000006", 1_500_500, "SINGLE", 1)
        # JK 0.3% x 1,500,500 = 4,501.5 -> 4,502
        assert amounts(compute_lines(facts, rules))[(Program.JK, E)] == 4_502


@pytest.mark.rule("C-3")
@pytest.mark.parametrize("group, expected", [(1, 7_200), (2, 16_200), (3, 26_700), (4, 38_100), (5, 52_200)])
def test_c3_jkk_rate_follows_risk_group(rules, group, expected):
    # wage 3,000,000 x 0.24% / 0.54% / 0.89% / 1.27% / 1.74%
    facts = WorkerWageFacts("11A00000007", 3_000_000, "SINGLE", group)
    assert amounts(compute_lines(facts, rules))[(Program.JKK, E)] == expected


@pytest.mark.rule("C-6a")
def test_c6a_jht_jkk_jk_use_whole_wage_only_jpk_is_capped(rules):
    facts = WorkerWageFacts("11A00000008", 25_000_000, "MARRIED", 4)
    bases = {(line.program, line.payer): line.base_rupiah for line in compute_lines(facts, rules)}
    assert bases == {(Program.JHT, E): 25_000_000, (Program.JHT, W): 25_000_000, (Program.JKK, E): 25_000_000,
                     (Program.JK, E): 25_000_000, (Program.JPK, E): 1_000_000}


@pytest.mark.rule("C-5")
def test_c5_worker_facts_are_validated_all_at_once():
    with pytest.raises(InvalidArgument) as raised:
        WorkerWageFacts("", -1, "ENGAGED", 6, umk_rupiah=0)
    assert {v.field for v in raised.value.violations} == {
        "kpj", "wage_rupiah", "marital_status", "risk_group", "umk_rupiah"}


class TestCorrections:
    @pytest.mark.rule("C-5")
    def test_c5_backdated_raise_bills_only_the_difference(self, rules):
        old = WorkerWageFacts("11A00000009", 4_000_000, "MARRIED", 2)
        new = WorkerWageFacts("11A00000009", 4_500_000, "MARRIED", 2)
        got = {(c.program, c.payer): c.amount_rupiah for c in correction_lines(old, new, rules)}
        # JHT E 148,000 -> 166,500 = +18,500; JHT W 80,000 -> 90,000 = +10,000
        # JKK 21,600 -> 24,300 = +2,700; JK 12,000 -> 13,500 = +1,500; JPK 60,000 both: omitted
        assert got == {(Program.JHT, E): 18_500, (Program.JHT, W): 10_000,
                       (Program.JKK, E): 2_700, (Program.JK, E): 1_500}

    @pytest.mark.rule("C-4")
    def test_c4_marriage_backdated_changes_only_jpk(self, rules):
        old = WorkerWageFacts("11A00000010", 3_000_000, "SINGLE", 1)
        new = WorkerWageFacts("11A00000010", 3_000_000, MaritalStatus.MARRIED, 1)
        (line,) = correction_lines(old, new, rules)
        # JPK 30,000 -> 60,000
        assert (line.program, line.old_amount_rupiah, line.new_amount_rupiah, line.amount_rupiah) == (
            Program.JPK, 30_000, 60_000, 30_000)

    @pytest.mark.rule("C-5")
    def test_c5_backdated_cut_gives_negative_lines(self, rules):
        old = WorkerWageFacts("11A00000011", 5_000_000, "SINGLE", 1)
        new = WorkerWageFacts("11A00000011", 4_000_000, "SINGLE", 1)
        # JHT E 185,000 -> 148,000 = -37,000
        assert {(c.program, c.payer): c.amount_rupiah for c in correction_lines(old, new, rules)}[
            (Program.JHT, E)] == -37_000

    @pytest.mark.rule("C-5")
    def test_c5_correction_is_for_one_worker(self, rules):
        with pytest.raises(InvalidArgument):
            correction_lines(WorkerWageFacts("A", 1, "SINGLE", 1), WorkerWageFacts("B", 2, "SINGLE", 1), rules)


# ---- hand-computed lines and totals (C-1..C-5) --------------------------------------------
# Each case: the worker's facts, then every line as (program, payer, base, rate_bp, amount), the
# bill total and the employer / worker split, all worked out by hand from the rule book:
# JHT 3.7% employer + 2% worker, JKK I..V 0.24/0.54/0.89/1.27/1.74%, JK 0.3%, JPK 3% single /
# 6% married on the wage capped at 1,000,000, wage raised to the UMK (C-6a); each line rounded
# half up to the rupiah once, the total the sum of the rounded lines.
HAND_COMPUTED = {
    "half-rupiahs-single-group-i": (
        WorkerWageFacts("11A00000101", 1_500_500, "SINGLE", 1),
        [
            (Program.JHT, E, 1_500_500, 370, 55_519),  # 1,500,500 x 3.7%  = 55,518.5  -> 55,519
            (Program.JHT, W, 1_500_500, 200, 30_010),  # 1,500,500 x 2%    = 30,010
            (Program.JKK, E, 1_500_500, 24, 3_601),    # 1,500,500 x 0.24% = 3,601.2   -> 3,601
            (Program.JK, E, 1_500_500, 30, 4_502),     # 1,500,500 x 0.3%  = 4,501.5   -> 4,502
            (Program.JPK, E, 1_000_000, 300, 30_000),  # 1,000,000 (cap) x 3% = 30,000
        ],
        # 55,519 + 30,010 + 3,601 + 4,502 + 30,000 = 123,632 (the unrounded shares add up to
        # 123,631.2, so re-rounding the total would give 123,631: it must not happen)
        123_632, 93_622, 30_010,
    ),
    "married-group-iv": (
        WorkerWageFacts("11A00000102", 3_333_333, "MARRIED", 4),
        [
            (Program.JHT, E, 3_333_333, 370, 123_333),  # 3,333,333 x 3.7%  = 123,333.321 -> 123,333
            (Program.JHT, W, 3_333_333, 200, 66_667),   # 3,333,333 x 2%    = 66,666.66   -> 66,667
            (Program.JKK, E, 3_333_333, 127, 42_333),   # 3,333,333 x 1.27% = 42,333.3291 -> 42,333
            (Program.JK, E, 3_333_333, 30, 10_000),     # 3,333,333 x 0.3%  = 9,999.999   -> 10,000
            (Program.JPK, E, 1_000_000, 600, 60_000),   # 1,000,000 (cap) x 6% = 60,000
        ],
        # 123,333 + 66,667 + 42,333 + 10,000 + 60,000 = 302,333; worker 66,667, employer 235,666
        302_333, 235_666, 66_667,
    ),
    "divorced-below-umk-group-ii": (
        WorkerWageFacts("11A00000103", 750_000, "DIVORCED", 2, umk_rupiah=1_250_125),
        [
            # C-6a: base = max(750,000, UMK 1,250,125) = 1,250,125; divorced pays the single JPK rate
            (Program.JHT, E, 1_250_125, 370, 46_255),  # 1,250,125 x 3.7%  = 46,254.625 -> 46,255
            (Program.JHT, W, 1_250_125, 200, 25_003),  # 1,250,125 x 2%    = 25,002.5   -> 25,003
            (Program.JKK, E, 1_250_125, 54, 6_751),    # 1,250,125 x 0.54% = 6,750.675  -> 6,751
            (Program.JK, E, 1_250_125, 30, 3_750),     # 1,250,125 x 0.3%  = 3,750.375  -> 3,750
            (Program.JPK, E, 1_000_000, 300, 30_000),  # min(1,250,125, 1,000,000) x 3% = 30,000
        ],
        # 46,255 + 25,003 + 6,751 + 3,750 + 30,000 = 111,759; worker 25,003, employer 86,756
        111_759, 86_756, 25_003,
    ),
    "married-below-jpk-cap-group-v": (
        WorkerWageFacts("11A00000104", 999_999, "MARRIED", 5),
        [
            (Program.JHT, E, 999_999, 370, 37_000),  # 999,999 x 3.7%  = 36,999.963  -> 37,000
            (Program.JHT, W, 999_999, 200, 20_000),  # 999,999 x 2%    = 19,999.98   -> 20,000
            (Program.JKK, E, 999_999, 174, 17_400),  # 999,999 x 1.74% = 17,399.9826 -> 17,400
            (Program.JK, E, 999_999, 30, 3_000),     # 999,999 x 0.3%  = 2,999.997   -> 3,000
            (Program.JPK, E, 999_999, 600, 60_000),  # 999,999 (below the cap) x 6% = 59,999.94 -> 60,000
        ],
        # 37,000 + 20,000 + 17,400 + 3,000 + 60,000 = 137,400; worker 20,000, employer 117,400
        137_400, 117_400, 20_000,
    ),
    "no-wage-no-umk": (
        WorkerWageFacts("11A00000105", 0, "SINGLE", 3),
        [(Program.JHT, E, 0, 370, 0), (Program.JHT, W, 0, 200, 0), (Program.JKK, E, 0, 89, 0),
         (Program.JK, E, 0, 30, 0), (Program.JPK, E, 0, 300, 0)],
        0, 0, 0,
    ),
}
hand_computed = pytest.mark.parametrize("case", list(HAND_COMPUTED), ids=list(HAND_COMPUTED))


@pytest.mark.rule("C-5")
@hand_computed
def test_c5_bill_total_is_sum_of_lines(rules, case):
    facts, _lines, total, employer, worker = HAND_COMPUTED[case]
    lines = compute_lines(facts, rules)
    assert bill_total(lines) == total
    assert total_by_payer(lines) == {E: employer, W: worker}
    assert employer + worker == total


@pytest.mark.rule("C-1", "C-2", "C-3", "C-4", "C-6a")
@hand_computed
def test_c1_every_line_is_apply_rate_of_base_and_rate(rules, case):
    facts, expected, _total, _employer, _worker = HAND_COMPUTED[case]
    lines = compute_lines(facts, rules)
    assert all(isinstance(line, ContributionLine) and type(line.amount_rupiah) is int for line in lines)
    assert [(line.program, line.payer, line.base_rupiah, line.rate_bp, line.amount_rupiah)
            for line in lines] == expected


@pytest.mark.rule("C-5")
def test_c5_correction_is_the_difference_of_rounded_lines_not_the_rate_on_the_raise(rules):
    old = WorkerWageFacts("11A00000106", 1_500_500, "SINGLE", 1)
    new = WorkerWageFacts("11A00000106", 1_500_800, "SINGLE", 1)
    got = [(c.program, c.payer, c.old_amount_rupiah, c.new_amount_rupiah, c.amount_rupiah)
           for c in correction_lines(old, new, rules)]
    # old lines: see "half-rupiahs-single-group-i" above; new wage 1,500,800:
    # JHT E 1,500,800 x 3.7% = 55,529.6 -> 55,530 (55,519 -> 55,530 = +11)
    # JHT W 1,500,800 x 2% = 30,016 (30,010 -> 30,016 = +6)
    # JKK I 1,500,800 x 0.24% = 3,601.92 -> 3,602 (3,601 -> 3,602 = +1)
    # JK 1,500,800 x 0.3% = 4,502.4 -> 4,502: unchanged, so no line, although 0.3% of the
    # 300 raise is 0.9 -> 1 (old 4,502 + 1 would overbill the new 4,502). JPK 30,000 both.
    assert got == [(Program.JHT, E, 55_519, 55_530, 11), (Program.JHT, W, 30_010, 30_016, 6),
                   (Program.JKK, E, 3_601, 3_602, 1)]


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

# The rule book's rates as printed (percent), kept apart from the seed table on purpose: the
# property below recomputes every line from these with decimal arithmetic, not with the
# production rates or `apply_rate`. Every seeded version has the same rates (PP 49/2020
# changed only the due day and the penalty).
RULE_BOOK_PERCENT = {
    (Program.JHT, E): "3.7", (Program.JHT, W): "2", (Program.JK, E): "0.3",
    "JKK": {1: "0.24", 2: "0.54", 3: "0.89", 4: "1.27", 5: "1.74"},
    "JPK": {"single": "3", "married": "6"},
}
JPK_WAGE_CAP = 1_000_000


def rule_book_lines(facts):
    """(program, payer, base, amount) per line, from the rule book in decimal arithmetic."""
    base = facts.wage_rupiah if facts.umk_rupiah is None else max(facts.wage_rupiah, facts.umk_rupiah)
    jpk = RULE_BOOK_PERCENT["JPK"]["married" if facts.marital_status is MaritalStatus.MARRIED else "single"]
    shares = [(Program.JHT, E, base, RULE_BOOK_PERCENT[(Program.JHT, E)]),
              (Program.JHT, W, base, RULE_BOOK_PERCENT[(Program.JHT, W)]),
              (Program.JKK, E, base, RULE_BOOK_PERCENT["JKK"][facts.risk_group]),
              (Program.JK, E, base, RULE_BOOK_PERCENT[(Program.JK, E)]),
              (Program.JPK, E, min(base, JPK_WAGE_CAP), jpk)]
    return [(program, payer, b, int((Decimal(b) * Decimal(pct) / 100).quantize(Decimal(1), ROUND_HALF_UP)))
            for program, payer, b, pct in shares]


@pytest.mark.rule("C-1", "C-2", "C-3", "C-4", "C-5", "C-6a")
@given(facts_strategy, rules_strategy)
def test_c1_to_c5_any_worker_matches_the_rule_book_in_decimal_arithmetic(facts, rules):
    expected = rule_book_lines(facts)
    lines = compute_lines(facts, rules)
    assert [(line.program, line.payer, line.base_rupiah, line.amount_rupiah) for line in lines] == expected
    assert all(type(line.amount_rupiah) is int for line in lines)
    assert bill_total(lines) == sum(amount for *_, amount in expected)
    assert total_by_payer(lines) == {
        E: sum(amount for _, payer, _, amount in expected if payer is E),
        W: sum(amount for _, payer, _, amount in expected if payer is W),
    }


@pytest.mark.rule("C-5")
@given(facts_strategy, facts_strategy, rules_strategy)
def test_c5_old_lines_plus_correction_equal_new_lines(old, new, rules):
    before = Counter(amounts(compute_lines(old, rules)))
    for line in correction_lines(old, new, rules):
        assert line.amount_rupiah != 0
        before[(line.program, line.payer)] += line.amount_rupiah
    assert dict(before) == amounts(compute_lines(new, rules))
