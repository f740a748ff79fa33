"""A payout file as ISO 20022 pain.001.001.09 (customer credit transfer initiation) XML.

Written with the standard library's ElementTree (writing builds no entities, so it is
safe; reading a bank's file is `pain002`'s, with defusedxml). One PmtInf debited from the
agency's account (DbtrAcct/Id/Othr/Id: Indonesian accounts have no IBAN), one CdtTrfTxInf
per order: EndToEndId the order id, InstdAmt in IDR without decimals (rupiah are whole),
the creditor's name, bank (CdtrAgt by name: the order holds no BIC) and account, and the
claim in the unstructured remittance information. Elements are in the schema's order.
"""
from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from services.benefits.domain.payout_files import CURRENCY, SCHEME, PayoutFile, end_to_end_id
from services.benefits.domain.payouts import PaymentOrder

NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEME}"
INITIATING_PARTY = "JAMSOS BENEFITS"
NAME_MAX = 140
REMITTANCE_MAX = 140


def pain001(payout: PayoutFile) -> bytes:
    """The file's bytes, UTF-8 with an XML declaration."""
    document = Element("Document", xmlns=NAMESPACE)
    initiation = SubElement(document, "CstmrCdtTrfInitn")
    header = SubElement(initiation, "GrpHdr")
    _text(header, "MsgId", payout.msg_id)
    _text(header, "CreDtTm", payout.created_at.isoformat(timespec="seconds"))
    _text(header, "NbOfTxs", str(payout.transactions))
    _text(header, "CtrlSum", str(payout.control_sum))
    _text(SubElement(header, "InitgPty"), "Nm", INITIATING_PARTY)
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
    for order in payout.orders:
        _transaction(info, order)
    return tostring(document, encoding="utf-8", xml_declaration=True)


def _transaction(info: Element, order: PaymentOrder) -> None:
    tx = SubElement(info, "CdtTrfTxInf")
    ids = SubElement(tx, "PmtId")
    _text(ids, "InstrId", end_to_end_id(order.order_id))
    _text(ids, "EndToEndId", end_to_end_id(order.order_id))
    amount = SubElement(SubElement(tx, "Amt"), "InstdAmt", Ccy=CURRENCY)
    amount.text = str(order.amount)
    _text(SubElement(SubElement(tx, "CdtrAgt"), "FinInstnId"), "Nm", order.beneficiary.bank_name[:NAME_MAX])
    _text(SubElement(tx, "Cdtr"), "Nm", order.beneficiary.holder_name[:NAME_MAX])
    _account(tx, "CdtrAcct", order.beneficiary.account_number)
    remittance = f"Claim {order.claim_id} KPJ {order.kpj} {order.kind.value}"
    _text(SubElement(tx, "RmtInf"), "Ustrd", remittance[:REMITTANCE_MAX])


def _account(parent: Element, tag: str, number: str, *, currency: bool = False) -> None:
    account = SubElement(parent, tag)
    _text(SubElement(SubElement(account, "Id"), "Othr"), "Id", number)
    if currency:
        _text(account, "Ccy", CURRENCY)


def _text(parent: Element, tag: str, value: str) -> Element:
    element = SubElement(parent, tag)
    element.text = value
    return element
