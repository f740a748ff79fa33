"""Loans once agreed: repayments to the oldest instalments, arrears, late flags (W-K-3, W-P-5, W-M-1)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.chassis.errors import RuleViolation
from services.welfare.domain.loans import LoanStatus, new_loan
from services.welfare.domain.programs import Program
from services.welfare.domain.schedule import instalment_schedule

FIRST_DUE = date(2025, 7, 10)


def loan(program: Program = Program.COOPERATIVE_LOAN, principal: int = 1_200_000, interest: int = 36_000,
         term: int = 12):
    # 1,200,000 + 36,000 = 1,236,000 over 12 months: 103,000 a month
    return new_loan(loan_id="L1", program=program, application_id="A1", branch_code="KC-BINJAI",
                    borrower_name="Kopkar", principal=principal, interest=interest, rate_bp_per_year=300,
                    agreed_on=date(2025, 6, 30), schedule=instalment_schedule(principal, interest, term, FIRST_DUE))


def active(**kwargs):
    return loan(**kwargs).disbursed(date(2025, 7, 1), "KW-SUMBAGUT")


@pytest.mark.rule("W-K-3")
def test_a_repayment_pays_the_oldest_instalments_first():
    # 250,000 = 103,000 (1st) + 103,000 (2nd) + 44,000 of the 3rd
    repaid, allocations = active().repaid(250_000, date(2025, 8, 20))
    assert [(a.number, a.amount) for a in allocations] == [(1, 103_000), (2, 103_000), (3, 44_000)]
    assert [i.paid for i in repaid.instalments[:4]] == [103_000, 103_000, 44_000, 0]
    assert repaid.instalments[0].paid_on == date(2025, 8, 20) and repaid.instalments[2].paid_on is None
    assert repaid.outstanding == 1_236_000 - 250_000


@pytest.mark.rule("W-K-3")
def test_more_than_the_loan_owes_is_refused():
    with pytest.raises(RuleViolation) as refused:
        active().repaid(1_236_001, date(2025, 8, 20))
    assert (refused.value.rule_id, refused.value.code) == ("W-K-3", "OVERPAYMENT")


@pytest.mark.rule("W-P-5")
def test_the_last_rupiah_pays_the_loan_off_and_then_nothing_more_is_due():
    repaid, _ = active(program=Program.PUMP).repaid(1_236_000, date(2025, 8, 20))
    assert repaid.status is LoanStatus.PAID_OFF and repaid.outstanding == 0
    with pytest.raises(RuleViolation) as refused:
        repaid.repaid(1, date(2025, 8, 21))
    assert (refused.value.rule_id, refused.value.code) == ("W-P-5", "LOAN_PAID_OFF")


@pytest.mark.rule("W-M-1")
def test_an_undisbursed_loan_takes_no_repayment():
    with pytest.raises(RuleViolation) as refused:
        loan(program=Program.PARTNERSHIP_LOAN).repaid(1_000, date(2025, 7, 2))
    assert (refused.value.rule_id, refused.value.code) == ("W-M-1", "LOAN_NOT_DISBURSED")


@pytest.mark.rule("W-K-3")
def test_a_transfer_after_the_first_due_date_or_twice_is_refused():
    with pytest.raises(RuleViolation) as late:
        loan().disbursed(date(2025, 7, 11), "KW-SUMBAGUT")
    assert late.value.code == "TRANSFER_AFTER_FIRST_DUE"
    with pytest.raises(RuleViolation) as twice:
        active().disbursed(date(2025, 7, 2), "KW-SUMBAGUT")
    assert twice.value.code == "ALREADY_DISBURSED"


@pytest.mark.rule("W-P-5")
def test_arrears_are_what_is_unpaid_of_instalments_past_their_due_date():
    repaid, _ = active().repaid(150_000, date(2025, 8, 1))  # 1st paid, 47,000 of the 2nd
    # On 11 Sep 2025 the 2nd (due 10 Aug) and 3rd (due 10 Sep) are past due: 56,000 + 103,000 = 159,000.
    assert repaid.arrears_on(date(2025, 9, 11)) == 159_000
    assert [i.number for i in repaid.overdue_on(date(2025, 9, 11))] == [2, 3]
    # On its due date an instalment is not late yet.
    assert repaid.arrears_on(date(2025, 9, 10)) == 56_000


@pytest.mark.rule("W-P-5")
def test_late_instalments_are_flagged_once():
    # On 11 Aug 2025 the instalments due 10 Jul and 10 Aug are unpaid.
    flagged_loan, late = active().flag_late(date(2025, 8, 11))
    assert [i.number for i in late] == [1, 2]
    again, none = flagged_loan.flag_late(date(2025, 8, 11))
    assert none == []
    _, next_month = again.flag_late(date(2025, 9, 11))
    assert [i.number for i in next_month] == [3]


@settings(max_examples=200, deadline=None)
@given(payments=st.lists(st.integers(1, 400_000), max_size=10))
@pytest.mark.rule("W-K-3")
def test_repayments_never_count_more_than_was_paid_nor_more_than_is_owed(payments):
    current, paid = active(), 0
    for amount in payments:
        if amount > current.outstanding:
            with pytest.raises(RuleViolation):
                current.repaid(amount, date(2025, 8, 1))
            continue
        current, allocations = current.repaid(amount, date(2025, 8, 1))
        paid += amount
        assert sum(a.amount for a in allocations) == amount
    assert current.paid == paid and current.outstanding == 1_236_000 - paid
    assert all(0 <= i.paid <= i.amount for i in current.instalments)
