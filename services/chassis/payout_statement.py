"""The "next statement" route: the camt.053 statement of the agency's payout (debtor)
account marks the orders it shows. A debit entry (or a transaction of a bulk debit)
carrying an order's EndToEndId, for the order's amount, marks the order PAID on its
booking day with the bank's reference; a reversed entry (RvslInd) or a credit carrying the
id (the payment came back) marks it FAILED with the return reason. One transaction.

- The file is refused whole, before anything changes: not IDR, totals that do not add up
  (INVALID_ARGUMENT on `file`), another account than the payout account (FAILED_PRECONDITION,
  NOT_THE_PAYOUT_ACCOUNT).
- An EndToEndId that is no order in the caller's branches is reported UNKNOWN; an amount
  that is not the order's is a CONFLICT left for finance; entries without an order's id
  (fees, the account's funding) are only counted.
- The same file again changes nothing (each order already is what it says); another file
  under a statement id imported before is refused (STATEMENT_ALREADY_IMPORTED).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from services.chassis.camt053 import CamtEnd, CamtEntry, CamtHeader, read_camt053
from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.payment_orders import REFERENCE_MAX
from services.chassis.payout_file_store import PayoutFileRepository
from services.chassis.payout_rules import CURRENCY, BankStatus, Outcome, StatusReason, order_id_of, outcome_for
from services.chassis.payout_use_cases import OrderBook, StatusLine
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork

RETURNED = "RTND"  # the reason recorded when a returned payment names none


@dataclass(frozen=True)
class ImportPayoutStatement:
    """The command: the statement as read (checked whole), and the hash of its file."""

    header: CamtHeader
    entries: tuple[CamtEntry, ...]
    sha256: str


@dataclass(frozen=True)
class StatementImported:
    statement_id: str
    account: str
    already_imported: bool
    lines: tuple[StatusLine, ...]
    other_entries: int  # entries naming no order (fees, funding)


def read_payout_statement(data: bytes, sha256: str) -> ImportPayoutStatement:
    """The statement, its currency and its own totals checked (INVALID_ARGUMENT on `file`)."""
    items = list(read_camt053(io.BytesIO(data)))
    header = next(i for i in items if isinstance(i, CamtHeader))
    end = next(i for i in items if isinstance(i, CamtEnd))
    entries = tuple(i for i in items if isinstance(i, CamtEntry))
    currencies = {b.currency for b in (header.opening, end.closing)} | {e.currency for e in entries}
    if currencies - {CURRENCY, ""}:
        raise InvalidArgument.field("file", f"the statement is in {', '.join(sorted(currencies - {''}))}: the payout "
                                            f"account is kept in {CURRENCY}")
    net = sum(e.amount_sen for e in entries)
    if header.opening.amount_sen + net != end.closing.amount_sen:
        raise InvalidArgument.field("file", f"the totals do not add up: opening {_idr(header.opening.amount_sen)} + "
                                            f"entries {_idr(net)} = {_idr(header.opening.amount_sen + net)}, but the "
                                            f"closing balance is {_idr(end.closing.amount_sen)}")
    if end.declared_count is not None and end.declared_count != len(entries):
        raise InvalidArgument.field("file", f"TxsSummry declares {end.declared_count} entries, the file holds "
                                            f"{len(entries)}")
    if end.declared_net_sen is not None and end.declared_net_sen != net:
        raise InvalidArgument.field("file", f"TxsSummry declares a net of {_idr(end.declared_net_sen)}, the entries "
                                            f"sum to {_idr(net)}")
    _check_declared_sums(end, entries)
    return ImportPayoutStatement(header, entries, sha256)


def _check_declared_sums(end: CamtEnd, entries: tuple[CamtEntry, ...]) -> None:
    """TxsSummry's sum of every entry, and number and sum of the credits and of the debits, when given."""
    gross = sum(abs(e.amount_sen) for e in entries)
    if end.declared_gross_sen is not None and end.declared_gross_sen != gross:
        raise InvalidArgument.field("file", f"TxsSummry declares entries of {_idr(end.declared_gross_sen)} in all, "
                                            f"the entries sum to {_idr(gross)}")
    credits = [e.amount_sen for e in entries if e.amount_sen >= 0]
    debits = [-e.amount_sen for e in entries if e.amount_sen < 0]
    for side, declared, held in (("credit", end.declared_credits, credits), ("debit", end.declared_debits, debits)):
        if declared is not None and (declared.sum_sen != sum(held) or declared.count not in (None, len(held))):
            said = f"{declared.count} " if declared.count is not None else ""
            raise InvalidArgument.field("file", f"TxsSummry declares {said}{side} entries of {_idr(declared.sum_sen)}, "
                                                f"the file holds {len(held)} of {_idr(sum(held))}")


def import_statement(uow: UnitOfWork, scope: BranchScope, files: PayoutFileRepository, book: OrderBook,
                     command: ImportPayoutStatement, payout_account: str, today: date) -> StatementImported:
    header = command.header
    if _digits(header.account) != _digits(payout_account):
        raise RuleViolation("O-3", f"statement {header.statement_id} is of account {header.account}, not of the "
                                   f"payout account {payout_account}", code="NOT_THE_PAYOUT_ACCOUNT")
    before = files.statement(payout_account, header.statement_id)
    if before is not None and before.sha256 != command.sha256:
        raise RuleViolation("O-3", f"statement {header.statement_id} was imported before from another file",
                            code="STATEMENT_ALREADY_IMPORTED")
    lines: list[StatusLine] = []
    other = 0
    for entry in command.entries:
        if entry.booked_on > today:
            raise InvalidArgument.field("file", f"entry {entry.number} is booked on {entry.booked_on.isoformat()}, "
                                                f"in the future")
        found = [_line(book, entry, tx.end_to_end_id, tx.amount_sen, tx.return_reason, len(entry.transactions))
                 for tx in entry.transactions if order_id_of(tx.end_to_end_id)]
        lines += found
        if not found:
            other += 1
    paid = sum(1 for line in lines if line.outcome is Outcome.PAID)
    failed = sum(1 for line in lines if line.outcome is Outcome.FAILED)
    if before is None:
        files.add_statement(payout_account, header.statement_id, command.sha256, scope.principal.user_id, paid,
                            failed)
    uow.audit("payout_statement.import", f"{payout_account}/{header.statement_id}", {
        "sha256": command.sha256, "paid": paid, "failed": failed, "lines": len(lines), "other_entries": other})
    uow.count("payout_statement_imported")
    return StatementImported(header.statement_id, header.account, before is not None, tuple(lines), other)


def _line(book: OrderBook, entry: CamtEntry, end_to_end: str, amount_sen: int | None, reason: str,
          transactions: int) -> StatusLine:
    returned = entry.reversal or entry.amount_sen > 0
    status = BankStatus.FAILED if returned else BankStatus.PAID
    code = "RVSL" if entry.reversal else ("CRDT" if returned else "DBIT")
    order_id = order_id_of(end_to_end)
    order = book.visible_order(order_id) if order_id else None
    outcome = outcome_for(order.state.value if order is not None else None, status)
    shown = amount_sen if amount_sen is not None else (abs(entry.amount_sen) if transactions == 1 else None)
    if order is not None and outcome in (Outcome.PAID, Outcome.FAILED) and shown != order.amount * 100:
        outcome = Outcome.CONFLICT  # not the order's amount: never marked on a guess
    reference = (entry.bank_reference or f"camt.053 entry {entry.number}")[:REFERENCE_MAX]
    failure = reason or RETURNED
    if order is not None and outcome is Outcome.PAID:
        order = book.paid(order, entry.booked_on, reference)
    elif order is not None and outcome is Outcome.FAILED:
        order = book.failed(order, entry.booked_on, failure, "returned by the bank", f"camt.053 {reference}")
    return StatusLine(end_to_end, code, StatusReason(failure if returned else "", ""), outcome, order)


def _digits(account: str) -> str:
    return "".join(ch for ch in account if ch.isalnum())


def _idr(sen: int) -> str:
    return f"Rp{sen / 100:,.2f}"
