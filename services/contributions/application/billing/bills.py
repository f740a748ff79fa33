"""Reading bills and rendering SPI notices (C-5), within the caller's branch scope (O-2:
the repository applies it)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from services.chassis.errors import InvalidArgument
from services.chassis.scope import BranchScope
from services.contributions.adapters.bill_lookups import BillLookup, IssuedLines, workers_of
from services.contributions.adapters.bill_queries import BillCursor, BillRepository, BillRow, LineRow
from services.contributions.adapters.penalty_repository import PenaltyBook
from services.contributions.application.billing.commands import (
    BillPage, BillView, GetBill, ListBills, RenderSpi, SpiDocument, SpiFormat,
)
from services.contributions.application.billing.mapping import lines_part
from services.contributions.application.billing.spi_document import render_pdf, spi_lines
from services.contributions.application.context import ContributionsContext


#: The serialised lines GetBill keeps (`IssuedLines`): some 60 bytes a line, so a few
#: thousand bills of a few hundred lines.
ISSUED_LINES_BYTES = 64 * 1024 * 1024


class BillAnswer(NamedTuple):
    """GetBill's parts: the bill's row (read this call), its lines serialised
    (`mapping.lines_part`) and the number of workers they cover."""

    bill: Any
    lines: bytes
    worker_count: int


class BillReader:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx
        self.issued_lines = IssuedLines(ISSUED_LINES_BYTES)

    def get(self, scope: BranchScope, query: GetBill) -> BillView:
        """The bill as a BillRow and its LineRows, the shape use cases work on (GetBill's
        answer comes from `get_answer`)."""
        number = _required(query.bill_number)
        with self.ctx.base.lookup() as connection:
            repo = BillRepository(connection, scope)
            bill = repo.readable(number.strip(), key=number)
            return BillView(bill, repo.lines_of(bill))

    def get_answer(self, scope: BranchScope, query: GetBill) -> BillAnswer:
        """GetBill: the bill's row, its branch check (O-2) and the replica's names version
        every call; its lines from `issued_lines` while kept at that version, else read,
        serialised and kept."""
        number = _required(query.bill_number)
        with self.ctx.base.lookup() as connection:
            lookup = BillLookup(connection, scope)
            bill = lookup.bill(number.strip(), key=number)
            kept = self.issued_lines.get(bill.bill_number, bill.names_version)
            if kept is not None:
                return BillAnswer(bill, *kept)
            lines = lookup.lines(bill.bill_number)
        built, shown = lines_part(lines), workers_of(lines)
        self.issued_lines.put(bill.bill_number, bill.names_version, built, shown)
        return BillAnswer(bill, built, len(shown))

    def list(self, scope: BranchScope, query: ListBills) -> BillPage:
        with self.ctx.base.read_session() as session:
            rows = BillRepository(session, scope).page(npp=query.npp, branch_code=query.branch_code,
                                                       period=query.period, after=query.after, limit=query.size + 1)
        more = len(rows) > query.size
        last = rows[query.size - 1] if more else None
        return BillPage(rows[:query.size], BillCursor(last.period, last.bill_number) if last is not None else None)

    def render(self, scope: BranchScope, command: RenderSpi) -> SpiDocument:
        bill, lines, penalties = self._with_penalties(scope, command.bill_number)
        text = spi_lines(bill, lines, penalties)
        if command.format is SpiFormat.TEXT:
            content, content_type, extension = ("\n".join(text) + "\n").encode(), "text/plain; charset=utf-8", "txt"
        else:
            content, content_type, extension = render_pdf(text, title=f"SPI {bill.bill_number}"), "application/pdf", "pdf"
        return SpiDocument(bill.bill_number, content_type, f"{bill.bill_number}.{extension}", content)

    def _with_penalties(self, scope: BranchScope, bill_number: str
                        ) -> tuple[BillRow, Sequence[LineRow], Sequence[tuple[str, str, int]]]:
        number = _required(bill_number)
        with self.ctx.base.read_session() as session:
            repo = BillRepository(session, scope)
            bill = repo.readable(number.strip(), key=number)
            # As on the day it was issued, so the notice renders the same text every time.
            owed = PenaltyBook(session).outstanding_on(bill.npp, bill.issued_at.date())
            return bill, repo.lines_of(bill), [(p.bill_number, f"{p.period_year}-{p.period_month:02d}", amount)
                                               for p, amount in owed]


def _required(bill_number: str) -> str:
    if not bill_number.strip():
        raise InvalidArgument.field("bill_number", "required")
    return bill_number
