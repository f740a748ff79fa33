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


CAMT053_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def payout_statement(entries: list[tuple[str, int, str]], *, account: str = "0011223344", currency: str = "IDR",
                     statement: str = "", day: str = "2024-06-03", opening: int = 1_000_000_000,
                     closing: int | None = None, reversal: tuple[int, ...] = (), bulk: bool = False,
                     debits: tuple[int, int] | None = None) -> bytes:
    """The payout account's camt.053 as a bank writes it: per entry (end-to-end id, rupiah
    signed: a debit negative, return reason); entries whose index is in `reversal` carry
    RvslInd; `bulk` books every entry as one debit of many transactions; `debits` (number,
    rupiah) is the TxsSummry/TtlDbtNtries the bank declares."""
    ET.register_namespace("", CAMT053_NS)
    q = lambda tag: f"{{{CAMT053_NS}}}{tag}"  # noqa: E731 - the namespace, short

    def sub(parent, tag, text=None, **attributes):
        element = ET.SubElement(parent, q(tag), **attributes)
        if text is not None:
            element.text = text
        return element

    def amount(parent, rupiah: int, tag: str = "Amt"):
        return sub(parent, tag, f"{abs(rupiah)}.00", Ccy=currency)

    def balance(parent, code: str, rupiah: int):
        bal = sub(parent, "Bal")
        sub(sub(sub(bal, "Tp"), "CdOrPrtry"), "Cd", code)
        amount(bal, rupiah)
        sub(bal, "CdtDbtInd", "DBIT" if rupiah < 0 else "CRDT")
        sub(sub(bal, "Dt"), "Dt", day)

    def transaction(details, end_to_end: str, rupiah: int, reason: str, own_amount: bool):
        tx = sub(details, "TxDtls")
        sub(sub(tx, "Refs"), "EndToEndId", end_to_end)
        if own_amount:  # a transaction of a bulk entry: its own amount
            amount(sub(sub(tx, "AmtDtls"), "TxAmt"), rupiah)
        if reason:
            sub(sub(sub(tx, "RtrInf"), "Rsn"), "Cd", reason)

    def entry(parent, number: int, rupiah: int, transactions: list[tuple[str, int, str]], reversed_: bool):
        ntry = sub(parent, "Ntry")
        amount(ntry, rupiah)
        sub(ntry, "CdtDbtInd", "DBIT" if rupiah < 0 else "CRDT")
        if reversed_:
            sub(ntry, "RvslInd", "true")
        sub(sub(ntry, "Sts"), "Cd", "BOOK")
        sub(sub(ntry, "BookgDt"), "Dt", day)
        sub(ntry, "AcctSvcrRef", f"BNI-STMT-{number}")
        details = sub(ntry, "NtryDtls")
        for end_to_end, part, reason in transactions:
            transaction(details, end_to_end, part, reason, own_amount=len(transactions) > 1)

    document = ET.Element(q("Document"))
    statement_element = sub(sub(document, "BkToCstmrStmt"), "Stmt")
    sub(statement_element, "Id", statement or rid("STMT")[:35])
    sub(sub(sub(sub(statement_element, "Acct"), "Id"), "Othr"), "Id", account)
    net = sum(r for _, r, _ in entries)
    balance(statement_element, "OPBD", opening)
    balance(statement_element, "CLBD", opening + net if closing is None else closing)
    if debits is not None:
        declared = sub(sub(statement_element, "TxsSummry"), "TtlDbtNtries")
        sub(declared, "NbOfNtries", str(debits[0]))
        sub(declared, "Sum", f"{debits[1]}.00")
    if bulk:
        entry(statement_element, 1, net, entries, False)
    else:
        for number, (end_to_end, rupiah, reason) in enumerate(entries, 1):
            entry(statement_element, number, rupiah, [(end_to_end, rupiah, reason)], number - 1 in reversal)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


def import_statement(stub, data: bytes, request_cls, *, request_id: str | None = None, chunk: int = 700):
    """Sends the statement in small chunks to `stub.ImportPayoutStatement`."""
    def messages():
        for start in range(0, len(data), chunk):
            message = request_cls(chunk=data[start:start + chunk])
            if start == 0:
                message.request_id = request_id or rid("statement")
            yield message
    return stub.ImportPayoutStatement(messages())
