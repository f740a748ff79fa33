"""The "next statement" route through the real gRPC server (SQLite): the payout account's
camt.053 statement, built here by hand as a bank writes it, marks the exported orders its
debits show PAID (the claim PAID, ClaimPaid, PaymentOrderPaid) and a returned or reversed
one FAILED (PaymentOrderFailed); ids of no order are reported, another amount is a
conflict; the same file twice changes nothing; another currency, totals that do not add
up, another account, hostile XML are refused whole."""
from __future__ import annotations

import grpc
import pytest

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.benefits.v1 import payouts_pb2 as ppb
from tests.benefits.service.payout_file_support import (
    approved_order, e2e, export, get_order, import_statement, outcomes, payout_statement,
)
from tests.benefits.service.support import FINANCE, SERVICE, outbox
from tests.benefits.service.test_benefits_payout_files import BILLION_LAUGHS
from tests.service_harness import rule_of, violated_fields, violation_code_of


def send(callers, data: bytes, **kwargs) -> ppb.ImportPayoutStatementResponse:
    return import_statement(callers.payouts(FINANCE), data, ppb.ImportPayoutStatementRequest, **kwargs)


def refused(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value


def test_a_debit_of_the_order_pays_it_and_its_claim_and_the_same_file_twice_changes_nothing(service, feed, callers):
    order = approved_order(feed, callers, 3_250_000)
    header, _ = export(callers)
    statement = payout_statement([(e2e(order.order_id), -3_250_000, ""), ("NOTPROVIDED", -6_500, "")],
                                 statement="STMT-PAID-1")  # the second: the bank's fee, no order
    answer = send(callers, statement)
    assert (answer.paid, answer.other_entries, answer.statement_id, answer.already_imported) == (
        1, 1, "STMT-PAID-1", False)
    assert outcomes(answer) == [(e2e(order.order_id), "PAID")] and answer.results[0].status_code == "DBIT"
    paid = get_order(callers, order.order_id)
    assert (paid.state, paid.bank_reference, paid.exported_in) == (ppb.PAYMENT_ORDER_STATE_PAID, "BNI-STMT-1",
                                                                   header.msg_id)
    claim = callers.claims(SERVICE).GetClaim(pb.GetClaimRequest(claim_id=order.claim_id)).claim
    assert claim.state == pb.CLAIM_STATE_PAID
    [event] = outbox(service, benefits_events.PaymentOrderPaid, order.claim_id)
    assert (event.order_id, event.amount.rupiah, event.bank_reference) == (order.order_id, 3_250_000, "BNI-STMT-1")

    again = send(callers, statement)
    assert again.already_imported and outcomes(again) == [(e2e(order.order_id), "UNCHANGED")]
    assert len(outbox(service, benefits_events.ClaimPaid, order.claim_id)) == 1
    other = payout_statement([(e2e(order.order_id), -3_250_000, "")], statement="STMT-PAID-1", opening=5)
    twice = refused(lambda: send(callers, other))  # its id again, other content
    assert rule_of(twice) == "O-3" and violation_code_of(twice) == "STATEMENT_ALREADY_IMPORTED"


def test_a_returned_or_reversed_payment_fails_its_order_with_the_reason(service, feed, callers):
    returned, reversed_ = approved_order(feed, callers, 1_100_000), approved_order(feed, callers, 2_200_000)
    export(callers)
    answer = send(callers, payout_statement([(e2e(returned.order_id), 1_100_000, "AC04"),
                                             (e2e(reversed_.order_id), 2_200_000, "")], reversal=(1,)))
    assert answer.failed == 2 and [r.status_code for r in answer.results] == ["CRDT", "RVSL"]
    first, second = get_order(callers, returned.order_id), get_order(callers, reversed_.order_id)
    assert (first.state, first.failure_code, second.state, second.failure_code) == (
        ppb.PAYMENT_ORDER_STATE_FAILED, "AC04", ppb.PAYMENT_ORDER_STATE_FAILED, "RTND")
    [event] = outbox(service, benefits_events.PaymentOrderFailed, returned.claim_id)
    assert (event.order_id, event.reason_code, event.amount.rupiah) == (returned.order_id, "AC04", 1_100_000)
    claim = callers.claims(SERVICE).GetClaim(pb.GetClaimRequest(claim_id=returned.claim_id)).claim
    assert claim.state == pb.CLAIM_STATE_APPROVED  # waits for a re-issued order


def test_a_bulk_debit_pays_each_transaction_and_another_amount_or_id_is_not_guessed(service, feed, callers):
    a, b, c = (approved_order(feed, callers, amount) for amount in (500_000, 700_000, 900_000))
    export(callers)
    stranger = "0190aaaa00007000800000000000beef"
    answer = send(callers, payout_statement([(e2e(a.order_id), -500_000, ""), (e2e(b.order_id), -700_000, ""),
                                             (e2e(c.order_id), -899_000, ""), (stranger, -1_000, "")], bulk=True))
    assert outcomes(answer) == [(e2e(a.order_id), "PAID"), (e2e(b.order_id), "PAID"), (e2e(c.order_id), "CONFLICT"),
                                (stranger, "UNKNOWN")]
    assert get_order(callers, c.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED  # left for finance


@pytest.mark.parametrize("case", ["currency", "totals", "declared", "account", "xml-bomb", "truncated"])
def test_a_statement_that_is_not_the_payout_accounts_as_it_should_be_is_refused_whole(service, feed, callers, case):
    order = approved_order(feed, callers, 400_000)
    export(callers)
    line = [(e2e(order.order_id), -400_000, "")]
    content = {"currency": payout_statement(line, currency="USD"),
               "totals": payout_statement(line, closing=123),
               "declared": payout_statement(line, debits=(2, 400_000)),  # the bank says 2 debits, the file holds 1
               "account": payout_statement(line, account="9999888877"),
               "xml-bomb": BILLION_LAUGHS,
               "truncated": payout_statement(line)[:-40]}[case]
    error = refused(lambda: send(callers, content))
    if case == "account":
        assert rule_of(error) == "O-3" and violation_code_of(error) == "NOT_THE_PAYOUT_ACCOUNT"
    else:
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(error) == {"file"}
    assert ("USD" in error.details()) == (case == "currency")
    assert ("declares 2 debit entries of Rp400,000.00, the file holds 1" in error.details()) == (case == "declared")
    assert get_order(callers, order.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED  # nothing written
