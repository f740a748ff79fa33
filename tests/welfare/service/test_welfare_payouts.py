"""Welfare's payment orders through the real gRPC server (SQLite): a scholarship's payment
(W-S-1), a cooperative loan's disbursement (W-K-3) and a PUMP's transfer (W-P-4) each made
an order, approved by a second officer (O-4), exported in a pain.001.001.09 file read back
here, and marked by the bank's pain.002 built here by hand: paid (the scholarship's payment
recorded), rejected and re-issued, ids not in the file, the same report twice, a report of
a file never sent, hostile XML, another branch (O-2); and by the payout account's camt.053
statement (paid, returned, the same file twice, another currency, totals or account).

Each test exports the orders it approved, so no file holds another test's orders."""
from __future__ import annotations

from xml.etree import ElementTree as ET

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.welfare.v1 import common_pb2, events_pb2, loans_pb2, loans_pb2_grpc
from jamsos.welfare.v1 import payouts_pb2 as ppb
from jamsos.welfare.v1 import scholarships_pb2 as spb
from tests.benefits.service.test_benefits_payout_files import BILLION_LAUGHS, EXTERNAL_ENTITY
from tests.benefits.service.payout_file_support import import_statement, payout_statement
from tests.welfare.service.payout_support import (
    ACCOUNT, PAIN001, REPORTED, approve, awarded_scholarship, e2e, export, get_order, import_status, loan_order,
    outcomes, pain002, payouts, pump_order, scholarship_order,
)
from tests.welfare.service.support import rid, rule_of, umk_version, violated_fields, violation_code_of
from tests.welfare.service.test_welfare_events import published
from tests.welfare.service.test_welfare_scholarships import scholarships


@pytest.fixture(scope="module", autouse=True)
def funded(welfare):
    welfare.fund()
    welfare.feed(umk_version("KC-BINJAI", 2_900_000))


def refused(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value


def payment(welfare, application_id: str, number: int) -> spb.ScholarshipPayment:
    found = scholarships(welfare).GetScholarshipApplication(spb.GetScholarshipApplicationRequest(
        application_id=application_id)).application
    return found.payments[number - 1]


@pytest.mark.rule("W-S-1", "O-4")
def test_a_scholarship_payment_is_ordered_approved_by_another_officer_exported_and_paid_by_the_bank(welfare):
    application_id = awarded_scholarship(welfare)
    order = scholarship_order(welfare, application_id, 1)
    assert (order.state, order.amount.rupiah, order.rule_id, order.created_by) == (
        ppb.PAYMENT_ORDER_STATE_PENDING_APPROVAL, 200_000, "W-S-1", "fin-ani")
    own = refused(lambda: approve(welfare, order.order_id, user="fin-ani"))  # the creator does not approve it
    assert rule_of(own) == "O-4" and violation_code_of(own) == "SAME_PERSON"
    twice = refused(lambda: scholarship_order(welfare, application_id, 1, user="fin-budi"))
    assert rule_of(twice) == "W-S-1" and violation_code_of(twice) == "PAYMENT_ALREADY_ORDERED"
    approve(welfare, order.order_id)

    header, content = export(welfare, request_id="welfare-export-once")
    assert (header.transactions, header.control_sum.rupiah, list(header.order_ids)) == (1, 200_000, [order.order_id])
    root = ET.fromstring(content)
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:InitgPty/p:Nm", namespaces=PAIN001) == "JAMSOS WELFARE"
    assert root.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=PAIN001) == "0099887766"
    [tx] = root.findall("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", PAIN001)
    amount = tx.find("p:Amt/p:InstdAmt", PAIN001)
    assert (tx.findtext("p:PmtId/p:EndToEndId", namespaces=PAIN001), amount.text, amount.get("Ccy")) == (
        e2e(order.order_id), "200000", "IDR")
    assert application_id in tx.findtext("p:RmtInf/p:Ustrd", namespaces=PAIN001)
    assert export(welfare, request_id="welfare-export-once") == (header, content)  # a retry: the same file
    nothing = refused(lambda: export(welfare))
    assert rule_of(nothing) == "O-3" and violation_code_of(nothing) == "NOTHING_TO_EXPORT"

    report = pain002(header.msg_id, [(e2e(order.order_id), "ACSC", "", "")], created=REPORTED, reference="BNI")
    answer = import_status(welfare, report)
    assert (answer.paid, outcomes(answer)) == (1, [(e2e(order.order_id), "PAID")])
    paid = get_order(welfare, order.order_id)
    assert (paid.state, paid.bank_reference, paid.paid_on.day) == (ppb.PAYMENT_ORDER_STATE_PAID, "BNI-1", 30)
    first = payment(welfare, application_id, 1)
    assert (first.paid_on.day, first.bank_reference) == (30, "BNI-1")  # W-S-1: the payment recorded paid
    [event] = published(welfare, events_pb2.PaymentOrderPaid, application_id)
    assert (event.order_id, event.payment_number, event.amount.rupiah, event.payout_file_msg_id) == (
        order.order_id, 1, 200_000, header.msg_id)

    again = import_status(welfare, report)  # the same file again: nothing changes
    assert again.already_imported and (again.paid, outcomes(again)) == (0, [(e2e(order.order_id), "UNCHANGED")])
    assert len(published(welfare, events_pb2.PaymentOrderPaid, application_id)) == 1
    done = refused(lambda: scholarship_order(welfare, application_id, 1, user="fin-budi"))
    assert violation_code_of(done) == "PAYMENT_ALREADY_PAID"


@pytest.mark.rule("W-K-3", "O-4")
def test_a_rejected_loan_disbursement_fails_and_is_reissued_to_a_corrected_account(welfare):
    ordered = loan_order(welfare)
    order = ordered.order
    assert (order.program, order.amount.rupiah, order.rule_id) == (common_pb2.PROGRAM_COOPERATIVE_LOAN, 120_000_000,
                                                                   "W-K-3")
    loan = welfare.stub(loans_pb2_grpc.LoanServiceStub, "KC-BINJAI", "FINANCE_OFFICER").GetLoan(
        loans_pb2.GetLoanRequest(loan_id=ordered.loan_id)).loan
    assert loan.status == loans_pb2.LOAN_STATUS_ACTIVE  # the disbursement itself: the fund debited, LoanDisbursed
    assert published(welfare, events_pb2.LoanDisbursed, ordered.loan_id)
    approve(welfare, order.order_id)
    header, _ = export(welfare)
    rejected = import_status(welfare, pain002(header.msg_id, [(e2e(order.order_id), "RJCT", "AC04", "Closed account")],
                                              created=REPORTED))
    assert (rejected.failed, outcomes(rejected)) == (1, [(e2e(order.order_id), "FAILED")])
    failed = get_order(welfare, order.order_id)
    assert (failed.state, failed.failure_code, failed.failure_reason) == (ppb.PAYMENT_ORDER_STATE_FAILED, "AC04",
                                                                          "Closed account")
    [event] = published(welfare, events_pb2.PaymentOrderFailed, order.application_id)
    assert (event.order_id, event.reason_code, event.amount.rupiah, event.attempt) == (order.order_id, "AC04",
                                                                                       120_000_000, 1)

    corrected = ppb.PayeeAccount(holder_name=ACCOUNT.holder_name, bank_name="Bank Mandiri",
                                 account_number="1400012345678")
    new = payouts(welfare, user="fin-citra").ReissuePaymentOrder(ppb.ReissuePaymentOrderRequest(
        request_id=rid(), order_id=order.order_id, beneficiary=corrected)).order
    assert (new.attempt, new.reissue_of, new.amount.rupiah, new.beneficiary.bank_name) == (
        2, order.order_id, 120_000_000, "Bank Mandiri")
    own = refused(lambda: approve(welfare, new.order_id, user="fin-citra"))
    assert rule_of(own) == "O-4" and violation_code_of(own) == "SAME_PERSON"
    again = refused(lambda: payouts(welfare).ReissuePaymentOrder(ppb.ReissuePaymentOrderRequest(
        request_id=rid(), order_id=order.order_id)))
    assert violation_code_of(again) == "ORDER_ALREADY_REISSUED"
    approve(welfare, new.order_id, user="fin-budi")
    second, _ = export(welfare)
    paid = import_status(welfare, pain002(second.msg_id, [(e2e(new.order_id), "ACSC", "", "")], created=REPORTED))
    assert paid.paid == 1 and get_order(welfare, new.order_id).state == ppb.PAYMENT_ORDER_STATE_PAID


@pytest.mark.rule("W-P-4")
def test_a_pump_transfer_to_the_developer_is_one_order_of_the_region(welfare):
    ordered = pump_order(welfare)
    assert (ordered.order.program, ordered.order.amount.rupiah, ordered.order.branch_code, len(ordered.loan_ids)) == (
        common_pb2.PROGRAM_PUMP, 15_000_000, "KC-BINJAI", 1)
    assert ordered.order.rule_id == "W-P-4" and ordered.order.created_by == "rina"
    branch_only = refused(lambda: payouts(welfare).OrderPumpTransfer(ppb.OrderPumpTransferRequest(
        request_id=rid(), application_id=ordered.order.application_id, beneficiary=ACCOUNT)))
    assert branch_only.code() == grpc.StatusCode.PERMISSION_DENIED and branch_only.details().startswith("W-P-4")
    approve(welfare, ordered.order.order_id)
    header, _ = export(welfare)
    assert list(header.order_ids) == [ordered.order.order_id]


def test_unknown_ids_are_reported_and_a_report_of_a_file_never_sent_is_refused_whole(welfare):
    order = approve(welfare, scholarship_order(welfare, awarded_scholarship(welfare)).order_id)
    header, _ = export(welfare)
    stranger = "0190aaaa00007000800000000000beef"
    mixed = import_status(welfare, pain002(header.msg_id, [(e2e(order.order_id), "PDNG", "", ""),
                                                           (stranger, "ACSC", "", ""), ("NOT-OURS", "ACSC", "", "")],
                                           created=REPORTED))
    assert outcomes(mixed) == [(e2e(order.order_id), "PENDING"), (stranger, "UNKNOWN"), ("NOT-OURS", "UNKNOWN")]
    assert get_order(welfare, order.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED
    never = refused(lambda: import_status(welfare, pain002("PNEVERSENT0001", [(e2e(order.order_id), "ACSC", "", "")],
                                                           created=REPORTED)))
    assert rule_of(never) == "O-3" and violation_code_of(never) == "UNKNOWN_PAYOUT_FILE"
    theirs = refused(lambda: import_status(welfare, pain002(header.msg_id, [(e2e(order.order_id), "ACSC", "", "")],
                                                            created=REPORTED), office="KC-MEDAN"))
    assert violation_code_of(theirs) == "UNKNOWN_PAYOUT_FILE"  # another branch's file: as one never sent (O-2)
    hidden = refused(lambda: payouts(welfare, "KC-MEDAN").GetPaymentOrder(ppb.GetPaymentOrderRequest(
        order_id=order.order_id)))
    assert hidden.code() == grpc.StatusCode.NOT_FOUND
    assert get_order(welfare, order.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"<Document><CstmrPmtStsRpt><GrpHdr>"],
                         ids=["xml-bomb", "external-entity", "truncated"])
def test_a_hostile_or_malformed_report_is_invalid_argument_and_writes_nothing(welfare, content):
    before = _reports(welfare)
    error = refused(lambda: import_status(welfare, content))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(error) == {"file"}
    assert _reports(welfare) == before  # nothing recorded


def test_an_order_needs_the_beneficiary_and_an_awarded_payment(welfare):
    application_id = awarded_scholarship(welfare)
    bare = refused(lambda: payouts(welfare).OrderScholarshipPayment(ppb.OrderScholarshipPaymentRequest(
        request_id=rid(), application_id=application_id, number=2)))
    assert violated_fields(bare) == {"beneficiary"}
    bad = refused(lambda: payouts(welfare).OrderScholarshipPayment(ppb.OrderScholarshipPaymentRequest(
        request_id=rid(), application_id=application_id, number=2,
        beneficiary=ppb.PayeeAccount(holder_name="Budi", bank_name="BNI", account_number="12ab"))))
    assert violated_fields(bad) == {"beneficiary.account_number"}
    beyond = refused(lambda: scholarship_order(welfare, application_id, 13))
    assert rule_of(beyond) == "W-S-1" and violation_code_of(beyond) == "NO_SUCH_PAYMENT"
    theirs = refused(lambda: payouts(welfare, "KC-MEDAN").OrderScholarshipPayment(ppb.OrderScholarshipPaymentRequest(
        request_id=rid(), application_id=application_id, number=2, beneficiary=ACCOUNT)))
    assert theirs.code() == grpc.StatusCode.NOT_FOUND  # O-2


def _reports(welfare) -> int:
    from services.welfare.adapters.payout_tables import payout_files
    with welfare.runtime.app.ctx.base.read_session() as session:
        return session.execute(select(func.count()).select_from(payout_files.reports)).scalar_one()


def send_statement(welfare, data: bytes) -> ppb.ImportPayoutStatementResponse:
    return import_statement(payouts(welfare), data, ppb.ImportPayoutStatementRequest)


def statement(entries, **kwargs) -> bytes:
    return payout_statement(entries, account="0099887766", day="2025-06-30", **kwargs)


@pytest.mark.rule("W-S-1", "W-K-3")
def test_the_payout_accounts_statement_pays_a_scholarship_and_returns_a_loan_disbursement(welfare):
    application_id = awarded_scholarship(welfare)
    scholarship = approve(welfare, scholarship_order(welfare, application_id, 2).order_id)
    loan = approve(welfare, loan_order(welfare).order.order_id)
    export(welfare)
    content = statement([(e2e(scholarship.order_id), -200_000, ""), (e2e(loan.order_id), 120_000_000, "AC01")])
    answer = send_statement(welfare, content)
    assert outcomes(answer) == [(e2e(scholarship.order_id), "PAID"), (e2e(loan.order_id), "FAILED")]
    assert payment(welfare, application_id, 2).bank_reference == "BNI-STMT-1"  # W-S-1: recorded paid
    failed = get_order(welfare, loan.order_id)
    assert (failed.state, failed.failure_code) == (ppb.PAYMENT_ORDER_STATE_FAILED, "AC01")
    [event] = published(welfare, events_pb2.PaymentOrderFailed, loan.application_id)
    assert event.reason_code == "AC01"
    again = send_statement(welfare, content)  # the same file: nothing changes
    assert again.already_imported and {o for _, o in outcomes(again)} == {"UNCHANGED"}
    assert len(published(welfare, events_pb2.PaymentOrderPaid, application_id)) == 1


@pytest.mark.parametrize("case", ["currency", "totals", "account"])
def test_a_statement_in_another_currency_out_of_balance_or_of_another_account_is_refused_whole(welfare, case):
    order = approve(welfare, scholarship_order(welfare, awarded_scholarship(welfare)).order_id)
    export(welfare)
    line = [(e2e(order.order_id), -200_000, "")]
    content = {"currency": statement(line, currency="USD"), "totals": statement(line, closing=1),
               "account": payout_statement(line, account="0011223344", day="2025-06-30")}[case]
    error = refused(lambda: send_statement(welfare, content))
    if case == "account":
        assert violation_code_of(error) == "NOT_THE_PAYOUT_ACCOUNT"
    else:
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(error) == {"file"}
    assert get_order(welfare, order.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED
