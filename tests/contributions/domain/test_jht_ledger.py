"""C-9 JHT ledger: double entry, yearly compounding returns, statements; B-JHT-1 settlement."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.chassis.errors import InvalidArgument, RuleViolation
from services.contributions.domain.jht_ledger import (
    BENEFITS_PAID,
    CONTRIBUTIONS_RECEIVED,
    RETURNS_EXPENSE,
    EntryKind,
    Flow,
    MemberYear,
    accrued_return,
    balance_at,
    credit_return,
    credit_yearly_return,
    member_account,
    member_years,
    post_contribution,
    settle,
    statement,
    trial_balance,
)
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import SEED_JHT_RETURN_RATES

KPJ = "11A00000001"
ACCOUNT = member_account(KPJ)


def flatten(postings):
    return [entry for posting in postings for entry in posting]


@pytest.mark.rule("C-9")
def test_c9_contribution_posting_is_balanced_and_credits_the_member():
    posting = post_contribution(KPJ, 257_000, Period(2011, 2), date(2011, 3, 10))
    assert trial_balance(posting) == 0
    assert {e.account: e.amount_rupiah for e in posting} == {CONTRIBUTIONS_RECEIVED: 257_000, ACCOUNT: -257_000}
    assert balance_at(posting, ACCOUNT, date(2011, 3, 10)) == 257_000
    assert balance_at(posting, ACCOUNT, date(2011, 3, 9)) == 0
    assert len({e.entry_id for e in posting}) == 2


@pytest.mark.rule("C-9")
def test_c9_zero_contribution_is_refused():
    with pytest.raises(InvalidArgument):
        post_contribution(KPJ, 0, Period(2011, 2), date(2011, 3, 10))


class TestReturns:
    @pytest.mark.rule("C-9")
    def test_c9_return_on_opening_balance_plus_contributions_pro_rata_by_months_left(self):
        # opening 1,000,000 for 12 months; 100,000 credited in March earns the 9 months Apr-Dec
        # (1,000,000 x 12 + 100,000 x 9) x 10.10% / 12 = 12,900,000 x 0.101 / 12 = 108,575
        flows = [Flow(date(2011, 3, 10), 100_000)]
        assert accrued_return(1_000_000, flows, 2011, SEED_JHT_RETURN_RATES.rate_for(2011)) == 108_575

    @pytest.mark.rule("C-9")
    def test_c9_december_contribution_earns_nothing_that_year_january_earns_eleven_months(self):
        assert accrued_return(0, [Flow(date(2011, 12, 1), 1_200_000)], 2011, 1000) == 0
        # 1,200,000 x 11 x 10% / 12 = 110,000
        assert accrued_return(0, [Flow(date(2011, 1, 31), 1_200_000)], 2011, 1000) == 110_000

    @pytest.mark.rule("C-9")
    def test_c9_returns_credited_once_a_year_and_compound(self):
        entries = flatten([post_contribution(KPJ, 1_000_000, Period(2010, 11), date(2010, 12, 20)),
                           post_contribution(KPJ, 100_000, Period(2011, 2), date(2011, 3, 10))])
        entries += flatten(credit_yearly_return(member_years(entries, 2011), 2011, 1010))
        # 2011: 108,575 (above) -> closing 1,208,575
        assert balance_at(entries, ACCOUNT, date(2011, 12, 31)) == 1_208_575
        entries += flatten(credit_yearly_return(member_years(entries, 2012), 2012, 1010))
        # 2012: 1,208,575 x 10.10% = 122,066.0755 -> 122,066 (return on 2011's return too)
        assert balance_at(entries, ACCOUNT, date(2012, 12, 31)) == 1_330_641
        assert trial_balance(entries) == 0

    @pytest.mark.rule("C-9")
    def test_c9_a_year_is_credited_only_once(self):
        entries = flatten([post_contribution(KPJ, 1_000_000, Period(2010, 11), date(2010, 12, 20))])
        entries += flatten(credit_yearly_return(member_years(entries, 2011), 2011, 1010))
        with pytest.raises(RuleViolation) as raised:
            member_years(entries, 2011)
        assert raised.value.rule_id == "C-9"

    @pytest.mark.rule("C-9")
    def test_c9_no_posting_for_a_member_without_balance(self):
        assert credit_yearly_return([MemberYear(KPJ, 0, ())], 2011, 1010) == []


class TestSettlement:
    @pytest.mark.rule("B-JHT-1")
    def test_b_jht_1_settlement_pays_the_whole_balance_after_part_year_return(self):
        entries = flatten([post_contribution(KPJ, 1_000_000, Period(2010, 11), date(2010, 12, 20))])
        entries += flatten(credit_yearly_return(member_years(entries, 2011), 2011, 1010))
        # opening 2012: 1,000,000 + 10.10% = 1,101,000; settled 10 Jul 2012:
        # part-year return through June: 1,101,000 x 6 x 10.10% / 12 = 55,600.5 -> 55,601
        part = accrued_return(balance_at(entries, ACCOUNT, date(2011, 12, 31)), [], 2012, 1010, through_month=6)
        assert part == 55_601
        entries += credit_return(KPJ, part, 2012, date(2012, 7, 10), reference="JHT-RETURN/2012/11A00000001/PART")
        balance = balance_at(entries, ACCOUNT, date(2012, 7, 10))
        assert balance == 1_156_601
        entries += settle(KPJ, balance, date(2012, 7, 10))
        assert balance_at(entries, ACCOUNT, date(2012, 7, 10)) == 0
        assert balance_at(entries, BENEFITS_PAID, date(2012, 7, 10)) == 1_156_601
        # the year-end run credits nothing more to the settled member
        assert credit_yearly_return(member_years(entries, 2012), 2012, 1010) == []

    @pytest.mark.rule("B-JHT-1")
    def test_b_jht_1_nothing_to_settle_is_refused(self):
        with pytest.raises(RuleViolation) as raised:
            settle(KPJ, 0, date(2012, 7, 10))
        assert raised.value.rule_id == "B-JHT-1"


@pytest.mark.rule("C-9")
def test_c9_yearly_statement_has_opening_movements_and_closing():
    entries = flatten([post_contribution(KPJ, 1_000_000, Period(2010, 11), date(2010, 12, 20)),
                       post_contribution(KPJ, 100_000, Period(2011, 2), date(2011, 3, 10))])
    entries += flatten(credit_yearly_return(member_years(entries, 2011), 2011, 1010))
    report = statement(entries, KPJ, 2011)
    assert report.opening_rupiah == 1_000_000
    assert [(line.posted_on, line.kind, line.amount_rupiah) for line in report.lines] == [
        (date(2011, 3, 10), EntryKind.CONTRIBUTION, 100_000), (date(2011, 12, 31), EntryKind.RETURN, 108_575)]
    assert report.closing_rupiah == 1_208_575 == balance_at(entries, ACCOUNT, date(2011, 12, 31))
    assert report.total(EntryKind.RETURN) == 108_575


# ---- property: any history of contributions, yearly returns and settlements ----------------

event = st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(1, 12), st.integers(1, 28),
                  st.integers(1, 5_000_000), st.booleans())


@pytest.mark.rule("C-9")
@settings(max_examples=60)
@given(years=st.lists(st.lists(event, max_size=8), min_size=1, max_size=4), rate=st.integers(0, 2_000))
def test_c9_trial_balance_zero_and_members_sum_to_contributions_plus_returns_minus_settlements(years, rate):
    entries, contributed, settled, returned = [], 0, 0, 0
    for offset, events in enumerate(years):
        year = 2011 + offset
        for kpj, month, day, amount, settles in sorted(events, key=lambda e: (e[1], e[2])):
            on = date(year, month, day)
            if settles:
                balance = balance_at(entries, member_account(kpj), on)
                if balance > 0:
                    entries += settle(kpj, balance, on, reference=f"S/{kpj}/{on}/{len(entries)}")
                    settled += balance
            else:
                entries += post_contribution(kpj, amount, Period(year, month), on, reference=f"C/{len(entries)}")
                contributed += amount
        postings = credit_yearly_return(member_years(entries, year), year, rate)
        returned += sum(-e.amount_rupiah for e in flatten(postings) if e.account.startswith("member:"))
        entries += flatten(postings)
        assert trial_balance(entries) == 0
    end = date(2011 + len(years), 1, 1)
    members = sum(balance_at(entries, member_account(k), end) for k in "ABC")
    assert members == contributed + returned - settled
    assert members == (balance_at(entries, CONTRIBUTIONS_RECEIVED, end) + balance_at(entries, RETURNS_EXPENSE, end)
                       - balance_at(entries, BENEFITS_PAID, end))
    assert all(balance_at(entries, member_account(k), end) >= 0 for k in "ABC")
