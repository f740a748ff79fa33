"""The payout rules without the XML: order states through a bank file, what each bank status
does to an order, the group's status standing in for missing transaction statuses, the
order id in a 35-character EndToEndId, and four eyes on a re-issued order (O-4)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.benefits.domain.payout_files import (
    BankStatus, Outcome, StatusReason, StatusReport, TransactionStatus, bank_status, check_report_day, end_to_end_id,
    order_id_of, outcome_for, resolved_statuses,
)
from services.benefits.domain.payouts import BankAccount, OrderKind, OrderState, PaymentOrder
from services.chassis.errors import InvalidArgument, RuleViolation

ACCOUNT = BankAccount("Budi Santoso", "Bank Negara Indonesia", "0123456789")
ORDER_ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
DAY = date(2024, 6, 3)
NO_REASON = StatusReason()


def approved() -> PaymentOrder:
    return PaymentOrder(ORDER_ID, "c-1", "10000000001", "KC-BINJAI", OrderKind.LUMP_SUM, ACCOUNT, 42_000_000,
                        date(2024, 6, 1), state=OrderState.APPROVED, approved_by="fin", approved_on=date(2024, 6, 1))


def report(*transactions: TransactionStatus, group: str = "", reason: StatusReason = NO_REASON) -> StatusReport:
    return StatusReport("B1", DAY, "P1", group, reason, transactions)


def test_an_exported_order_is_paid_or_failed_never_exported_twice():
    sent = approved().exported("P1", DAY)
    assert (sent.state, sent.exported_in) == (OrderState.EXPORTED, "P1")
    with pytest.raises(RuleViolation) as twice:
        sent.exported("P2", DAY)
    assert twice.value.code == "ORDER_NOT_APPROVED" and "P1" in str(twice.value)
    failed = sent.failed(DAY, "AC04", "Closed account")
    assert (failed.state, failed.failure_code, failed.failure_reason) == (OrderState.FAILED, "AC04", "Closed account")
    assert sent.mark_paid("fin", DAY, "BNI-1").state is OrderState.PAID
    with pytest.raises(RuleViolation):
        approved().failed(DAY, "AC04", "")  # only an order sent to the bank fails


@pytest.mark.rule("O-4")
def test_a_reissued_order_is_approved_by_another_officer_and_a_failed_order_reissued_once():
    failed = approved().exported("P1", DAY).failed(DAY, "AC04", "")
    corrected = BankAccount("Budi Santoso", "Bank Mandiri", "1400012345678")
    replaced, new = failed.reissue("0190a1b2-0000-7000-8000-000000000002", corrected, "fin-ani", DAY)
    assert (new.state, new.attempt, new.reissue_of, new.amount, new.beneficiary) == (
        OrderState.PENDING_APPROVAL, 2, ORDER_ID, 42_000_000, corrected)
    assert replaced.reissued_as == new.order_id
    with pytest.raises(RuleViolation) as own:
        new.approve("fin-ani", DAY)
    assert (own.value.rule_id, own.value.code) == ("O-4", "SAME_PERSON")
    assert new.approve("fin-budi", DAY).state is OrderState.APPROVED
    with pytest.raises(RuleViolation) as again:
        replaced.reissue("x", None, "fin-budi", DAY)
    assert again.value.code == "ORDER_ALREADY_REISSUED"
    assert failed.reissue("y", None, "fin-budi", DAY)[1].beneficiary == ACCOUNT  # none given: the same account


def test_each_bank_status_against_each_order_state():
    sent = approved().exported("P1", DAY)
    paid, failed = sent.mark_paid("fin", DAY, "R"), sent.failed(DAY, "AC04", "")
    assert [bank_status(c) for c in ("ACSC", "ACCC", "ACCP", "RJCT", "ACSP", "PDNG")] == [
        BankStatus.PAID, BankStatus.PAID, BankStatus.PAID, BankStatus.FAILED, BankStatus.PENDING, BankStatus.PENDING]
    assert [outcome_for(sent, s) for s in BankStatus] == [Outcome.PAID, Outcome.FAILED, Outcome.PENDING]
    assert [outcome_for(paid, s) for s in BankStatus] == [Outcome.UNCHANGED, Outcome.CONFLICT, Outcome.UNCHANGED]
    assert [outcome_for(failed, s) for s in BankStatus] == [Outcome.CONFLICT, Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert outcome_for(None, BankStatus.PAID) is Outcome.UNKNOWN


def test_the_groups_status_and_reason_stand_in_for_what_a_transaction_does_not_say():
    sent = approved().exported("P1", DAY)
    reason = StatusReason("FF01", "Invalid file format")
    [whole] = resolved_statuses(report(group="RJCT", reason=reason), [sent])
    assert (whole.end_to_end_id, whole.status_code, whole.reason) == (end_to_end_id(ORDER_ID), "RJCT", reason)
    own, bare = resolved_statuses(report(TransactionStatus("a", "ACSC"), TransactionStatus("b", ""), group="RJCT",
                                         reason=reason), [sent])
    assert (own.status_code, own.reason, bare.status_code) == ("ACSC", reason, "RJCT")
    with pytest.raises(InvalidArgument):
        resolved_statuses(report(), [sent])  # neither a group nor a transaction status
    with pytest.raises(InvalidArgument):
        resolved_statuses(report(TransactionStatus("a", "")), [sent])


def test_the_order_id_travels_as_32_hex_digits_and_comes_back_either_way():
    assert end_to_end_id(ORDER_ID) == "0190a1b2c3d47e5f8a9b0c1d2e3f4a5b" and len(end_to_end_id(ORDER_ID)) <= 35
    assert order_id_of(end_to_end_id(ORDER_ID)) == order_id_of(ORDER_ID) == ORDER_ID
    assert order_id_of("NOT-AN-ORDER") is None and order_id_of("z" * 32) is None


def test_a_report_is_dated_between_the_export_and_today():
    check_report_day(report(), date(2024, 6, 3), DAY)
    with pytest.raises(InvalidArgument):
        check_report_day(replace(report(), created_on=date(2024, 6, 4)), date(2024, 6, 3), DAY)
    with pytest.raises(InvalidArgument):
        check_report_day(replace(report(), created_on=date(2024, 6, 2)), date(2024, 6, 3), DAY)
