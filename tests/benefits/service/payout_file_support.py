"""Payout files under test: approved orders of known amounts (JHT balances settled by a
contributions-shaped JhtSettled), the export read back, and the bank's pain.002 reports
built here by hand with ElementTree, as a bank would write them."""
from __future__ import annotations

from datetime import date
from xml.etree import ElementTree as ET

from jamsos.benefits.v1 import payouts_pb2 as ppb
from tests.benefits.service.support import FINANCE, approved_jht, jht_settled, member, rid

PAIN001 = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
PAIN002_NS = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"


def approved_order(feed, callers, amount: int, *, approver: str | None = None) -> ppb.PaymentOrder:
    """A JHT claim of a member aged over 55, settled at `amount`, its order approved by finance."""
    kpj, _ = member(feed, born=date(1960, 1, 15), branch=callers.office)
    claim = approved_jht(callers, kpj)
    assert feed(jht_settled(kpj, claim.claim_id, amount), producer="contributions") == ["applied"]
    finance = callers.payouts(FINANCE, user=approver)
    [order] = [o for o in finance.ListPaymentOrders(ppb.ListPaymentOrdersRequest(
        state=ppb.PAYMENT_ORDER_STATE_PENDING_APPROVAL)).orders if o.claim_id == claim.claim_id]
    return finance.ApprovePaymentOrder(ppb.ApprovePaymentOrderRequest(request_id=rid(), order_id=order.order_id)).order


def export(callers, *, order_ids: tuple[str, ...] = (), request_id: str | None = None, office: str | None = None
           ) -> tuple[ppb.PayoutFile, bytes]:
    parts = list(callers.payouts(FINANCE, office=office).ExportPayoutFile(ppb.ExportPayoutFileRequest(
        request_id=request_id or rid("export"), order_ids=list(order_ids))))
    assert parts[0].WhichOneof("part") == "file" and all(p.WhichOneof("part") == "chunk" for p in parts[1:])
    return parts[0].file, b"".join(p.chunk for p in parts[1:])


def get_order(callers, order_id: str) -> ppb.PaymentOrder:
    return callers.payouts(FINANCE).GetPaymentOrder(ppb.GetPaymentOrderRequest(order_id=order_id)).order


def e2e(order_id: str) -> str:
    """The EndToEndId the file gave the order (its hex digits), as the bank echoes it."""
    return order_id.replace("-", "")


def pain002(original_msg_id: str, transactions: list[tuple[str, str, str, str]] = (), *, msg_id: str = "",
            created: str = "2024-06-03T10:15:00+07:00", group: str = "", group_reason: tuple[str, str] = ("", ""),
            reference: str = "") -> bytes:
    """A bank's status report: (end-to-end id, TxSts, reason code, reason text) per transaction."""
    ET.register_namespace("", PAIN002_NS)
    q = lambda tag: f"{{{PAIN002_NS}}}{tag}"  # noqa: E731 - the namespace, short

    def sub(parent, tag, text=None):
        element = ET.SubElement(parent, q(tag))
        if text is not None:
            element.text = text
        return element

    def reason(parent, code, text):
        if code or text:
            info = sub(parent, "StsRsnInf")
            if code:
                sub(sub(info, "Rsn"), "Cd", code)
            if text:
                sub(info, "AddtlInf", text)

    document = ET.Element(q("Document"))
    report = sub(document, "CstmrPmtStsRpt")
    header = sub(report, "GrpHdr")
    sub(header, "MsgId", msg_id or rid("BANK")[:35])
    sub(header, "CreDtTm", created)
    original = sub(report, "OrgnlGrpInfAndSts")
    sub(original, "OrgnlMsgId", original_msg_id)
    sub(original, "OrgnlMsgNmId", "pain.001.001.09")
    if group:
        sub(original, "GrpSts", group)
    reason(original, *group_reason)
    if transactions:
        info = sub(report, "OrgnlPmtInfAndSts")
        sub(info, "OrgnlPmtInfId", original_msg_id)
        for number, (end_to_end, status, code, text) in enumerate(transactions, 1):
            tx = sub(info, "TxInfAndSts")
            sub(tx, "StsId", f"STS{number}")
            sub(tx, "OrgnlEndToEndId", end_to_end)
            if status:
                sub(tx, "TxSts", status)
            reason(tx, code, text)
            if reference:
                sub(tx, "AcctSvcrRef", f"{reference}-{number}")
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


def import_status(callers, data: bytes, *, request_id: str | None = None, office: str | None = None,
                  chunk: int = 700) -> ppb.ImportPayoutStatusResponse:
    """Sends the report in small chunks (the stream is reassembled by the service)."""
    def messages():
        for start in range(0, len(data), chunk):
            message = ppb.ImportPayoutStatusRequest(chunk=data[start:start + chunk])
            if start == 0:
                message.request_id = request_id or rid("status")
            yield message
    return callers.payouts(FINANCE, office=office).ImportPayoutStatus(messages())


def outcomes(response: ppb.ImportPayoutStatusResponse) -> list[tuple[str, str]]:
    return [(r.end_to_end_id, ppb.PayoutStatusOutcome.Name(r.outcome).removeprefix("PAYOUT_STATUS_OUTCOME_"))
            for r in response.results]
