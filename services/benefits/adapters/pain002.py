"""The bank's ISO 20022 pain.002 (customer payment status report), read with defusedxml.

Hardened: `defusedxml` refuses any DTD, entity declaration or external reference, so an
XML bomb (billion laughs) or an external entity never expands; the size is bounded before
parsing (the upload's limit), so the tree of a bounded file is small. Any version of the
pain.002 namespace is taken (names matched by their local part).

Read: GrpHdr/MsgId and CreDtTm (the report's day), OrgnlGrpInfAndSts (OrgnlMsgId, GrpSts,
StsRsnInf) and per OrgnlPmtInfAndSts/TxInfAndSts the OrgnlEndToEndId, TxSts (else the
PmtInfSts), the first StsRsnInf (Rsn/Cd or Rsn/Prtry, AddtlInf) and the bank's reference
(AcctSvcrRef, else StsId). Anything unreadable is INVALID_ARGUMENT on `file`.
"""
from __future__ import annotations

from datetime import date
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from services.benefits.domain.payout_files import ID_MAX, StatusReason, StatusReport, TransactionStatus
from services.chassis.iso20022 import child, local, text
from services.chassis.errors import InvalidArgument

REASON_TEXT_MAX = 500


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
    transactions = tuple(_transaction(tx, text(info, "PmtInfSts"))
                         for info in infos for tx in info if local(tx.tag) == "TxInfAndSts")
    return StatusReport(msg_id=msg_id, created_on=_day(text(header, "CreDtTm")), original_msg_id=original_msg_id,
                        group_status=group_status, group_reason=_reason(original), transactions=transactions)


def _transaction(tx: Element, payment_status: str) -> TransactionStatus:
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


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _bad(f"GrpHdr/CreDtTm {text[:30]!r} is not a date and time") from None


def _bad(reason: str) -> InvalidArgument:
    return InvalidArgument.field("file", reason)
