"""The regional fund as a ledger: balance on any date, never disbursed beyond it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.chassis.errors import RuleViolation
from services.welfare.domain.fund import FundEntry, available_from, balance_on, require_available

LEDGER = [FundEntry(date(2025, 1, 2), 500_000_000), FundEntry(date(2025, 3, 1), -120_000_000),
          FundEntry(date(2025, 4, 10), 2_800_000)]


def test_the_balance_on_a_day_sums_the_entries_booked_up_to_it():
    assert balance_on(LEDGER, date(2025, 1, 1)) == 0
    assert balance_on(LEDGER, date(2025, 3, 1)) == 380_000_000  # 500,000,000 - 120,000,000
    assert balance_on(LEDGER, date(2025, 12, 31)) == 382_800_000  # + 2,800,000 repaid


@pytest.mark.rule("W-K-3", "W-P-4")
def test_a_back_dated_disbursement_may_not_overdraw_a_later_day():
    # On 1 Feb the balance is 500,000,000, but 120,000,000 leave on 1 Mar: 380,000,000 is available from 1 Feb.
    assert available_from(LEDGER, date(2025, 2, 1)) == 380_000_000
    require_available(LEDGER, date(2025, 2, 1), 380_000_000, "W-K-3")
    with pytest.raises(RuleViolation) as refused:
        require_available(LEDGER, date(2025, 2, 1), 380_000_001, "W-P-4")
    assert (refused.value.rule_id, refused.value.code) == ("W-P-4", "FUND_BALANCE_INSUFFICIENT")


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(st.tuples(st.integers(0, 60), st.integers(-10**9, 10**9)), max_size=12),
       day=st.integers(0, 60), amount=st.integers(1, 10**9))
@pytest.mark.rule("W-K-3")
def test_a_permitted_disbursement_leaves_every_later_balance_at_or_above_zero(entries, day, amount):
    start = date(2025, 1, 1)
    ledger = [FundEntry(start + timedelta(days=d), a) for d, a in entries]
    on = start + timedelta(days=day)
    try:
        require_available(ledger, on, amount, "W-K-3")
    except RuleViolation:
        assert amount > available_from(ledger, on)
        return
    after = [*ledger, FundEntry(on, -amount)]
    assert all(balance_on(after, start + timedelta(days=later)) >= 0 for later in range(day, 62))
