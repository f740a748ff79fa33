"""A bank's statement file as the platform reads it (C-7), whatever its format.

The MT940 and camt.053 readers (adapters `mt940_statement`, `camt_statement`) turn a file
into the same three things, in file order: one `StatementHeader` (which statement, which
account, the opening balance), its `StatementLine`s, and one `StatementEnd` (the closing
balance and, where the format declares them, the number and sum of the lines: camt.053's
TxsSummry, MT940's :90C:/:90D:). The rules here are the ones every format shares:

* Amounts are kept in sen (hundredths of a rupiah) as the bank writes them, so the
  file's own totals are checked exactly; a receipt is recorded in whole rupiah and a line
  with a fraction of a rupiah is that line's reject, never rounded away.
* Only rupiah statements are taken (a payment is integer rupiah): any other currency, in
  the header or in a line, refuses the whole file.
* The file's totals must add up: opening + credits - debits = closing, and the declared
  counts and sums (if any: of all lines, of the credits, of the debits) must be the lines
  read. A file that does not add up is refused whole with its figures
  (`StatementTotalsMismatch`, C-7): it is truncated or altered.
* The remittance information of a line names the employer (NPP, 8 digits) and/or the
  bill (`SPI-YYYYMM-NPPNPPNP[-Kn]`): `remittance_identifiers` finds them for matching.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, RuleViolation

RUPIAH = "IDR"
SEN_PER_RUPIAH = 100

_BILL_NUMBER = re.compile(r"SPI-\d{6}-\d{8}(?:-K\d{1,6})?(?![\dA-Za-z])")
_NPP = re.compile(r"(?<![\dA-Za-z])\d{8}(?![\dA-Za-z])")
_NPP_LABELLED = re.compile(r"\bNPP\W{0,3}(\d{8})(?!\d)", re.IGNORECASE)
_NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}


class BankFileFormat(str, Enum):
    MT940 = "MT940"  # SWIFT customer statement
    CAMT053 = "CAMT053"  # ISO 20022 bank-to-customer statement (XML)


@dataclass(frozen=True)
class Balance:
    amount_sen: int  # signed: a debit balance is negative
    on: date | None
    currency: str


@dataclass(frozen=True)
class StatementHeader:
    statement_id: str  # the bank's id of the statement (MT940 :20:/:28C:, camt Stmt/Id)
    account: str
    opening: Balance


@dataclass(frozen=True)
class StatementLine:
    number: int  # 1-based position in the file
    amount_sen: int  # signed: a credit (money in) is positive, a debit negative
    booked_on: date
    currency: str
    bank_reference: str = ""  # the bank's own reference of the entry, when it gives one
    customer_reference: str = ""
    remittance: str = ""  # free text: what the payer wrote


@dataclass(frozen=True)
class DeclaredSum:
    """What a file says of its credit (or debit) lines: how many (None: not said) and their sum."""

    count: int | None
    sum_sen: int  # positive, whichever side


@dataclass(frozen=True)
class StatementEnd:
    closing: Balance
    declared_count: int | None = None  # camt TxsSummry, when the bank gives it
    declared_net_sen: int | None = None
    declared_gross_sen: int | None = None  # camt TtlNtries/Sum: credits and debits added up unsigned
    declared_credits: DeclaredSum | None = None  # camt TtlCdtNtries, MT940 :90C:
    declared_debits: DeclaredSum | None = None  # camt TtlDbtNtries, MT940 :90D:


@dataclass(frozen=True)
class StatementTotals:
    opening_sen: int
    credits_sen: int
    debits_sen: int  # positive: money that left the account
    closing_sen: int
    lines: int
    opening_on: date | None = None
    closing_on: date | None = None


@dataclass(frozen=True)
class Remittance:
    """Who and what a payer named in the remittance text (None: not named, or ambiguous)."""

    npp: str | None
    bill_number: str | None


def remittance_identifiers(text: str) -> Remittance:
    """The NPP and the SPI bill number written in a line's remittance information.

    A bill number is taken when exactly one distinct one appears. The NPP is the one
    labelled `NPP`, else the one 8-digit number standing alone outside the bill number;
    two different candidates name nobody (the line goes to suspense rather than to a
    guessed employer)."""
    bills = set(_BILL_NUMBER.findall(text))
    bill = bills.pop() if len(bills) == 1 else None
    rest = _BILL_NUMBER.sub(" ", text)
    labelled = set(_NPP_LABELLED.findall(rest))
    candidates = labelled or set(_NPP.findall(rest))
    npp = candidates.pop() if len(candidates) == 1 else None
    return Remittance(npp, bill)


def line_reference(statement_id: str, line: StatementLine) -> str:
    """The reference a line is recorded under: the bank's entry reference, else the
    customer's, else the statement id and the line's position. Deterministic, so the same
    file imported twice meets its own lines as duplicates."""
    for given in (line.bank_reference, line.customer_reference):
        if given.strip().upper() not in _NO_REFERENCE:
            return given.strip()
    return f"{statement_id}/{line.number}"


def whole_rupiah(amount_sen: int) -> int | None:
    """The amount in rupiah, or None when it carries a fraction of a rupiah."""
    return amount_sen // SEN_PER_RUPIAH if amount_sen % SEN_PER_RUPIAH == 0 else None


def shown_sen(amount_sen: int) -> str:
    """Rp1,234,567 (or Rp1,234,567.50): figures in a refusal, as the bank wrote them."""
    sign = "-" if amount_sen < 0 else ""
    rupiah, sen = divmod(abs(amount_sen), SEN_PER_RUPIAH)
    return f"{sign}Rp{rupiah:,}" + (f".{sen:02d}" if sen else "")


def require_rupiah(currency: str, where: str) -> None:
    """Only IDR statements are taken: the whole file is refused otherwise."""
    if currency.upper() != RUPIAH:
        raise InvalidArgument.field("file", f"{where} is in {currency or 'no currency'}: only {RUPIAH} statements "
                                            f"are taken")


class StatementTally:
    """The running totals of a file as its lines are read, checked at its end (C-7)."""

    def __init__(self, header: StatementHeader):
        require_rupiah(header.opening.currency, "the opening balance")
        self.header = header
        self.credits_sen = 0
        self.debits_sen = 0
        self.lines = 0
        self.credit_lines = 0

    def add(self, line: StatementLine) -> None:
        require_rupiah(line.currency, f"line {line.number}")
        self.lines += 1
        if line.amount_sen >= 0:
            self.credits_sen += line.amount_sen
            self.credit_lines += 1
        else:
            self.debits_sen -= line.amount_sen

    def check(self, end: StatementEnd) -> StatementTotals:
        """The checked totals; StatementTotalsMismatch (C-7) with the figures otherwise."""
        require_rupiah(end.closing.currency, "the closing balance")
        totals = StatementTotals(self.header.opening.amount_sen, self.credits_sen, self.debits_sen,
                                 end.closing.amount_sen, self.lines, self.header.opening.on, end.closing.on)
        expected = totals.opening_sen + totals.credits_sen - totals.debits_sen
        if expected != totals.closing_sen:
            raise StatementTotalsMismatch(
                f"statement {self.header.statement_id}: opening {shown_sen(totals.opening_sen)} + credits "
                f"{shown_sen(totals.credits_sen)} - debits {shown_sen(totals.debits_sen)} = {shown_sen(expected)}, "
                f"but the closing balance is {shown_sen(totals.closing_sen)}", totals)
        if end.declared_count is not None and end.declared_count != totals.lines:
            raise StatementTotalsMismatch(
                f"statement {self.header.statement_id} declares {end.declared_count} entries but holds "
                f"{totals.lines}", totals)
        net = totals.credits_sen - totals.debits_sen
        if end.declared_net_sen is not None and end.declared_net_sen != net:
            raise StatementTotalsMismatch(
                f"statement {self.header.statement_id} declares a net of {shown_sen(end.declared_net_sen)} but its "
                f"entries add up to {shown_sen(net)}", totals)
        gross = totals.credits_sen + totals.debits_sen
        if end.declared_gross_sen is not None and end.declared_gross_sen != gross:
            raise StatementTotalsMismatch(
                f"statement {self.header.statement_id} declares entries of {shown_sen(end.declared_gross_sen)} in all "
                f"but they add up to {shown_sen(gross)}", totals)
        for side, declared, count, held in (("credit", end.declared_credits, self.credit_lines, totals.credits_sen),
                                            ("debit", end.declared_debits, totals.lines - self.credit_lines,
                                             totals.debits_sen)):
            if declared is not None and (declared.sum_sen != held or declared.count not in (None, count)):
                said = f"{declared.count} " if declared.count is not None else ""
                raise StatementTotalsMismatch(
                    f"statement {self.header.statement_id} declares {said}{side} entries of "
                    f"{shown_sen(declared.sum_sen)} but holds {count} of {shown_sen(held)}", totals)
        return totals


class StatementTotalsMismatch(RuleViolation):
    """C-7: what was received must add up to what the bank says it holds."""

    def __init__(self, reason: str, totals: StatementTotals):
        super().__init__("C-7", reason, code="STATEMENT_TOTALS_DO_NOT_ADD_UP")
        self.totals = totals


def malformed(reason: str) -> InvalidArgument:
    """A file that cannot be read as its format (truncated, a tag missing, not XML)."""
    return InvalidArgument.field("file", reason)
