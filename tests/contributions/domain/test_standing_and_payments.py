"""C-8 arrears and good standing; payment validation and matching (C-7 credit and suspense)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chassis.errors import InvalidArgument
from services.contributions.domain.bills import OpenBill
from services.contributions.domain.payments import (
    MatchOutcome,
    Payment,
    allocate,
    match_payment,
    validate_payment,
)
from services.contributions.domain.periods import Period
from services.contributions.domain.standing import AgeingBucket, arrears_as_of, bucket_for, in_good_standing

AS_OF = date(2021, 6, 30)


def bill(number: str, due: date, outstanding: int, period: Period | None = None) -> OpenBill:
    previous = Period(due.year - 1, 12) if due.month == 1 else Period(due.year, due.month - 1)
    return OpenBill(number, period or previous, due, outstanding)


class TestArrears:
    @pytest.mark.rule("C-8")
    def test_c8_overdue_amounts_are_aged_by_days_past_due(self):
        bills = [
            bill("SPI-06", date(2021, 7, 15), 100, Period(2021, 6)),  # not yet due
            bill("SPI-05", date(2021, 6, 30), 200),  # due today: not arrears
            bill("SPI-04", date(2021, 6, 15), 1_000),  # 15 days
            bill("SPI-03", date(2021, 5, 15), 2_000),  # 46 days
            bill("SPI-02", date(2021, 4, 15), 3_000),  # 76 days
            bill("SPI-01", date(2021, 3, 15), 4_000),  # 107 days
        ]
        arrears = arrears_as_of(bills, AS_OF)
        assert arrears.by_bucket == {AgeingBucket.UP_TO_30: 1_000, AgeingBucket.DAYS_31_60: 2_000,
                                     AgeingBucket.DAYS_61_90: 3_000, AgeingBucket.OVER_90: 4_000}
        assert arrears.total_rupiah == 10_000
        assert [b.bill_number for b in arrears.overdue_bills] == ["SPI-04", "SPI-03", "SPI-02", "SPI-01"]

    @pytest.mark.rule("C-8")
    @pytest.mark.parametrize("days, expected", [
        (1, AgeingBucket.UP_TO_30), (30, AgeingBucket.UP_TO_30), (31, AgeingBucket.DAYS_31_60),
        (60, AgeingBucket.DAYS_31_60), (61, AgeingBucket.DAYS_61_90), (90, AgeingBucket.DAYS_61_90),
        (91, AgeingBucket.OVER_90)])
    def test_c8_bucket_boundaries(self, days, expected):
        assert bucket_for(days) == expected
        assert arrears_as_of([bill("X", AS_OF - timedelta(days=days), 5)], AS_OF).by_bucket[expected] == 5

    @pytest.mark.rule("C-8")
    def test_c8_good_standing_needs_no_arrears_and_complete_data(self):
        paid_up = arrears_as_of([bill("SPI-05", date(2021, 6, 15), 0), bill("SPI-06", date(2021, 7, 15), 9)], AS_OF)
        assert not paid_up.in_arrears
        assert in_good_standing(paid_up, data_complete=True)
        assert not in_good_standing(paid_up, data_complete=False)
        owing = arrears_as_of([bill("SPI-04", date(2021, 6, 15), 1)], AS_OF)
        assert not in_good_standing(owing, data_complete=True)


class TestPaymentValidation:
    def test_payment_needs_positive_amount_past_date_and_bank_reference(self):
        with pytest.raises(InvalidArgument) as raised:
            validate_payment(Payment(" ", 0, date(2021, 7, 1)), today=date(2021, 6, 30))
        assert {v.field for v in raised.value.violations} == {"amount_rupiah", "paid_on", "bank_reference"}

    def test_payment_dated_today_is_valid(self):
        payment = Payment("BNI-123", 1, date(2021, 6, 30))
        assert validate_payment(payment, today=date(2021, 6, 30)) is None
        # the same receipt checked the day before its date is refused, on paid_on alone
        with pytest.raises(InvalidArgument) as raised:
            validate_payment(payment, today=date(2021, 6, 29))
        assert [(v.field, v.reason) for v in raised.value.violations] == [
            ("paid_on", "cannot be after today (2021-06-29)")]


JAN = bill("SPI-2021-01", date(2021, 2, 15), 100_000, Period(2021, 1))
FEB = bill("SPI-2021-02", date(2021, 3, 15), 200_000, Period(2021, 2))


class TestAllocation:
    @pytest.mark.rule("C-8")
    def test_c8_payment_clears_oldest_bill_first(self):
        result = allocate(250_000, [FEB, JAN])
        assert [(a.bill_number, a.amount_rupiah, a.settles_bill) for a in result.allocations] == [
            ("SPI-2021-01", 100_000, True), ("SPI-2021-02", 150_000, False)]
        assert result.credit_rupiah == 0

    @pytest.mark.rule("C-7")
    def test_c7_overpayment_is_kept_as_credit(self):
        result = allocate(400_000, [JAN, FEB])
        assert result.allocated_rupiah == 300_000
        assert result.credit_rupiah == 100_000

    def test_payment_naming_a_bill_pays_that_bill_first(self):
        result = allocate(250_000, [JAN, FEB], bill_number="SPI-2021-02")
        assert [(a.bill_number, a.amount_rupiah) for a in result.allocations] == [
            ("SPI-2021-02", 200_000), ("SPI-2021-01", 50_000)]

    def test_payment_naming_an_unknown_bill_is_refused_by_allocate(self):
        with pytest.raises(InvalidArgument):
            allocate(1, [JAN], bill_number="SPI-NOPE")

    @pytest.mark.rule("C-7")
    def test_c7_payment_without_identified_employer_goes_to_suspense(self):
        match = match_payment(Payment("BRI-9", 75_000, date(2021, 3, 1), npp=None), None)
        assert (match.outcome, match.suspense_rupiah, match.allocation) == (MatchOutcome.SUSPENSE, 75_000, None)

    @pytest.mark.rule("C-7")
    def test_c7_payment_naming_a_bill_not_open_goes_to_suspense(self):
        match = match_payment(Payment("BRI-9", 75_000, date(2021, 3, 1), "NPP1", "SPI-OLD"), [JAN])
        assert match.outcome is MatchOutcome.SUSPENSE

    @pytest.mark.rule("C-7")
    def test_c7_employer_without_open_bills_gets_credit(self):
        match = match_payment(Payment("BRI-9", 75_000, date(2021, 3, 1), "NPP1"), [])
        assert match.outcome is MatchOutcome.ALLOCATED
        assert match.allocation.credit_rupiah == 75_000


open_bills = st.lists(st.integers(0, 5_000_000), max_size=8).map(
    lambda amounts: [bill(f"SPI-{i}", date(2020, 1, 15) + timedelta(days=31 * i), a,
                          Period(2019 + (i + 11) // 12, (i + 11) % 12 + 1)) for i, a in enumerate(amounts)])


@pytest.mark.rule("C-7")
@given(open_bills, st.integers(1, 50_000_000))
def test_c7_allocation_never_loses_or_invents_money(bills, amount):
    result = allocate(amount, bills)
    assert result.allocated_rupiah + result.credit_rupiah == amount
    outstanding = {b.bill_number: b.outstanding_rupiah for b in bills}
    assert all(0 < a.amount_rupiah <= outstanding[a.bill_number] for a in result.allocations)
    if result.credit_rupiah > 0:
        assert result.allocated_rupiah == sum(outstanding.values())
