"""Bank statement files made by the tests themselves: MT940 with `mt940-writer`, camt.053
as XML built here. Amounts are rupiah (whole, or a Decimal for a fraction), written with two
decimals as banks do. `credits`/`debits` (number, rupiah) add the totals a bank declares:
MT940 :90C:/:90D:, camt.053 TxsSummry/TtlCdtNtries and TtlDbtNtries."""
from __future__ import annotations

import decimal
from dataclasses import dataclass
from datetime import date

import mt940_writer as w

ACCOUNT = "1234567890"


Declared = tuple[int, int] | None  # (number of entries, their sum in rupiah)


@dataclass(frozen=True)
class Entry:
    reference: str
    amount: int | decimal.Decimal  # rupiah, negative for a debit
    on: date
    remittance: str
    currency: str = ""  # camt.053 only: the entry's own currency when not the statement's


def _rp(amount: int | decimal.Decimal) -> str:
    return f"{abs(decimal.Decimal(amount)):.2f}"


def mt940(entries: list[Entry], *, opening: int = 0, closing: int | None = None, currency: str = "IDR",
          statement: str = "STMT-0601", day: date = date(2021, 6, 1), credits: Declared = None,
          debits: Declared = None) -> bytes:
    """An MT940 statement; `closing` defaults to the figure that adds up."""
    closing = opening + sum(e.amount for e in entries) if closing is None else closing
    transactions = [w.Transaction(e.on, decimal.Decimal(e.amount), w.TransactionType.transfer,
                                  f"NONREF//{e.reference}", w.TransactionAdditionalInfo(e.remittance))
                    for e in entries]
    text = str(w.Statement(statement, w.Account(ACCOUNT, "BNINIDJA"), "1/1",
                           w.Balance(decimal.Decimal(opening), day, currency),
                           w.Balance(decimal.Decimal(closing), day, currency), transactions))
    sums = [f":90{side}:{total[0]}{currency}{_rp(total[1]).replace('.', ',')}"
            for side, total in (("D", debits), ("C", credits)) if total is not None]
    if sums:  # mt940-writer writes no :90C:/:90D:; they go before the closing balance
        lines = text.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith(":62F:"))
        text = "\n".join([*lines[:at], *sums, *lines[at:]])
    return (text + "\n").encode()


CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def _balance(code: str, amount: int, currency: str, day: date) -> str:
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{currency}\">{_rp(amount)}</Amt>"
            f"<CdtDbtInd>{'DBIT' if amount < 0 else 'CRDT'}</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>")


def _side(tag: str, total: Declared) -> str:
    return "" if total is None else (f"<{tag}><NbOfNtries>{total[0]}</NbOfNtries><Sum>{_rp(total[1])}</Sum>"
                                     f"</{tag}>")


def camt053(entries: list[Entry], *, opening: int = 0, closing: int | None = None, currency: str = "IDR",
            statement: str = "CAMT-0601", day: date = date(2021, 6, 1), doctype: str = "", credits: Declared = None,
            debits: Declared = None, gross: int | None = None) -> bytes:
    """A camt.053 statement; `gross` adds TtlNtries/Sum (every entry's amount, unsigned)."""
    closing = opening + sum(e.amount for e in entries) if closing is None else closing
    ntries = "".join(
        f"<Ntry><Amt Ccy=\"{e.currency or currency}\">{_rp(e.amount)}</Amt><CdtDbtInd>{'DBIT' if e.amount < 0 else 'CRDT'}"
        f"</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{e.on.isoformat()}</Dt></BookgDt><ValDt><Dt>{e.on.isoformat()}"
        f"</Dt></ValDt><AcctSvcrRef>{e.reference}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED"
        f"</EndToEndId></Refs><RmtInf><Ustrd>{e.remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for e in entries)
    xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>{doctype}<Document xmlns=\"{CAMT_NS}\"><BkToCstmrStmt>"
           f"<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>{day.isoformat()}T18:00:00</CreDtTm></GrpHdr>"
           f"<Stmt><Id>{statement}</Id><CreDtTm>{day.isoformat()}T18:00:00</CreDtTm>"
           f"<Acct><Id><Othr><Id>{ACCOUNT}</Id></Othr></Id><Ccy>{currency}</Ccy></Acct>"
           f"{_balance('OPBD', opening, currency, day)}{_balance('CLBD', closing, currency, day)}"
           f"<TxsSummry><TtlNtries><NbOfNtries>{len(entries)}</NbOfNtries>"
           f"{'' if gross is None else f'<Sum>{_rp(gross)}</Sum>'}</TtlNtries>"
           f"{_side('TtlCdtNtries', credits)}{_side('TtlDbtNtries', debits)}</TxsSummry>"
           f"{ntries}</Stmt></BkToCstmrStmt></Document>")
    return xml.encode()


XML_BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b'<Document><BkToCstmrStmt><Stmt><Id>&lol3;</Id></Stmt></BkToCstmrStmt></Document>')
EXTERNAL_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   b'<Document><BkToCstmrStmt><Stmt><Id>&x;</Id></Stmt></BkToCstmrStmt></Document>')
