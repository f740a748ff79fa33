"""ISO 20022 camt.053 (bank-to-customer statement) files, read with defusedxml as a stream.

Hardened: `defusedxml` refuses any DTD, entity declaration or external reference, so an
XML bomb (billion laughs, quadratic blow-up) or an external entity never expands; the
size is bounded before parsing (the use case's limit on the upload). Streamed: `iterparse`
hands over each <Ntry> as it closes and the entry is dropped at once, so a large file is
never held as a tree. Any version of the camt.053 namespace is taken (names are matched
by their local part).

Read: Stmt/Id, the account (IBAN or Othr/Id), the OPBD (opening booked) and CLBD (closing
booked) balances, TxsSummry (number and net sum of entries, when given) and per entry the
amount with its currency, credit or debit, value date (else booking date), the bank's
reference (AcctSvcrRef), the end-to-end id and the remittance information (Ustrd and
Strd/CdtrRefInf/Ref). One statement per file.
"""
from __future__ import annotations

import decimal
from collections.abc import Iterator
from datetime import date
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import iterparse

from services.chassis.iso20022 import child, local, text
from services.contributions.domain.bank_file import (
    Balance, StatementEnd, StatementHeader, StatementLine, malformed,
)

StatementItem = StatementHeader | StatementLine | StatementEnd


def read_camt053(source: IO[bytes]) -> Iterator[StatementItem]:
    """The header, the lines and the end of one camt.053 statement, in file order."""
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
        self.balances: dict[str, Balance] = {}
        self.declared_count: int | None = None
        self.declared_net: int | None = None
        self.header: StatementHeader | None = None
        self.statements = 0
        self.number = 0

    def read(self, source: IO[bytes]) -> Iterator[StatementItem]:
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
                yield self._line(element)
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
        yield StatementEnd(closing, self.declared_count, self.declared_net)

    def _statement_part(self, name: str, element: Element) -> None:
        if name == "Id":
            self.statement_id = (element.text or "").strip()
        elif name == "Acct":
            self.account = text(element, "Id", "IBAN") or text(element, "Id", "Othr", "Id")
        elif name == "Bal":
            code = text(element, "Tp", "CdOrPrtry", "Cd")
            self.balances[code] = self._balance(element, f"balance {code}")
        elif name == "TxsSummry":
            count = text(element, "TtlNtries", "NbOfNtries")
            net = child(element, "TtlNtries", "TtlNetNtry")
            if count:
                if not count.isdigit():
                    raise malformed(f"TxsSummry/NbOfNtries {count!r} is not a number")
                self.declared_count = int(count)
            if net is not None:
                amount = _sen(text(net, "Amt"), "TxsSummry/TtlNetNtry")
                self.declared_net = -amount if text(net, "CdtDbtInd") == "DBIT" else amount

    def _header(self) -> StatementHeader:
        opening = self.balances.get("OPBD") or self.balances.get("PRCD")
        if not self.statement_id or opening is None:
            raise malformed("not a camt.053 statement: no Stmt/Id or no opening balance (OPBD) before the entries")
        return StatementHeader(self.statement_id, self.account, opening)

    def _balance(self, element: Element, where: str) -> Balance:
        amount = child(element, "Amt")
        if amount is None:
            raise malformed(f"{where} has no Amt")
        sen = _sen(amount.text or "", where)
        signed = -sen if text(element, "CdtDbtInd") == "DBIT" else sen
        return Balance(signed, _day(text(element, "Dt", "Dt") or text(element, "Dt", "DtTm")[:10], where),
                       amount.get("Ccy", ""))

    def _line(self, entry: Element) -> StatementLine:
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
        details = child(entry, "NtryDtls", "TxDtls")
        remittance = ""
        end_to_end = ""
        if details is not None:
            end_to_end = text(details, "Refs", "EndToEndId")
            info = child(details, "RmtInf")
            if info is not None:
                remittance = " ".join(t for t in (*(_texts(info, "Ustrd")),
                                                  text(info, "Strd", "CdtrRefInf", "Ref")) if t)
        remittance = " ".join(t for t in (remittance, text(entry, "AddtlNtryInf")) if t)
        return StatementLine(self.number, -sen if indicator == "DBIT" else sen, booked, amount.get("Ccy", ""),
                             bank_reference=text(entry, "AcctSvcrRef"), customer_reference=end_to_end,
                             remittance=remittance)


def _texts(element: Element, name: str) -> list[str]:
    return [(c.text or "").strip() for c in element if local(c.tag) == name]


def _sen(text: str, where: str) -> int:
    try:
        amount = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        raise malformed(f"{where}: amount {text.strip()[:40]!r} is not a number") from None
    sen = amount * 100
    if not amount.is_finite() or amount < 0 or sen != sen.to_integral_value():
        raise malformed(f"{where}: amount {text.strip()[:40]!r} is not a positive amount with at most two decimals")
    return int(sen)


def _day(text: str, where: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise malformed(f"{where}: {text[:20]!r} is not a date (YYYY-MM-DD)") from None
