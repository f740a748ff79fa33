"""JKK properties over many cases: no item above its cap, nothing negative, partial disabilities
never above total disability, STMB never falls as time off grows, and every wage up to
MAX_RUPIAH gives a payable assessment or INVALID_ARGUMENT."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.benefits.domain.benefit_rules import jkk_rules_on
from services.benefits.domain.disability_table import DISABILITY_TABLE
from services.benefits.domain.jkk import DisabilityFinding, JkkCase, JkkOutcome, TransportMode, assess_jkk
from services.chassis.errors import InvalidArgument
from services.chassis.money import MAX_RUPIAH

ACCIDENT = date(2011, 9, 1)
RULES = jkk_rules_on(ACCIDENT)
# the rule book's caps, written out (B-JKK-2, B-JKK-4, B-JKK-8)
CAPS = {"TRANSPORT_LAND": 750_000, "TRANSPORT_SEA": 1_000_000, "TRANSPORT_AIR": 2_000_000,
        "MEDICAL": 20_000_000, "DENTURES": 2_000_000, "MEDICAL_REHABILITATION": 2_000_000}

wages = st.integers(min_value=0, max_value=50_000_000)
claims = st.integers(min_value=0, max_value=10**12)
transport = st.lists(st.tuples(st.sampled_from(list(TransportMode)), st.integers(0, 10**10)), max_size=6)


@st.composite
def findings(draw):
    row = DISABILITY_TABLE[draw(st.sampled_from(sorted(DISABILITY_TABLE)))]
    percentage = draw(st.integers(row.percentage_min, row.percentage_max)) if row.is_range else None
    return DisabilityFinding(row.code, percentage, draw(st.integers(1, 100)))


@st.composite
def cases(draw, wage=wages):
    outcome = draw(st.sampled_from(list(JkkOutcome)))
    disabilities = (tuple(draw(st.lists(findings(), min_size=1, max_size=5)))
                    if outcome is JkkOutcome.PARTIAL_DISABILITY else ())
    return JkkCase(draw(wage), ACCIDENT, outcome, transport=tuple(draw(transport)),
                   stmb_months=draw(st.integers(0, 60)), stmb_extra_days=draw(st.integers(0, 29)),
                   medical_claimed=draw(claims), dentures_claimed=draw(claims), disabilities=disabilities,
                   left_handed=draw(st.booleans()), rehabilitation_price=draw(st.integers(0, 10**9)),
                   medical_rehabilitation_claimed=draw(claims))


@pytest.mark.rule("B-JKK-2", "B-JKK-4", "B-JKK-8")
@given(cases())
def test_no_item_is_above_its_cap_nor_above_what_was_claimed(case):
    for item in assess_jkk(case, RULES).items:
        if item.code in CAPS:
            assert item.amount <= CAPS[item.code]
        if item.claimed is not None:
            assert item.amount == min(item.claimed, CAPS[item.code])


@pytest.mark.rule("B-JKK-2", "B-JKK-3", "B-JKK-4", "B-JKK-5", "B-JKK-6", "B-JKK-7", "B-JKK-8")
@given(cases())
def test_amounts_are_never_negative_and_add_up(case):
    got = assess_jkk(case, RULES)
    assert all(isinstance(i.amount, int) and i.amount >= 0 for i in got.items)
    assert all(p.monthly >= 0 and p.months >= 0 for p in got.periodic)
    assert got.lump_sum == sum(i.amount for i in got.items)
    assert got.total == got.lump_sum + sum(p.monthly * p.months for p in got.periodic)


@pytest.mark.rule("B-JKK-5", "B-JKK-6")
@given(wages, st.lists(findings(), min_size=1, max_size=8), st.booleans())
def test_partial_disabilities_together_never_exceed_total_disability(wage, found, left_handed):
    case = JkkCase(wage, ACCIDENT, JkkOutcome.PARTIAL_DISABILITY, disabilities=tuple(found), left_handed=left_handed)
    partial = sum(i.amount for i in assess_jkk(case, RULES).items if i.rule_id == "B-JKK-5")
    # total disability: 70% x 80 = 56 months' wage (exact in whole rupiah)
    assert partial <= 56 * wage


@pytest.mark.rule("B-JKK-5")
@given(wages, findings(), st.booleans())
def test_a_single_finding_is_its_table_share_of_80_months(wage, finding, left_handed):
    case = JkkCase(wage, ACCIDENT, JkkOutcome.PARTIAL_DISABILITY, disabilities=(finding,), left_handed=left_handed)
    amount = assess_jkk(case, RULES).items[0].amount
    row = DISABILITY_TABLE[finding.code]
    top = max(row.percentage_max, 40 if row.left_handed_code else 0)
    # never above the largest figure the row can take (the arms swap 35 <-> 40): top% x 80 x wage
    assert amount * 100 <= top * 80 * wage + 50


@pytest.mark.rule("B-JKK-3")
@given(st.integers(0, 10**10), st.integers(0, 200), st.integers(0, 29))
def test_stmb_never_falls_as_time_off_grows(wage, months, days):
    def stmb(m: int, d: int) -> int:
        item = assess_jkk(JkkCase(wage, ACCIDENT, JkkOutcome.RECOVERED, stmb_months=m, stmb_extra_days=d),
                          RULES).item("STMB")
        return 0 if item is None else item.amount

    now = stmb(months, days)
    assert now <= stmb(months + 1, days)
    assert now <= stmb(months + 1, 0)
    if days < 29:
        assert now <= stmb(months, days + 1)
    # and never more than a full wage per month of time off
    assert now <= wage * (months + 1)


@pytest.mark.rule("B-JKK-3")
@given(st.integers(0, 10**10), st.integers(9, 500))
def test_every_month_after_the_eighth_adds_half_the_wage(wage, months):
    def stmb(m: int) -> int:
        return assess_jkk(JkkCase(wage, ACCIDENT, JkkOutcome.RECOVERED, stmb_months=m), RULES).item("STMB").amount

    # 50% of an integer wage rounded half up, month by month within one rounding of the sum
    assert abs(stmb(months + 1) - stmb(months) - wage / 2) <= 1


@pytest.mark.rule("B-JKK-3", "B-JKK-6", "B-JKK-7")
@given(cases(wage=st.integers(0, MAX_RUPIAH)))
def test_any_wage_up_to_max_rupiah_is_payable_or_invalid_argument(case):
    try:
        got = assess_jkk(case, RULES)
    except InvalidArgument as refused:
        assert {v.field for v in refused.violations} <= {"monthly_wage", "stmb_months", "rehabilitation_price",
                                                         "transport.amount"}
        return
    assert got.total <= MAX_RUPIAH
    assert all(0 <= i.amount <= MAX_RUPIAH for i in got.items)
