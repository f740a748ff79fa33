"""Employment periods and the length of membership (M-3)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.membership.domain.employment_history import (
    EmploymentPeriod,
    EndReason,
    is_active_on,
    member_since,
    months_of_membership,
)


def period(start, end=None, npp="00000173", reason=EndReason.RESIGNED):
    return EmploymentPeriod(npp, "KC-BINJAI", start, end, reason if end else None)


@pytest.mark.rule("M-3")
def test_m3_member_since_is_the_first_start_of_any_employment():
    periods = [period(date(2018, 5, 1), date(2019, 4, 30)), period(date(2015, 1, 5), date(2017, 12, 31))]
    assert member_since(periods) == date(2015, 1, 5)
    assert member_since([]) is None


@pytest.mark.rule("M-3")
def test_m3_active_on_a_day_covered_by_some_period():
    periods = [period(date(2015, 1, 5), date(2017, 12, 31)), period(date(2019, 1, 1))]
    assert is_active_on(periods, date(2017, 12, 31))
    assert not is_active_on(periods, date(2018, 6, 1))
    assert is_active_on(periods, date(2030, 1, 1))
    assert not is_active_on(periods, date(2015, 1, 4))


@pytest.mark.rule("M-3")
def test_m3_a_month_is_whole_from_a_day_to_the_day_before_the_same_day_next_month():
    assert months_of_membership([period(date(2020, 1, 1))], date(2020, 1, 30)) == 0
    assert months_of_membership([period(date(2020, 1, 1))], date(2020, 1, 31)) == 1
    assert months_of_membership([period(date(2020, 1, 15))], date(2021, 1, 14)) == 12
    assert months_of_membership([period(date(2020, 1, 15), date(2020, 3, 20))], date(2024, 1, 1)) == 2


@pytest.mark.rule("M-3")
def test_m3_transfer_leaves_no_gap_so_months_run_on():
    periods = [period(date(2015, 1, 1), date(2020, 2, 29), reason=EndReason.TRANSFERRED),
               period(date(2020, 3, 1), npp="00000180")]
    assert months_of_membership(periods, date(2019, 12, 31)) == 60
    assert months_of_membership(periods, date(2020, 12, 31)) == 72


@pytest.mark.rule("M-3")
def test_m3_overlapping_periods_are_not_counted_twice():
    periods = [period(date(2020, 1, 1), date(2020, 12, 31)), period(date(2020, 6, 1), date(2021, 5, 31))]
    assert months_of_membership(periods, date(2022, 1, 1)) == 17


@pytest.mark.rule("M-3")
def test_m3_odd_days_of_separate_stretches_are_not_pooled():
    periods = [period(date(2020, 1, 1), date(2020, 1, 15)), period(date(2020, 3, 1), date(2020, 3, 20))]
    assert months_of_membership(periods, date(2021, 1, 1)) == 0


@pytest.mark.rule("M-3")
def test_m3_periods_starting_after_the_date_do_not_count():
    assert months_of_membership([period(date(2025, 1, 1))], date(2024, 12, 31)) == 0


@pytest.mark.rule("M-3")
def test_m3_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        period(date(2020, 1, 2), date(2020, 1, 1))


@pytest.mark.rule("M-3")
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)),
       st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=400))
def test_m3_splitting_a_stretch_at_a_transfer_never_changes_its_months(start, split_after, length_after):
    split = start + timedelta(days=split_after)
    end = split + timedelta(days=length_after)
    whole = [period(start, end)]
    split_up = [period(start, split, reason=EndReason.TRANSFERRED), period(split + timedelta(days=1), end + timedelta(days=1))]
    on = end + timedelta(days=1)
    assert months_of_membership(split_up, on) == months_of_membership([period(start, on)], on)
    assert months_of_membership(whole, on) <= months_of_membership(split_up, on)
