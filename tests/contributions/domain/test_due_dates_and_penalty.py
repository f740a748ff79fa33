"""C-6: due dates (15th, next working day) and the late penalty (2% per started month)."""
from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chassis.errors import InvalidArgument
from services.contributions.domain.due_dates import due_date
from services.contributions.domain.penalty import (
    late_payment_penalty,
    months_late,
    penalty_amount,
    penalty_for_payment,
)
from services.contributions.domain.rule_tables import SEED_CONTRIBUTION_RULES
from services.contributions.domain.working_days import WorkingDayCalendar

NO_HOLIDAYS = WorkingDayCalendar()


class TestDueDate:
    @pytest.mark.rule("C-6")
    def test_c6_due_on_the_15th_of_the_following_month(self, rules):
        assert due_date(2021, 3, rules, NO_HOLIDAYS) == date(2021, 4, 15)  # a Thursday

    @pytest.mark.rule("C-6")
    def test_c6_december_is_due_in_january_of_next_year(self, rules):
        assert due_date(2021, 12, rules, NO_HOLIDAYS) == date(2022, 1, 17)  # 15 Jan 2022 is a Saturday

    @pytest.mark.rule("C-6")
    def test_c6_15th_on_a_sunday_rolls_to_monday(self, rules):
        # period 2021-07: 15 Aug 2021 is a Sunday
        assert due_date(2021, 7, rules, NO_HOLIDAYS) == date(2021, 8, 16)

    @pytest.mark.rule("C-6")
    def test_c6_15th_on_a_holiday_rolls_to_next_working_day(self, rules):
        calendar = WorkingDayCalendar.with_holidays([date(2021, 4, 15)])  # a Thursday made a holiday
        assert due_date(2021, 3, rules, calendar) == date(2021, 4, 16)

    @pytest.mark.rule("C-6")
    def test_c6_holidays_and_weekend_together_roll_past_all_of_them(self, rules_2020):
        # period 2020-09 under PP 49/2020: due 30 Oct 2020; 28-30 Oct 2020 holidays, 31 Oct-1 Nov weekend
        calendar = WorkingDayCalendar.with_holidays([date(2020, 10, 28), date(2020, 10, 29), date(2020, 10, 30)])
        assert due_date(2020, 9, rules_2020, calendar) == date(2020, 11, 2)

    @pytest.mark.rule("C-6")
    def test_c6_day_30_in_february_is_the_last_day_then_rolled(self, rules_2020):
        # period 2021-01 under PP 49/2020: "30 Feb 2021" -> 28 Feb 2021 (Sunday) -> Monday 1 Mar
        assert due_date(2021, 1, rules_2020, NO_HOLIDAYS) == date(2021, 3, 1)
        no_roll = replace(rules_2020, due_rolls_to_next_working_day=False)
        assert due_date(2021, 1, no_roll, NO_HOLIDAYS) == date(2021, 2, 28)

    @pytest.mark.rule("C-6")
    def test_c6_leap_february_clamps_to_the_29th(self, rules_2020):
        assert due_date(2024, 1, replace(rules_2020, due_rolls_to_next_working_day=False), NO_HOLIDAYS) == date(2024, 2, 29)


class TestMonthsLate:
    @pytest.mark.rule("C-6")
    @pytest.mark.parametrize("paid, expected", [
        (date(2021, 4, 10), 0),   # early
        (date(2021, 4, 15), 0),   # on the due date
        (date(2021, 4, 16), 1),   # 1 day late: a started month
        (date(2021, 5, 15), 1),   # exactly one month late
        (date(2021, 5, 16), 2),   # one month and one day
        (date(2021, 7, 15), 3),
        (date(2022, 4, 16), 13),
    ])
    def test_c6_a_started_month_counts_as_a_month(self, paid, expected):
        assert months_late(date(2021, 4, 15), paid) == expected

    @pytest.mark.rule("C-6")
    def test_c6_month_ends_are_clamped(self):
        due = date(2021, 1, 31)
        assert months_late(due, date(2021, 2, 28)) == 1  # 31 Jan + one month = 28 Feb
        assert months_late(due, date(2021, 3, 1)) == 2

    @pytest.mark.parametrize("due, paid, expected", [
        (date(2024, 1, 31), date(2024, 2, 29), 1),   # leap year: 31 Jan + one month = 29 Feb
        (date(2024, 1, 31), date(2024, 3, 1), 2),
        (date(2021, 8, 31), date(2021, 9, 30), 1),   # 31 Aug + one month = 30 Sep
        (date(2021, 8, 31), date(2021, 10, 1), 2),   # 1 Oct is inside the second month (to 31 Oct)
        (date(2021, 11, 30), date(2021, 12, 30), 1),
        (date(2021, 11, 30), date(2021, 12, 31), 2),  # 30 Nov + one month = 30 Dec, so 31 Dec starts month 2
        (date(2021, 12, 15), date(2022, 1, 15), 1),   # across the year end
        (date(2021, 12, 15), date(2022, 1, 16), 2),
        (date(2020, 10, 30), date(2021, 10, 30), 12),  # PP 49/2020 due date, a year late
        (date(2020, 10, 30), date(2021, 10, 31), 13),
    ])
    @pytest.mark.rule("C-6")
    def test_c6_month_ends_and_year_ends_counted_by_hand(self, due, paid, expected):
        assert months_late(due, paid) == expected


class TestPenalty:
    @pytest.mark.rule("C-6")
    def test_c6_penalty_two_percent_per_started_month(self, rules):
        # 10,000,000 paid 1 day late: 2% = 200,000
        assert penalty_for_payment(10_000_000, date(2021, 4, 15), date(2021, 4, 16), rules) == 200_000
        # 3 months late: 3 x 2% = 6% = 600,000 -- simple; compounded would be 612,080
        assert penalty_amount(10_000_000, 3, rules) == 600_000

    @pytest.mark.rule("C-6")
    def test_c6_pp49_2020_penalty_half_percent_per_month(self, rules_2020):
        # 10,000,000 x 0.5% x 2 months = 100,000
        assert penalty_amount(10_000_000, 2, rules_2020) == 100_000

    @pytest.mark.rule("C-6")
    def test_c6_no_cap_unless_the_rule_version_sets_one(self, rules):
        # 60 months x 2% = 120% of 1,000,000 = 1,200,000: no cap today
        assert penalty_amount(1_000_000, 60, rules) == 1_200_000
        capped = replace(rules, penalty_cap_bp=4_800)
        assert penalty_amount(1_000_000, 60, capped) == 480_000  # capped at 48%

    @pytest.mark.rule("C-6")
    def test_c6_penalty_rounds_once_half_up(self, rules):
        # 12,345 x 2% = 246.9 -> 247
        assert penalty_amount(12_345, 1, rules) == 247

    @pytest.mark.rule("C-6")
    def test_c6_penalty_on_instalments_counts_each_late_part(self, rules):
        # 1,000,000 due 15 Apr 2021: 400,000 on 10 Apr (on time),
        # 300,000 on 20 May (2 months: 2 x 2% x 300,000 = 12,000),
        # 300,000 unpaid on 1 Jul (3 months: 3 x 2% x 300,000 = 18,000) -> 30,000
        late = late_payment_penalty(1_000_000, date(2021, 4, 15),
                                    [(date(2021, 5, 20), 300_000), (date(2021, 4, 10), 400_000)],
                                    date(2021, 7, 1), rules)
        assert [(p.amount_rupiah, p.months_late, p.penalty_rupiah) for p in late.portions] == [
            (300_000, 2, 12_000), (300_000, 3, 18_000)]
        assert late.total_rupiah == 30_000

    @pytest.mark.rule("C-6")
    def test_c6_negative_months_refused(self, rules):
        with pytest.raises(InvalidArgument):
            penalty_amount(1_000, -1, rules)


days = st.dates(min_value=date(1995, 1, 1), max_value=date(2040, 12, 31))


@pytest.mark.rule("C-6")
@given(due=days, early=st.integers(0, 4000), amount=st.integers(0, 10**12),
       rules=st.sampled_from(SEED_CONTRIBUTION_RULES.versions))
def test_c6_penalty_is_zero_whenever_paid_on_or_before_due_date(due, early, amount, rules):
    paid = due - timedelta(days=early)
    assert months_late(due, paid) == 0
    assert penalty_for_payment(amount, due, paid, rules) == 0


def same_day_months_later(day: date, months: int) -> date:
    """The test's own month arithmetic (not the production `add_months`): the same day of
    the month `months` later, or that month's last day when it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@pytest.mark.rule("C-6")
@given(due=days, late=st.integers(1, 4000), extra=st.integers(0, 400))
def test_c6_months_late_is_started_months_and_never_decreases(due, late, extra):
    paid = due + timedelta(days=late)
    months = months_late(due, paid)
    assert months >= 1
    # `months` months after the due date reaches the payment date, one fewer does not
    assert same_day_months_later(due, months) >= paid > same_day_months_later(due, months - 1)
    assert months_late(due, paid + timedelta(days=extra)) >= months


@pytest.mark.parametrize("fixture, amount, months, expected", [
    ("rules", 125, 1, 3),                # 125 x 2% = 2.5 -> 3 (half up, not 2)
    ("rules", 10_025, 2, 401),           # 2 x 2% = 4%: 10,025 x 4% = 401 exactly (rounding each
                                         # month would give 200.5 -> 201, x 2 = 402)
    ("rules", 12_345, 3, 741),           # 3 x 2% = 6%: 12,345 x 6% = 740.7 -> 741
    ("rules", 1_000_000, 13, 260_000),   # 13 x 2% = 26% (simple; 1.02^13 would be 293,607)
    ("rules", 999, 240, 4_795),          # 240 x 2% = 480%: 999 x 4.8 = 4,795.2 -> 4,795, no cap
    ("rules", 5_000_000, 0, 0),          # on time: 0 months, no penalty
    ("rules_2020", 100, 1, 1),           # PP 49/2020: 100 x 0.5% = 0.5 -> 1
    ("rules_2020", 12_375, 1, 62),       # 12,375 x 0.5% = 61.875 -> 62
    ("rules_2020", 12_345, 3, 185),      # 3 x 0.5% = 1.5%: 12,345 x 1.5% = 185.175 -> 185
    ("rules_2020", 10_000_000, 24, 1_200_000),  # 24 x 0.5% = 12%: 1,200,000
])
@pytest.mark.rule("C-6")
def test_c6_penalty_is_simple_rate_times_months(request, fixture, amount, months, expected):
    assert penalty_amount(amount, months, request.getfixturevalue(fixture)) == expected


# (a day in the period, the rule book's penalty in percent per month for that period)
PENALTY_PERCENT_BY_PERIOD = [(date(2010, 6, 1), "2"), (date(2020, 9, 1), "0.5"), (date(2021, 1, 1), "0.5"),
                             (date(2021, 3, 1), "2")]


@pytest.mark.rule("C-6")
@given(amount=st.integers(0, 10**12), months=st.integers(0, 240), period=st.sampled_from(PENALTY_PERCENT_BY_PERIOD))
def test_c6_penalty_is_simple_rate_times_months_for_any_amount(amount, months, period):
    # recomputed in decimal arithmetic from the rule book's percentage, not with `apply_rate`
    day, percent_per_month = period
    rules = SEED_CONTRIBUTION_RULES.in_force_on(day)
    expected = (Decimal(amount) * Decimal(percent_per_month) * months / 100).quantize(Decimal(1), ROUND_HALF_UP)
    assert penalty_amount(amount, months, rules) == int(expected)
