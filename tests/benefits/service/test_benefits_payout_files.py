"""Payout files for the bank through the real gRPC server (SQLite): approved orders into one
pain.001.001.09 file read back here, the bank's pain.002 reports built here by hand:
accepted, mixed with pending and unknown ids, a group-level rejection, the same report
twice, malformed and hostile XML, a report of a file never sent, another branch (O-2).

Each test exports the orders it approved, so no test's file holds another's orders."""
from __future__ import annotations

from xml.etree import ElementTree as ET

import grpc
import pytest

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.benefits.v1 import payouts_pb2 as ppb
from tests.benefits.service.payout_file_support import (
    PAIN001, approved_order, e2e, export, get_order, import_status, outcomes, pain002,
)
from tests.benefits.service.support import FINANCE, SERVICE, Callers, outbox, rid
from tests.service_harness import rule_of, violated_fields, violation_code_of

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document><CstmrPmtStsRpt><GrpHdr><MsgId>&lol3;</MsgId></GrpHdr></CstmrPmtStsRpt></Document>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document><CstmrPmtStsRpt><GrpHdr><MsgId>&xxe;</MsgId></GrpHdr></CstmrPmtStsRpt></Document>"""


@pytest.fixture(scope="module")
def medan(service, feed):
    return Callers(service.channel, office="KC-MEDAN")


def refused(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value


def claim_of(callers, claim_id: str) -> pb.Claim:
    return callers.claims(SERVICE).GetClaim(pb.GetClaimRequest(claim_id=claim_id)).claim


def test_export_writes_one_pain001_with_the_totals_and_a_transaction_per_approved_order(service, feed, callers):
    first, second = approved_order(feed, callers, 12_500_000), approved_order(feed, callers, 7_250_300)
    header, content = export(callers, request_id="export-once")
    assert (header.transactions, header.control_sum.rupiah) == (2, 19_750_300)  # 12,500,000 + 7,250,300
    assert set(header.order_ids) == {first.order_id, second.order_id} and header.scheme == "pain.001.001.09"
    assert header.size_bytes == len(content) and not header.more_waiting

    root = ET.fromstring(content)  # our own file: read back to check its structure
    assert root.tag == "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}Document"
    group = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", PAIN001)
    assert (group.findtext("p:MsgId", namespaces=PAIN001), group.findtext("p:NbOfTxs", namespaces=PAIN001),
            group.findtext("p:CtrlSum", namespaces=PAIN001)) == (header.msg_id, "2", "19750300")
    assert len(header.msg_id) <= 35 and group.findtext("p:CreDtTm", namespaces=PAIN001)
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", PAIN001)
    assert info.findtext("p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=PAIN001) == "0011223344"  # the configured debtor
    assert info.findtext("p:DbtrAgt/p:FinInstnId/p:BICFI", namespaces=PAIN001) == "BNINIDJA"
    assert info.findtext("p:ReqdExctnDt/p:Dt", namespaces=PAIN001) == "2024-06-03"
    transactions = {tx.findtext("p:PmtId/p:EndToEndId", namespaces=PAIN001): tx
                    for tx in info.findall("p:CdtTrfTxInf", PAIN001)}
    assert set(transactions) == {e2e(first.order_id), e2e(second.order_id)}
    tx = transactions[e2e(second.order_id)]
    amount = tx.find("p:Amt/p:InstdAmt", PAIN001)
    assert (amount.text, amount.get("Ccy")) == ("7250300", "IDR")  # whole rupiah, no decimals
    assert tx.findtext("p:Cdtr/p:Nm", namespaces=PAIN001) == "Budi Santoso"
    assert tx.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=PAIN001) == "0123456789"
    assert second.claim_id in tx.findtext("p:RmtInf/p:Ustrd", namespaces=PAIN001)

    exported = get_order(callers, first.order_id)
    assert (exported.state, exported.exported_in) == (ppb.PAYMENT_ORDER_STATE_EXPORTED, header.msg_id)
    again, same = export(callers, request_id="export-once")  # a retry: the same file, not a second one
    assert (again.msg_id, same) == (header.msg_id, content)
    nothing = refused(lambda: export(callers))  # a new export: the orders are not taken twice
    assert rule_of(nothing) == "O-3" and violation_code_of(nothing) == "NOTHING_TO_EXPORT"

    kept = list(callers.payouts(FINANCE).GetPayoutFile(ppb.GetPayoutFileRequest(msg_id=header.msg_id)))
    assert kept[0].file.msg_id == header.msg_id and b"".join(p.chunk for p in kept[1:]) == content


@pytest.mark.rule("O-2")
def test_another_branch_neither_reads_the_file_nor_exports_for_the_branch(service, feed, callers, medan):
    order = approved_order(feed, callers, 3_000_000)
    header, _ = export(callers, order_ids=(order.order_id,))
    hidden = refused(lambda: list(medan.payouts(FINANCE).GetPayoutFile(ppb.GetPayoutFileRequest(msg_id=header.msg_id))))
    assert hidden.code() == grpc.StatusCode.NOT_FOUND
    other = refused(lambda: list(medan.payouts(FINANCE).ExportPayoutFile(ppb.ExportPayoutFileRequest(
        request_id=rid(), branch_code="KC-BINJAI"))))
    assert other.code() == grpc.StatusCode.PERMISSION_DENIED
    named = refused(lambda: export(medan, order_ids=(order.order_id,)))
    assert named.code() == grpc.StatusCode.NOT_FOUND


def test_an_accepted_report_pays_the_orders_and_their_claims_once(service, feed, callers):
    first, second = approved_order(feed, callers, 4_000_000), approved_order(feed, callers, 6_500_000)
    header, _ = export(callers)
    report = pain002(header.msg_id, [(e2e(first.order_id), "ACSC", "", ""), (e2e(second.order_id), "ACCP", "", "")],
                     msg_id="BNI-STS-ACCEPTED", reference="BNI-TRX")
    answer = import_status(callers, report)
    assert (answer.paid, answer.failed, answer.already_imported, answer.original_msg_id) == (2, 0, False, header.msg_id)
    paid = get_order(callers, first.order_id)
    assert (paid.state, paid.bank_reference, (paid.paid_on.year, paid.paid_on.month, paid.paid_on.day)) == (
        ppb.PAYMENT_ORDER_STATE_PAID, "BNI-TRX-1", (2024, 6, 3))  # the report's day
    assert claim_of(callers, first.claim_id).state == pb.CLAIM_STATE_PAID
    assert [e.amount.rupiah for e in outbox(service, benefits_events.ClaimPaid, second.claim_id)] == [6_500_000]

    again = import_status(callers, report)  # the same report, another request: nothing changes
    assert again.already_imported and outcomes(again) == [(e2e(first.order_id), "UNCHANGED"),
                                                          (e2e(second.order_id), "UNCHANGED")]
    assert len(outbox(service, benefits_events.ClaimPaid, second.claim_id)) == 1
    altered = pain002(header.msg_id, [(e2e(first.order_id), "RJCT", "AC04", "")], msg_id="BNI-STS-ACCEPTED")
    twice = refused(lambda: import_status(callers, altered))  # its MsgId again, other content
    assert violation_code_of(twice) == "REPORT_ALREADY_IMPORTED"


@pytest.mark.rule("O-2")
def test_a_mixed_report_fails_pends_and_reports_ids_not_in_the_file_as_unknown(service, feed, callers, medan):
    earlier = approved_order(feed, callers, 1_000_000)
    earlier_file, _ = export(callers)
    theirs = approved_order(feed, medan, 2_000_000)  # KC-MEDAN's order in KC-MEDAN's file
    export(medan)
    paid, rejected, pending = (approved_order(feed, callers, amount) for amount in (1_100_000, 1_200_000, 1_300_000))
    header, _ = export(callers)
    answer = import_status(callers, pain002(header.msg_id, [
        (paid.order_id, "ACSC", "", ""),  # with hyphens: the order id as it is, taken as well
        (e2e(rejected.order_id), "RJCT", "AM04", "Insufficient funds"),
        (e2e(pending.order_id), "ACSP", "", ""),
        ("NOT-AN-ORDER-OF-OURS", "ACSC", "", ""),
        (e2e(earlier.order_id), "RJCT", "AC01", ""),  # ours, but of another file
        (e2e(theirs.order_id), "ACSC", "", "")]))  # another branch's: unknown here (O-2)
    assert [o for _, o in outcomes(answer)] == ["PAID", "FAILED", "PENDING", "UNKNOWN", "UNKNOWN", "UNKNOWN"]
    assert (answer.paid, answer.failed, answer.pending, answer.unknown) == (1, 1, 1, 3)
    failed = get_order(callers, rejected.order_id)
    assert (failed.state, failed.failure_code, failed.failure_reason) == (
        ppb.PAYMENT_ORDER_STATE_FAILED, "AM04", "Insufficient funds")
    assert claim_of(callers, rejected.claim_id).state == pb.CLAIM_STATE_APPROVED  # not paid by a failed order
    assert outbox(service, benefits_events.ClaimPaid, rejected.claim_id) == []
    assert get_order(callers, pending.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED
    assert get_order(callers, earlier.order_id).exported_in == earlier_file.msg_id
    assert get_order(callers, earlier.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED
    assert get_order(medan, theirs.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED
    later = import_status(callers, pain002(header.msg_id, [(e2e(pending.order_id), "ACSC", "", ""),
                                                           (e2e(rejected.order_id), "ACSC", "", "")]))
    assert [o for _, o in outcomes(later)] == ["PAID", "CONFLICT"]  # a failed order is not paid by a later line


def test_a_group_level_rejection_fails_every_order_of_the_file(service, feed, callers):
    orders = [approved_order(feed, callers, amount) for amount in (800_000, 900_000)]
    header, _ = export(callers)
    answer = import_status(callers, pain002(header.msg_id, group="RJCT", group_reason=("FF01", "Invalid file format")))
    assert sorted(r.order_id for r in answer.results) == sorted(o.order_id for o in orders)
    assert (answer.failed, answer.group_status) == (2, "RJCT")
    for order in orders:
        got = get_order(callers, order.order_id)
        assert (got.state, got.failure_code, got.failure_reason) == (
            ppb.PAYMENT_ORDER_STATE_FAILED, "FF01", "Invalid file format")


@pytest.mark.parametrize("content", [
    pytest.param(BILLION_LAUGHS, id="billion-laughs"),
    pytest.param(EXTERNAL_ENTITY, id="external-entity"),
    pytest.param(b"<Document><CstmrPmtStsRpt><GrpHdr><MsgId>X</MsgId>", id="truncated"),
    pytest.param(b"<Document><BkToCstmrStmt/></Document>", id="not-a-status-report"),
    pytest.param(b"<Document><CstmrPmtStsRpt><GrpHdr><MsgId>B1</MsgId><CreDtTm>2024-06-03T09:00:00</CreDtTm>"
                 b"</GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>P1</OrgnlMsgId></OrgnlGrpInfAndSts></CstmrPmtStsRpt>"
                 b"</Document>", id="no-status-at-all"),
])
def test_a_malformed_or_hostile_report_is_invalid_argument_and_writes_nothing(service, feed, callers, content):
    order = approved_order(feed, callers, 500_000)
    header, _ = export(callers)
    data = content.replace(b"P1", header.msg_id.encode())
    error = refused(lambda: import_status(callers, data))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and violated_fields(error) == {"file"}
    assert get_order(callers, order.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED
    assert violated_fields(refused(lambda: import_status(callers, b""))) == {"chunk"}
    # the file still takes its real answer afterwards: nothing of the refused ones was kept
    assert import_status(callers, pain002(header.msg_id, [(e2e(order.order_id), "ACSC", "", "")])).paid == 1


@pytest.mark.rule("O-2")
def test_a_report_of_a_file_never_sent_or_of_another_branch_is_refused_whole(service, feed, callers, medan):
    order = approved_order(feed, callers, 650_000)
    header, _ = export(callers)
    never = refused(lambda: import_status(callers, pain002("PNEVERSENT0001", [(e2e(order.order_id), "ACSC", "", "")])))
    assert violation_code_of(never) == "UNKNOWN_PAYOUT_FILE" and "PNEVERSENT0001" in never.details()
    theirs = refused(lambda: import_status(medan, pain002(header.msg_id, [(e2e(order.order_id), "ACSC", "", "")])))
    assert violation_code_of(theirs) == "UNKNOWN_PAYOUT_FILE"  # exactly as a file never sent
    future = refused(lambda: import_status(callers, pain002(header.msg_id, [(e2e(order.order_id), "ACSC", "", "")],
                                                            created="2024-06-04T08:00:00")))
    assert violated_fields(future) == {"file"}  # TODAY is 2024-06-03
    assert get_order(callers, order.order_id).state == ppb.PAYMENT_ORDER_STATE_EXPORTED


def test_export_of_named_orders_refuses_one_not_approved_and_bad_ids(service, feed, callers):
    order = approved_order(feed, callers, 720_000)
    header, _ = export(callers, order_ids=(order.order_id,))
    sent_before = refused(lambda: export(callers, order_ids=(order.order_id,)))
    assert violation_code_of(sent_before) == "ORDER_NOT_APPROVED" and header.msg_id in sent_before.details()
    assert violated_fields(refused(lambda: export(callers, order_ids=(" ",)))) == {"order_ids[0]"}
    missing = refused(lambda: export(callers, order_ids=("0190ffff-0000-7000-8000-00000000abcd",)))
    assert missing.code() == grpc.StatusCode.NOT_FOUND
