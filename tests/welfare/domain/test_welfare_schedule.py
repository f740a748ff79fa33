"""Flat-interest instalment schedules in exact rupiah (W-K-2, W-P-4, W-M-1)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.welfare.domain.schedule import flat_interest, instalment_schedule, monthly_instalment


@pytest.mark.rule("W-K-2")
def test_the_rule_books_example_120_million_over_48_months():
    # interest 120,000,000 x 3% x 48/12 = 14,400,000
    assert flat_interest(120_000_000, 300, 48) == 14_400_000
    schedule = instalment_schedule(120_000_000, 14_400_000, 48, date(2025, 7, 10))
    # (120,000,000 + 14,400,000) / 48 = 2,800,000, of which 120,000,000 / 48 = 2,500,000 principal
    assert [i.amount for i in schedule] == [2_800_000] * 48
    assert {(i.principal, i.interest) for i in schedule} == {(2_500_000, 300_000)}
    assert monthly_instalment(120_000_000, 14_400_000, 48) == 2_800_000


@pytest.mark.rule("W-K-2")
def test_the_rounding_remainder_goes_to_the_last_instalment():
    # interest 100,000,000 x 3% x 36/12 = 9,000,000; total 109,000,000; 109,000,000 // 36 = 3,027,777
    # (x 36 = 108,999,972, remainder 28): the last is 3,027,777 + 28 = 3,027,805
    interest = flat_interest(100_000_000, 300, 36)
    assert interest == 9_000_000
    schedule = instalment_schedule(100_000_000, interest, 36, date(2025, 1, 15))
    assert [i.amount for i in schedule[:-1]] == [3_027_777] * 35
    assert schedule[-1].amount == 3_027_805
    assert sum(i.amount for i in schedule) == 109_000_000


@pytest.mark.rule("W-K-2")
def test_interest_is_rounded_half_up_once():
    # 10 x 3% x 20/12 = 0.5 -> 1; 1,000,001 x 3% x 1/12 = 2,500.0025 -> 2,500; 1,000,200 x 3% / 12 = 2,500.5 -> 2,501
    assert flat_interest(10, 300, 20) == 1
    assert flat_interest(1_000_001, 300, 1) == 2_500
    assert flat_interest(1_000_200, 300, 1) == 2_501


def test_instalments_fall_due_monthly_on_the_same_day_or_the_months_last():
    schedule = instalment_schedule(1_200_000, 0, 4, date(2025, 1, 31))
    assert [i.due_date for i in schedule] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31),
                                              date(2025, 4, 30)]


@settings(max_examples=300, deadline=None)
@given(principal=st.integers(0, 10**14), interest=st.integers(0, 10**13), term=st.integers(1, 120))
@pytest.mark.rule("W-K-2", "W-P-4", "W-M-1")
def test_a_schedule_sums_exactly_never_negative_and_the_last_takes_the_remainder(principal, interest, term):
    schedule = instalment_schedule(principal, interest, term, date(2025, 1, 31))
    assert len(schedule) == term
    assert sum(i.amount for i in schedule) == principal + interest
    assert sum(i.principal for i in schedule) == principal
    assert sum(i.interest for i in schedule) == interest
    assert all(i.amount >= 0 and i.principal >= 0 and i.interest >= 0 for i in schedule)
    assert all(i.amount == i.principal + i.interest for i in schedule)
    regular = (principal + interest) // term
    assert all(i.amount == regular for i in schedule[:-1])
    assert 0 <= schedule[-1].amount - regular < term
