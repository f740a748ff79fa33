"""Payment orders and periodic schedules (pure domain): finance approves before it pays
(O-3); instalment n of a schedule is due n months after its start, and what is due is paid
however late the run (B-JKK-6, B-JKK-7, B-JK-1)."""
from __future__ import annotations

from datetime import date

import pytest

from services.benefits.domain.payouts import (
    BankAccount, OrderKind, OrderState, PaymentOrder, PaymentSchedule, bank_account,
)
from services.chassis.errors import InvalidArgument, RuleViolation

ACCOUNT = BankAccount("Ani Lestari", "BRI", "0011223344")


def schedule(starts: date = date(2024, 1, 31), months: int = 24) -> PaymentSchedule:
    return PaymentSchedule("s-1", "c-1", "10000000001", "KC-BINJAI", "DEATH_PERIODIC", "B-JKK-7", 200_000, months,
                           starts, ACCOUNT)


@pytest.mark.rule("B-JKK-7")
def test_b_jkk_7_instalments_fall_due_month_by_month_from_the_start():
    s = schedule()
    assert s.total == 4_800_000  # 200,000 x 24
    # 31 January + 1 month is 29 February 2024 (no 31st), + 2 months 31 March.
    assert [s.due_on(n) for n in (1, 2, 3)] == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert s.due_through(date(2024, 2, 28), set()) == []
    assert s.due_through(date(2024, 4, 30), {1}) == [(2, date(2024, 3, 31)), (3, date(2024, 4, 30))]


@pytest.mark.rule("B-JK-1")
def test_b_jk_1_a_schedule_stops_after_its_last_month():
    s = schedule(months=3)
    assert [n for n, _ in s.due_through(date(2030, 1, 1), set())] == [1, 2, 3]
    assert s.due_through(date(2030, 1, 1), {1, 2, 3}) == []


@pytest.mark.rule("O-3")
def test_o3_an_order_is_approved_then_paid_never_paid_unapproved():
    order = PaymentOrder("o-1", "c-1", "10000000001", "KC-BINJAI", OrderKind.LUMP_SUM, ACCOUNT, 42_000_000,
                         date(2024, 6, 3))
    with pytest.raises(RuleViolation) as early:
        order.mark_paid("finance", date(2024, 6, 4), "BRI-1")
    assert early.value.code == "ORDER_NOT_APPROVED"
    approved = order.approve("finance", date(2024, 6, 4))
    with pytest.raises(InvalidArgument):
        approved.mark_paid("finance", date(2024, 6, 3), "BRI-1")  # before the approval
    paid = approved.mark_paid("finance", date(2024, 6, 5), " BRI-1 ")
    assert (paid.state, paid.bank_reference, paid.amount) == (OrderState.PAID, "BRI-1", 42_000_000)
    with pytest.raises(RuleViolation):
        paid.approve("finance", date(2024, 6, 6))


def test_a_bank_account_is_cleaned_and_each_bad_field_named():
    assert bank_account("  Ani   Lestari ", "BRI", "0011-2233-44") == ACCOUNT
    with pytest.raises(InvalidArgument) as bad:
        bank_account("", "", "12AB")
    assert [v.field for v in bad.value.violations] == [
        "beneficiary.holder_name", "beneficiary.bank_name", "beneficiary.account_number"]
