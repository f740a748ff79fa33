"""Import of a bank's statement file as the bank sent it (C-7): MT940 or camt.053.

One transaction, read as a stream, twice: first for the employers its lines name (their
money turns taken up front, in NPP order), then the header (an imported statement's id with
another file is refused), then each line through the same path as every receipt
(`statement_file_lines.record_statement_line`: C-7 matching by the NPP and bill number
found in the remittance information, then the line's amount and date as for any receipt:
the named bill, then the oldest open bills, lateness from the date; unmatched to suspense),
then the file's own totals (`StatementTally.check`: balances, declared counts and sums).
A file that does not add up, is truncated, malformed, not in rupiah or an XML bomb raises
before the commit, so nothing it held is written: the lines already recorded roll back
with it. The same file again: every line meets its own reference (DUPLICATE) and the
statement row is kept as it was. Each import keeps its per-line outcomes under its own id,
written as they come (`bank_file_store.LineOutcomes`) and read back a page at a time by
`statement_lines`; the answer holds their counts and, up to `RESULTS_INLINE_MAX`, the lines.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from services.chassis.errors import RuleViolation
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import bank_file_store, money_bills
from services.contributions.adapters.bank_file_store import LineOutcomes, StatementLineRepository, StoredLine
from services.contributions.adapters.bank_file_upload import Upload
from services.contributions.adapters.camt_statement import read_camt053
from services.contributions.adapters.mt940_statement import read_mt940
from services.contributions.adapters.payment_repository import PaymentRepository
from services.contributions.application.money.recording import PaymentLine
from services.contributions.application.money.matching import recompute_standings
from services.contributions.application.money.statement_file_lines import (
    RECORDED, REJECTED, SKIPPED, LineRecorded, record_statement_line,
)
from services.contributions.domain.bank_file import (
    BankFileFormat, Remittance, StatementEnd, StatementHeader, StatementLine, StatementTally, StatementTotals,
    line_reference, malformed, remittance_identifiers, whole_rupiah,
)

MAX_FILE_BYTES = 50 * 1024 * 1024
# A line's outcome takes 75 to 100 bytes on the wire: 10,000 of them stay well under gRPC's
# 4 MB default receive size (a 200,000-line statement's would be 15 MB). Beyond, the answer
# is the summary and the lines are paged (ListStatementLines).
RESULTS_INLINE_MAX = 10_000
StatementItem = StatementHeader | StatementLine | StatementEnd


@dataclass(frozen=True)
class ImportStatementFile:
    """The command: which file format, which branch receives the unmatched lines."""

    request_id: str
    branch_code: str
    file_format: BankFileFormat


@dataclass(frozen=True)
class ListStatementLines:
    """A page of one import's line outcomes, after line `after_line` (0: from the first)."""

    import_id: str
    after_line: int
    size: int


@dataclass
class LineSummary:
    """What an answer carries of the lines: how many had each outcome (and were kept in
    suspense), and the lines themselves while there are at most `inline_max`."""

    inline_max: int
    counts: Counter[str] = field(default_factory=Counter)
    suspense: int = 0
    kept: list[StoredLine] = field(default_factory=list)

    def add(self, line: StoredLine) -> None:
        self.counts[line.outcome] += 1
        if line.outcome == RECORDED and line.status == "SUSPENSE":
            self.suspense += 1
        if len(self.kept) <= self.inline_max:
            self.kept.append(line)

    @property
    def omitted(self) -> bool:
        return len(self.kept) > self.inline_max

    @property
    def lines(self) -> list[StoredLine]:
        """Every line's outcome, or none beyond the limit (they are paged)."""
        return [] if self.omitted else self.kept


@dataclass(frozen=True)
class StatementFileImported:
    import_id: str
    header: StatementHeader
    file_format: BankFileFormat
    totals: StatementTotals
    already_imported: bool
    lines: LineSummary
    sha256: str


@dataclass(frozen=True)
class StatementLinePage:
    lines: list[StoredLine]
    more: bool  # another page follows the last line


def statement_items(file_format: BankFileFormat, upload: Upload) -> Iterator[StatementItem]:
    """The file read by its format's reader, as a stream."""
    if file_format is BankFileFormat.MT940:
        return read_mt940(upload.text_lines())
    return read_camt053(upload.binary())


def import_statement_file(uow: UnitOfWork, scope: BranchScope, command: ImportStatementFile, upload: Upload,
                          read_items: Callable[[], Iterator[StatementItem]], today: date, user: str,
                          inline_max: int = RESULTS_INLINE_MAX) -> StatementFileImported:
    """`read_items` reads the file from its start each time it is called: once for the
    employers its lines name, once for the lines."""
    PaymentRepository(uow.session, scope).require_suspense_branch(command.branch_code)
    # The employers the file names take their turns first, in NPP order (not the file's): two
    # files naming them in opposite orders would each hold one turn and wait for the other's.
    money_bills.take_employer_turns(uow.session, employers_named(uow, read_items()))
    items = read_items()  # one reading at a time: the readings share the file's position
    first = next(items, None)
    if not isinstance(first, StatementHeader):
        raise malformed("the file holds no statement")
    header, tally = first, StatementTally(first)
    key = bank_file_store.statement_key(header.account, header.statement_id)
    before = bank_file_store.imported(uow.session, key)
    if before is not None and before.file_sha256 != upload.sha256:
        raise RuleViolation("C-7", f"statement {header.statement_id} of account {header.account} was imported "
                                   f"before from another file", code="STATEMENT_ALREADY_IMPORTED")
    outcomes, summary = LineOutcomes(uow.session, uuid7()), LineSummary(inline_max)
    end: StatementEnd | None = None
    touched: set[str] = set()  # employers whose standing is recomputed once, after the lines
    for item in items:
        if isinstance(item, StatementLine):
            tally.add(item)
            line = _import_line(uow, scope, command, header, item, today, user, touched)
            outcomes.add(line)
            summary.add(line)
        elif isinstance(item, StatementEnd):
            end = item
    if end is None:
        raise malformed("the statement is truncated: it has no end")
    totals = tally.check(end)  # raises before the commit: nothing of a file that does not add up stays
    recompute_standings(uow, touched, today)
    if before is None:
        bank_file_store.record_statement(
            uow.session, statement_key=key, statement_id=header.statement_id[:120], account=header.account[:120],
            file_format=command.file_format.value, file_sha256=upload.sha256, branch_code=command.branch_code,
            opening_sen=totals.opening_sen, credits_sen=totals.credits_sen, debits_sen=totals.debits_sen,
            closing_sen=totals.closing_sen, line_count=totals.lines, closing_on=totals.closing_on, imported_by=user)
        uow.audit("bank_statement.import", key, {"format": command.file_format.value, "sha256": upload.sha256,
                                                 "lines": totals.lines, "closing_sen": totals.closing_sen})
    bank_file_store.record_import(uow.session, outcomes=outcomes, statement_key=key, branch_code=command.branch_code,
                                  imported_by=user)
    uow.count("bank_statement_file_imported")
    return StatementFileImported(outcomes.import_id, header, command.file_format, totals, before is not None, summary,
                                 upload.sha256)


def employers_named(uow: UnitOfWork, items: Iterator[StatementItem]) -> set[str]:
    """The employers the file's lines name: by NPP, or by a bill number alone (its employer,
    as a line's recording finds it). Every line's, also those `_import_line` will not record:
    a turn too many costs nothing, one missing is taken at its line (out of NPP order)."""
    npps: set[str] = set()
    bills_alone: set[str] = set()
    for item in items:
        if isinstance(item, StatementLine):
            named = remittance_identifiers(item.remittance)
            if named.npp:
                npps.add(named.npp)
            elif named.bill_number:
                bills_alone.add(named.bill_number)
    return npps | money_bills.employers_of_bills(uow.session, bills_alone)


def statement_lines(repo: StatementLineRepository, query: ListStatementLines) -> StatementLinePage:
    """O-2 is the repository's: another branch's import is NotFound."""
    found = repo.page(query.import_id, after_line=query.after_line, limit=query.size + 1)
    return StatementLinePage(found[:query.size], len(found) > query.size)


def _import_line(uow: UnitOfWork, scope: BranchScope, command: ImportStatementFile, header: StatementHeader,
                 line: StatementLine, today: date, user: str, touched: set[str]) -> StoredLine:
    reference = line_reference(header.statement_id, line)
    named = remittance_identifiers(line.remittance)
    rupiah = whole_rupiah(line.amount_sen)
    if line.amount_sen <= 0:
        recorded = LineRecorded(SKIPPED, reason="a debit or a zero amount: not a contribution receipt")
    elif rupiah is None:
        recorded = LineRecorded(REJECTED, reason="a fraction of a rupiah: payments are whole rupiah")
    else:
        recorded = record_statement_line(uow, scope, PaymentLine(
            reference, rupiah, line.booked_on, named.npp or "", named.bill_number or "", command.branch_code),
            today, user, touched)
    return _stored_line(line, reference, named, recorded)


def _stored_line(line: StatementLine, reference: str, named: Remittance, recorded: LineRecorded) -> StoredLine:
    return StoredLine(line.number, reference, recorded.outcome, recorded.payment_id, recorded.status, recorded.reason,
                      line.amount_sen, line.booked_on, named.npp or "", named.bill_number or "", recorded.bills)
