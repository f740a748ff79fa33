"""C-6: a holiday change moves the due date of issued, unpaid bills (due on the next working
day), and the penalty of such a bill is assessed from the new date; a bill settled before
the change keeps its due date and its penalty. AddHoliday and RemoveHoliday change one day.

Bills: January 2022 Rp5,000,000 due Tuesday 15 February; February 2022 Rp10,000,000 due
Tuesday 15 March; March 2022 Rp1,000,000 due Friday 15 April (2% a month late, C-6).
"""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.contributions.v1 import billing_pb2_grpc, billing_pb2, payments_pb2, payments_pb2_grpc, rules_pb2
from jamsos.contributions.v1 import rules_pb2_grpc
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import BINJAI, NPP, add_bill, add_employer, d, rp, set_today

JAN, FEB, MAR = "SPI-202201-99000001", "SPI-202202-99000001", "SPI-202203-99000001"


@pytest.fixture
def branch(contributions, as_user):
    add_employer(contributions)
    set_today(contributions, date(2022, 6, 30))
    add_bill(contributions, Period(2022, 1), 5_000_000, date(2022, 2, 15))
    add_bill(contributions, Period(2022, 2), 10_000_000, date(2022, 3, 15))
    add_bill(contributions, Period(2022, 3), 1_000_000, date(2022, 4, 15))
    return as_user


def stubs(as_user):
    return (as_user("KP", "HEAD_OFFICE_ADMIN")(rules_pb2_grpc.RuleServiceStub),
            as_user(BINJAI, "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub),
            as_user(BINJAI, "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub))


def add(rules, day: date, tag: str):
    return rules.AddHoliday(rules_pb2.AddHolidayRequest(
        request_id=f"add-{tag}", holiday=rules_pb2.Holiday(day=d(day), name="Libur"), reason="SKB 3 Menteri"))


def pay(payments, number: str, amount: int, on: date) -> payments_pb2.RecordPaymentResponse:
    return payments.RecordPayment(payments_pb2.RecordPaymentRequest(
        request_id=f"pay-{number}", bank_reference=f"BNI-{number}", amount=rp(amount), paid_on=d(on), npp=NPP,
        bill_number=number))


def due(billing, number: str) -> date:
    value = billing.GetBill(billing_pb2.GetBillRequest(bill_number=number)).bill.due_date
    return date(value.year, value.month, value.day)


def moves(response) -> list[tuple[str, date, date]]:
    return [(m.bill_number, date(m.previous_due_date.year, m.previous_due_date.month, m.previous_due_date.day),
             date(m.due_date.year, m.due_date.month, m.due_date.day)) for m in response.moved_bills]


@pytest.mark.rule("C-6")
def test_c6_a_new_holiday_moves_unpaid_bills_and_their_penalty_follows_settled_ones_stay(branch):
    rules, payments, billing = stubs(branch)
    [january] = pay(payments, JAN, 5_000_000, date(2022, 2, 20)).penalties
    assert january.amount.rupiah == 100_000  # 1 started month late x 2% x 5,000,000

    assert moves(add(rules, date(2022, 2, 15), "feb")) == []  # January was settled before: kept
    assert due(billing, JAN) == date(2022, 2, 15)
    assert moves(add(rules, date(2022, 3, 15), "mar")) == [(FEB, date(2022, 3, 15), date(2022, 3, 16))]
    assert due(billing, FEB) == date(2022, 3, 16)

    [february] = pay(payments, FEB, 10_000_000, date(2022, 4, 16)).penalties
    # From 16 March, 16 April is exactly one month late: 1 x 2% x 10,000,000 = 200,000
    # (from the old 15 March it would have been 2 months, 400,000).
    assert (february.amount.rupiah, february.months_late) == (200_000, 1)


@pytest.mark.rule("C-6")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_c6_removing_or_replacing_holidays_moves_unpaid_due_dates_back_and_forth(branch):
    rules, _, billing = stubs(branch)
    assert moves(add(rules, date(2022, 4, 15), "apr")) == [(MAR, date(2022, 4, 15), date(2022, 4, 18))]  # Monday
    assert moves(add(rules, date(2022, 4, 15), "apr")) == [(MAR, date(2022, 4, 15), date(2022, 4, 18))]  # a retry
    removed = rules.RemoveHoliday(rules_pb2.RemoveHolidayRequest(request_id="rm-apr", day=d(date(2022, 4, 15)),
                                                                  reason="dibatalkan"))
    assert moves(removed) == [(MAR, date(2022, 4, 18), date(2022, 4, 15))]
    replaced = rules.SetHolidays(rules_pb2.SetHolidaysRequest(
        request_id="set-2022", year=2022, reason="SKB 2022", holidays=[
            rules_pb2.Holiday(day=d(date(2022, 3, 15)), name="Nyepi"), rules_pb2.Holiday(day=d(date(2022, 4, 15)), name="X"),
            rules_pb2.Holiday(day=d(date(2022, 4, 18)), name="Y")]))
    assert moves(replaced) == [(FEB, date(2022, 3, 15), date(2022, 3, 16)), (MAR, date(2022, 4, 15), date(2022, 4, 19))]
    assert [h.name for h in rules.ListHolidays(rules_pb2.ListHolidaysRequest(year=2022)).holidays] == ["Nyepi", "X", "Y"]
    assert due(billing, MAR) == date(2022, 4, 19)  # Friday, the weekend and Monday off: Tuesday


@pytest.mark.rule("C-6", "O-3")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_c6_single_day_holiday_changes_check_their_input_and_caller(branch):
    rules, _, _ = stubs(branch)
    for request, field in ((rules_pb2.AddHolidayRequest(request_id="a", reason="r"), "holiday"),
                           (rules_pb2.AddHolidayRequest(request_id="b", reason="r", holiday=rules_pb2.Holiday(
                               day=d(date(2022, 5, 13)))), "holiday.name"),
                           (rules_pb2.AddHolidayRequest(request_id="c", holiday=rules_pb2.Holiday(
                               day=d(date(2022, 5, 13)), name="Idul Fitri")), "reason")):
        with pytest.raises(grpc.RpcError) as bad:
            rules.AddHoliday(request)
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field in bad.value.details()
    with pytest.raises(grpc.RpcError) as missing:
        rules.RemoveHoliday(rules_pb2.RemoveHolidayRequest(request_id="r", day=d(date(2022, 5, 14)), reason="r"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    branch_admin = branch(BINJAI, "ADMINISTRATION_OFFICER")(rules_pb2_grpc.RuleServiceStub)
    with pytest.raises(grpc.RpcError) as denied:
        add(branch_admin, date(2022, 5, 13), "denied")
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
