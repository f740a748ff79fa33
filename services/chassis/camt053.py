"""ISO 20022 camt.053 (bank-to-customer statement) files, read with defusedxml as a stream;
shared by contributions (payments into the collection accounts) and the paying services
(the payout account's debits of their orders).

Hardened: `defusedxml` refuses any DTD, entity declaration or external reference, so an
XML bomb (billion laughs, quadratic blow-up) or an external entity never expands; the
size is bounded before parsing (the caller's limit on the upload). Streamed: `iterparse`
hands over each <Ntry> as it closes and the entry is dropped at once, so a large file is
never held as a tree. Any version of the camt.053 namespace is taken (names are matched
by their local part).

Read: Stmt/Id, the account (IBAN or Othr/Id), the OPBD (opening booked) and CLBD (closing
booked) balances, TxsSummry (when given: number, sum and net sum of the entries, and number
and sum of the credit and of the debit entries) and per entry the amount with its
currency, credit or debit, the reversal indicator (RvslInd), value date (else booking
date), the bank's reference (AcctSvcrRef), the remittance information of its first
transaction (Ustrd and Strd/CdtrRefInf/Ref) and, per transaction (TxDtls: a bank books a
bulk payment as one entry of many), its EndToEndId, amount and return reason
(RtrInf/Rsn/Cd). One statement per file. Anything unreadable is INVALID_ARGUMENT on `file`.
"""
from __future__ import annotations

import decimal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml  # type: ignore[import-untyped]  # no stubs published
from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]

from services.chassis.errors import InvalidArgument
from services.chassis.iso20022 import child, local, text


@dataclass(frozen=True)
class CamtBalance:
    amount_sen: int  # signed: a debit balance is negative
    on: date | None
    currency: str


@dataclass(frozen=True)
class CamtHeader:
    statement_id: str
    account: str
    opening: CamtBalance


@dataclass(frozen=True)
class CamtTransaction:
    end_to_end_id: str
    amount_sen: int | None  # its own amount when the entry gives one per transaction
    return_reason: str = ""  # RtrInf/Rsn/Cd (or Prtry): why a returned payment came back


@dataclass(frozen=True)
class CamtEntry:
    number: int  # 1-based position in the file
    amount_sen: int  # signed: a credit (money in) is positive, a debit negative
    booked_on: date
    currency: str
    bank_reference: str = ""
    remittance: str = ""
    reversal: bool = False  # RvslInd: the entry reverses an earlier one (a payment returned)
    transactions: tuple[CamtTransaction, ...] = ()

    @property
    def end_to_end_id(self) -> str:
        return self.transactions[0].end_to_end_id if self.transactions else ""


@dataclass(frozen=True)
class CamtSum:
    """TxsSummry/TtlCdtNtries or TtlDbtNtries: how many entries (None: not said) and their sum."""

    count: int | None
    sum_sen: int


@dataclass(frozen=True)
class CamtEnd:
    closing: CamtBalance
    declared_count: int | None = None  # TxsSummry, when the bank gives it
    declared_net_sen: int | None = None
    declared_gross_sen: int | None = None  # TtlNtries/Sum: every entry's amount, unsigned
    declared_credits: CamtSum | None = None
    declared_debits: CamtSum | None = None


CamtItem = CamtHeader | CamtEntry | CamtEnd


def malformed(reason: str) -> InvalidArgument:
    return InvalidArgument.field("file", reason)


def read_camt053(source: IO[bytes]) -> Iterator[CamtItem]:
    """The header, the entries and the end of one camt.053 statement, in file order."""
    reader = _Reader()
    try:
        yield from reader.read(source)
    except defusedxml.DefusedXmlException as exc:
        raise malformed(f"the XML declares a DTD or entities, which are refused (XML bomb or external entity): "
                        f"{type(exc).__name__}") from None
    except ParseError as exc:
        raise malformed(f"not well-formed XML (truncated?): {exc}") from None


class _Reader:
    def __init__(self) -> None:
        self.statement_id = ""
        self.account = ""
        self.balances: dict[str, CamtBalance] = {}
        self.declared_count: int | None = None
        self.declared_net: int | None = None
        self.declared_gross: int | None = None
        self.declared_sides: dict[str, CamtSum] = {}  # TtlCdtNtries, TtlDbtNtries
        self.header: CamtHeader | None = None
        self.statements = 0
        self.number = 0

    def read(self, source: IO[bytes]) -> Iterator[CamtItem]:
        parents: list[Element] = []
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True, forbid_entities=True,
                                        forbid_external=True):
            name = local(element.tag)
            if event == "start":
                parents.append(element)
                if name == "Stmt":
                    self.statements += 1
                    if self.statements > 1:
                        raise malformed("the file holds more than one statement (Stmt): send each on its own")
                continue
            parents.pop()
            if name == "Ntry":
                if self.header is None:
                    self.header = self._header()
                    yield self.header
                self.number += 1
                yield self._entry(element)
                if parents:
                    parents[-1].remove(element)  # drop the entry: the tree never grows with the file
            elif name in ("Id", "Acct", "Bal", "TxsSummry") and parents and local(parents[-1].tag) == "Stmt":
                self._statement_part(name, element)
        if self.statements == 0:
            raise malformed("not a camt.053 statement: no Stmt element")
        if self.header is None:
            self.header = self._header()
            yield self.header
        closing = self.balances.get("CLBD")
        if closing is None:
            raise malformed("the statement has no closing booked balance (CLBD)")
        yield CamtEnd(closing, self.declared_count, self.declared_net, self.declared_gross,
                      self.declared_sides.get("TtlCdtNtries"), self.declared_sides.get("TtlDbtNtries"))

    def _statement_part(self, name: str, element: Element) -> None:
        if name == "Id":
            self.statement_id = (element.text or "").strip()
        elif name == "Acct":
            self.account = text(element, "Id", "IBAN") or text(element, "Id", "Othr", "Id")
        elif name == "Bal":
            code = text(element, "Tp", "CdOrPrtry", "Cd")
            self.balances[code] = self._balance(element, f"balance {code}")
        elif name == "TxsSummry":
            self.declared_count = _count(text(element, "TtlNtries", "NbOfNtries"), "TxsSummry/TtlNtries")
            gross = text(element, "TtlNtries", "Sum")
            net = child(element, "TtlNtries", "TtlNetNtry")
            if gross:
                self.declared_gross = _sen(gross, "TxsSummry/TtlNtries/Sum")
            if net is not None:
                amount = _sen(text(net, "Amt"), "TxsSummry/TtlNetNtry")
                self.declared_net = -amount if text(net, "CdtDbtInd") == "DBIT" else amount
            elif text(element, "TtlNtries", "TtlNetNtryAmt"):  # camt.053.001.02 spells the net this way
                amount = _sen(text(element, "TtlNtries", "TtlNetNtryAmt"), "TxsSummry/TtlNetNtryAmt")
                self.declared_net = -amount if text(element, "TtlNtries", "CdtDbtInd") == "DBIT" else amount
            for side in ("TtlCdtNtries", "TtlDbtNtries"):
                total = child(element, side)
                if total is not None and text(total, "Sum"):
                    self.declared_sides[side] = CamtSum(_count(text(total, "NbOfNtries"), f"TxsSummry/{side}"),
                                                        _sen(text(total, "Sum"), f"TxsSummry/{side}/Sum"))

    def _header(self) -> CamtHeader:
        opening = self.balances.get("OPBD") or self.balances.get("PRCD")
        if not self.statement_id or opening is None:
            raise malformed("not a camt.053 statement: no Stmt/Id or no opening balance (OPBD) before the entries")
        return CamtHeader(self.statement_id, self.account, opening)

    def _balance(self, element: Element, where: str) -> CamtBalance:
        amount = child(element, "Amt")
        if amount is None:
            raise malformed(f"{where} has no Amt")
        sen = _sen(amount.text or "", where)
        signed = -sen if text(element, "CdtDbtInd") == "DBIT" else sen
        return CamtBalance(signed, _day(text(element, "Dt", "Dt") or text(element, "Dt", "DtTm")[:10], where),
                           amount.get("Ccy", ""))

    def _entry(self, entry: Element) -> CamtEntry:
        where = f"entry {self.number}"
        amount = child(entry, "Amt")
        if amount is None:
            raise malformed(f"{where} has no Amt")
        sen = _sen(amount.text or "", where)
        indicator = text(entry, "CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            raise malformed(f"{where}: CdtDbtInd {indicator!r} is neither CRDT nor DBIT")
        booked = _day(text(entry, "ValDt", "Dt") or text(entry, "BookgDt", "Dt"), where)
        if booked is None:
            raise malformed(f"{where} has no value or booking date")
        container = child(entry, "NtryDtls")
        details = [d for d in container if local(d.tag) == "TxDtls"] if container is not None else []
        remittance = ""
        if details:
            info = child(details[0], "RmtInf")
            if info is not None:
                remittance = " ".join(t for t in (*(_texts(info, "Ustrd")),
                                                  text(info, "Strd", "CdtrRefInf", "Ref")) if t)
        remittance = " ".join(t for t in (remittance, text(entry, "AddtlNtryInf")) if t)
        return CamtEntry(self.number, -sen if indicator == "DBIT" else sen, booked, amount.get("Ccy", ""),
                         bank_reference=text(entry, "AcctSvcrRef"), remittance=remittance,
                         reversal=text(entry, "RvslInd").lower() in ("true", "1"),
                         transactions=tuple(self._transaction(d, where) for d in details))

    @staticmethod
    def _transaction(details: Element, where: str) -> CamtTransaction:
        amount = text(details, "AmtDtls", "TxAmt", "Amt") or text(details, "Amt")
        reason = text(details, "RtrInf", "Rsn", "Cd") or text(details, "RtrInf", "Rsn", "Prtry")
        return CamtTransaction(text(details, "Refs", "EndToEndId"), _sen(amount, where) if amount else None, reason)


def _count(value: str, where: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise malformed(f"{where}/NbOfNtries {value[:20]!r} is not a number")
    return int(value)


def _texts(element: Element, name: str) -> list[str]:
    return [(c.text or "").strip() for c in element if local(c.tag) == name]


def _sen(value: str, where: str) -> int:
    try:
        amount = decimal.Decimal(value.strip())
    except decimal.InvalidOperation:
        raise malformed(f"{where}: amount {value.strip()[:40]!r} is not a number") from None
    sen = amount * 100
    if not amount.is_finite() or amount < 0 or sen != sen.to_integral_value():
        raise malformed(f"{where}: amount {value.strip()[:40]!r} is not a positive amount with at most two decimals")
    return int(sen)


def _day(value: str, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise malformed(f"{where}: {value[:20]!r} is not a date (YYYY-MM-DD)") from None
