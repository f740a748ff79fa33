"""MT940 (SWIFT customer statement) files read with the `mt-940` library, a piece at a time.

The library parses a whole text at once; a 200,000-line statement would be held as bytes,
as text and as parsed objects together. So the file is cut, only at the start of a `:61:`
entry (a tag boundary, never inside a field), into pieces of `PIECE_ENTRIES` entries, and
each piece is parsed by the library: the first carries the header tags (:20:, :25:, :28C:,
:60F:), the last the closing balance (:62F:). Every field is read by the library; this
module only cuts and converts (amounts to sen, the library's objects to the domain's).

One statement per file. Refused whole (INVALID_ARGUMENT on `file`): a second statement
(:20:) in the file, an entry the library cannot read, a file without its opening (:60F:)
or closing balance (:62F:, a truncated file).
"""
from __future__ import annotations

import decimal
from collections.abc import Iterable, Iterator
from typing import Any

import mt940

from services.contributions.domain.bank_file import (
    Balance, DeclaredSum, StatementEnd, StatementHeader, StatementLine, malformed,
)

PIECE_ENTRIES = 500
StatementItem = StatementHeader | StatementLine | StatementEnd


def read_mt940(lines: Iterable[str]) -> Iterator[StatementItem]:
    """The header, the lines and the end of one MT940 statement, in file order."""
    reader = _Reader()
    piece: list[str] = []
    entries = 0
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith(":20:") and reader.seen_statement:
            raise malformed("the file holds more than one statement (a second :20:): send each on its own")
        if line.startswith(":20:"):
            reader.seen_statement = True
        if line.startswith(":61:"):
            if entries >= PIECE_ENTRIES:
                yield from reader.parse(piece, entries)
                piece, entries = [], 0
            entries += 1
        piece.append(line)
    yield from reader.parse(piece, entries)
    yield reader.end()


class _Reader:
    def __init__(self) -> None:
        self.seen_statement = False
        self.header: StatementHeader | None = None
        self.closing: Balance | None = None
        self.declared: dict[str, DeclaredSum] = {}  # :90C: and :90D:, by the library's names
        self.number = 0

    def parse(self, piece: list[str], entries: int) -> Iterator[StatementItem]:
        if not piece:
            return
        try:
            parsed = mt940.parse("\n".join(piece))
        except Exception as exc:  # noqa: BLE001 - the library raises what its tags raise; all mean "unreadable"
            raise malformed(f"not a readable MT940 statement near line {self.number + 1}: {str(exc)[:120]}") from None
        if len(parsed) != entries:
            raise malformed(f"an entry after line {self.number} cannot be read as an MT940 :61: statement line")
        data: dict[str, Any] = parsed.data
        if self.header is None:
            self.header = self._header(data)
            yield self.header
        closing = data.get("final_closing_balance") or data.get("intermediate_closing_balance")
        if closing is not None:
            self.closing = _balance(closing)
        for tag in ("sum_credit_entries", "sum_debit_entries"):
            if data.get(tag) is not None:
                self.declared[tag] = _declared(data[tag])
        for transaction in parsed:
            self.number += 1
            yield self._line(transaction.data)

    def _header(self, data: dict[str, Any]) -> StatementHeader:
        opening = data.get("final_opening_balance") or data.get("intermediate_opening_balance")
        if not data.get("transaction_reference") or opening is None:
            raise malformed("not an MT940 statement: no :20: reference or no opening balance (:60F:)")
        number = "/".join(str(data[k]) for k in ("statement_number", "sequence_number") if data.get(k))
        statement_id = str(data["transaction_reference"]) + (f"/{number}" if number else "")
        return StatementHeader(statement_id, str(data.get("account_identification") or ""), _balance(opening))

    def _line(self, data: dict[str, Any]) -> StatementLine:
        assert self.header is not None
        return StatementLine(
            number=self.number, amount_sen=_sen(data["amount"].amount, self.number),
            booked_on=data["date"], currency=self.header.opening.currency,
            bank_reference=str(data.get("bank_reference") or ""),
            customer_reference=str(data.get("customer_reference") or ""),
            remittance=" ".join(str(data.get(k) or "") for k in ("transaction_details", "extra_details")).strip())

    def end(self) -> StatementEnd:
        if self.header is None:
            raise malformed("not an MT940 statement: no :20: reference or no opening balance (:60F:)")
        if self.closing is None:
            raise malformed(f"the statement is truncated: no closing balance (:62F:) after line {self.number}")
        return StatementEnd(self.closing, declared_credits=self.declared.get("sum_credit_entries"),
                            declared_debits=self.declared.get("sum_debit_entries"))


def _balance(balance: Any) -> Balance:
    return Balance(_sen(balance.amount.amount, 0), balance.date, str(balance.amount.currency or ""))


def _declared(total: Any) -> DeclaredSum:
    """:90C:/:90D: (number, currency, amount): the number may be left out."""
    number = str(getattr(total, "number", "") or "")
    return DeclaredSum(int(number) if number.isdigit() else None, abs(_sen(total.amount, 0)))


def _sen(amount: decimal.Decimal, number: int) -> int:
    sen = amount * 100
    if sen != sen.to_integral_value():
        raise malformed(f"line {number}: {amount} has more than two decimals")
    return int(sen)
