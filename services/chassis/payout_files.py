"""The bank's files of a payout, as bytes: pain.001.001.09 written, pain.002 read, the
upload gathered from a client stream and the download cut into chunks; the debtor account
from the environment. Shared by every service that pays (benefits, welfare); the rules
are `payout_rules`'.

pain.001 is written with the standard library's ElementTree (writing builds no entities,
so it is safe). One PmtInf debited from the agency's account (DbtrAcct/Id/Othr/Id:
Indonesian accounts have no IBAN), one CdtTrfTxInf per order: EndToEndId the order id,
InstdAmt in IDR without decimals (rupiah are whole), the creditor's name, bank (CdtrAgt
by name: an order holds no BIC) and account, and what it pays in the unstructured
remittance information. Elements are in the schema's order.

pain.002 is read with defusedxml: any DTD, entity declaration or external reference is
refused, so an XML bomb (billion laughs) or an external entity never expands; the size
is bounded before parsing (the upload's limit). Any version of the pain.002 namespace is
taken (names matched by their local part). Read: GrpHdr/MsgId and CreDtTm (the report's
day), OrgnlGrpInfAndSts (OrgnlMsgId, GrpSts, StsRsnInf) and per OrgnlPmtInfAndSts/TxInfAndSts
the OrgnlEndToEndId, TxSts (else the PmtInfSts), the first StsRsnInf (Rsn/Cd or Rsn/Prtry,
AddtlInf) and the bank's reference (AcctSvcrRef, else StsId). Anything unreadable is
INVALID_ARGUMENT on `file`.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

import defusedxml  # type: ignore[import-untyped]  # no stubs published
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from services.chassis.errors import InvalidArgument
from services.chassis.iso20022 import child, local, text
from services.chassis.payout_rules import (
    CURRENCY, ID_MAX, SCHEME, CreditTransfer, DebtorAccount, PayoutFile, StatusReason, StatusReport, TransactionStatus,
    end_to_end_id,
)

NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEME}"
NAME_MAX = 140
REMITTANCE_MAX = 140
REASON_TEXT_MAX = 500
CHUNK_BYTES = 1024 * 1024  # well under gRPC's 4 MB message limit
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


# ---- pain.001 out ----------------------------------------------------------------------------
def pain001(payout: PayoutFile) -> bytes:
    """The file's bytes, UTF-8 with an XML declaration."""
    document = Element("Document", xmlns=NAMESPACE)
    initiation = SubElement(document, "CstmrCdtTrfInitn")
    header = SubElement(initiation, "GrpHdr")
    _text(header, "MsgId", payout.msg_id)
    _text(header, "CreDtTm", payout.created_at.isoformat(timespec="seconds"))
    _text(header, "NbOfTxs", str(payout.transactions))
    _text(header, "CtrlSum", str(payout.control_sum))
    _text(SubElement(header, "InitgPty"), "Nm", payout.initiating_party[:NAME_MAX])
    info = SubElement(initiation, "PmtInf")
    _text(info, "PmtInfId", payout.msg_id)
    _text(info, "PmtMtd", "TRF")
    _text(info, "NbOfTxs", str(payout.transactions))
    _text(info, "CtrlSum", str(payout.control_sum))
    _text(SubElement(info, "ReqdExctnDt"), "Dt", payout.execution_date.isoformat())
    _text(SubElement(info, "Dbtr"), "Nm", payout.debtor.name[:NAME_MAX])
    _account(info, "DbtrAcct", payout.debtor.account_number, currency=True)
    _text(SubElement(SubElement(info, "DbtrAgt"), "FinInstnId"), "BICFI", payout.debtor.bank_bic)
    _text(info, "ChrgBr", "SLEV")
    for transfer in payout.transfers:
        _transaction(info, transfer)
    return bytes(tostring(document, encoding="utf-8", xml_declaration=True))


def _transaction(info: Element, transfer: CreditTransfer) -> None:
    tx = SubElement(info, "CdtTrfTxInf")
    ids = SubElement(tx, "PmtId")
    _text(ids, "InstrId", end_to_end_id(transfer.order_id))
    _text(ids, "EndToEndId", end_to_end_id(transfer.order_id))
    amount = SubElement(SubElement(tx, "Amt"), "InstdAmt", Ccy=CURRENCY)
    amount.text = str(transfer.amount)
    _text(SubElement(SubElement(tx, "CdtrAgt"), "FinInstnId"), "Nm", transfer.bank_name[:NAME_MAX])
    _text(SubElement(tx, "Cdtr"), "Nm", transfer.holder_name[:NAME_MAX])
    _account(tx, "CdtrAcct", transfer.account_number)
    _text(SubElement(tx, "RmtInf"), "Ustrd", transfer.remittance[:REMITTANCE_MAX])


def _account(parent: Element, tag: str, number: str, *, currency: bool = False) -> None:
    account = SubElement(parent, tag)
    _text(SubElement(SubElement(account, "Id"), "Othr"), "Id", number)
    if currency:
        _text(account, "Ccy", CURRENCY)


def _text(parent: Element, tag: str, value: str) -> Element:
    element = SubElement(parent, tag)
    element.text = value
    return element


# ---- pain.002 in -----------------------------------------------------------------------------
def read_pain002(data: bytes) -> StatusReport:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise _bad(f"the XML declares a DTD or entities, which are refused (XML bomb or external entity): "
                   f"{type(exc).__name__}") from None
    except ParseError as exc:
        raise _bad(f"not well-formed XML (truncated?): {exc}") from None
    report = root if local(root.tag) == "CstmrPmtStsRpt" else child(root, "CstmrPmtStsRpt")
    if report is None:
        raise _bad("not a pain.002 payment status report: no CstmrPmtStsRpt element")
    header, original = child(report, "GrpHdr"), child(report, "OrgnlGrpInfAndSts")
    if header is None or original is None:
        raise _bad("the report has no GrpHdr or no OrgnlGrpInfAndSts")
    msg_id, original_msg_id = _id(header, "MsgId"), _id(original, "OrgnlMsgId")
    infos = [c for c in report if local(c.tag) == "OrgnlPmtInfAndSts"]
    group_status = text(original, "GrpSts") or next((text(i, "PmtInfSts") for i in infos if text(i, "PmtInfSts")),
                                                     "")
    transactions = tuple(_status(tx, text(info, "PmtInfSts"))
                         for info in infos for tx in info if local(tx.tag) == "TxInfAndSts")
    return StatusReport(msg_id=msg_id, created_on=_day(text(header, "CreDtTm")), original_msg_id=original_msg_id,
                        group_status=group_status, group_reason=_reason(original), transactions=transactions)


def _status(tx: Element, payment_status: str) -> TransactionStatus:
    end_to_end = text(tx, "OrgnlEndToEndId")
    if not end_to_end:
        raise _bad("a TxInfAndSts has no OrgnlEndToEndId")
    return TransactionStatus(end_to_end_id=end_to_end[:ID_MAX + 1], status_code=text(tx, "TxSts") or payment_status,
                             reason=_reason(tx), bank_reference=(text(tx, "AcctSvcrRef") or text(tx, "StsId")))


def _reason(parent: Element) -> StatusReason:
    info = child(parent, "StsRsnInf")
    if info is None:
        return StatusReason()
    code = text(info, "Rsn", "Cd") or text(info, "Rsn", "Prtry")
    words = " ".join(t for t in ((c.text or "").strip() for c in info if local(c.tag) == "AddtlInf") if t)
    return StatusReason(code[:ID_MAX], words[:REASON_TEXT_MAX])


def _id(parent: Element, name: str) -> str:
    value = text(parent, name)
    if not value:
        raise _bad(f"the report has no {name}")
    if len(value) > ID_MAX:
        raise _bad(f"{name} is longer than {ID_MAX} characters")
    return value


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise _bad(f"GrpHdr/CreDtTm {value[:30]!r} is not a date and time") from None


def _bad(reason: str) -> InvalidArgument:
    return InvalidArgument.field("file", reason)


# ---- streams and configuration ---------------------------------------------------------------
def chunks(content: bytes) -> Iterator[bytes]:
    for start in range(0, len(content), CHUNK_BYTES):
        yield content[start:start + CHUNK_BYTES]


def file_stream(response_cls: Any, header: Any, content: bytes) -> Iterator[Any]:
    """A server stream of a file: the header message first, then the bytes in chunks."""
    yield header
    for chunk in chunks(content):
        yield response_cls(chunk=chunk)


def gather_upload(requests: Iterable[Any], max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[str, bytes, str]:
    """(request id of the first message, the bytes of every `chunk`, their sha256), refused
    past `max_bytes` while it is read, and refused empty."""
    request_id, parts, size = "", [], 0
    for number, message in enumerate(requests):
        if number == 0:
            request_id = message.request_id
        size += len(message.chunk)
        if size > max_bytes:
            raise InvalidArgument.field("chunk", f"the file is larger than {max_bytes // (1024 * 1024)} MB")
        parts.append(message.chunk)
    data = b"".join(parts)
    if not data:
        raise InvalidArgument.field("chunk", "the file is empty")
    return request_id, data, hashlib.sha256(data).hexdigest()


def debtor_from_env(prefix: str, default: DebtorAccount) -> DebtorAccount:
    """<prefix>_PAYOUT_DEBTOR_NAME, _ACCOUNT and _BIC, else `default`. An account is
    configuration, not a rule of the book (it changes when the agency changes banks, not
    with a regulation), so it is no dated rule table."""
    return DebtorAccount(
        name=os.environ.get(f"{prefix}_PAYOUT_DEBTOR_NAME") or default.name,
        account_number=os.environ.get(f"{prefix}_PAYOUT_DEBTOR_ACCOUNT") or default.account_number,
        bank_bic=os.environ.get(f"{prefix}_PAYOUT_DEBTOR_BIC") or default.bank_bic)
