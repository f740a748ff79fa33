"""Reading bills and rendering SPI notices (C-5), within the caller's branch scope (O-2:
the repository applies it)."""
from __future__ import annotations

from collections.abc import Sequence

from services.chassis.errors import InvalidArgument
from services.chassis.scope import BranchScope
from services.contributions.adapters.bill_lookups import BillLookup, BillRows
from services.contributions.adapters.bill_queries import BillCursor, BillRepository, BillRow, LineRow
from services.contributions.adapters.penalty_repository import PenaltyBook
from services.contributions.application.billing.commands import (
    BillPage, BillView, GetBill, ListBills, RenderSpi, SpiDocument, SpiFormat,
)
from services.contributions.application.billing.spi_document import render_pdf, spi_lines
from services.contributions.application.context import ContributionsContext


class BillReader:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get(self, scope: BranchScope, query: GetBill) -> BillView:
        """The bill as a BillRow and its LineRows, the shape use cases work on (GetBill's
        answer comes from `get_rows`)."""
        number = _required(query.bill_number)
        with self.ctx.base.lookup() as connection:
            repo = BillRepository(connection, scope)
            bill = repo.readable(number.strip(), key=number)
            return BillView(bill, repo.lines_of(bill))

    def get_rows(self, scope: BranchScope, query: GetBill) -> BillRows:
        """GetBill: the bill and its lines as the lookup path reads them (two statements
        built once), for the mapping to copy straight into the answer."""
        number = _required(query.bill_number)
        with self.ctx.base.lookup() as connection:
            return BillLookup(connection, scope).readable(number.strip(), key=number)

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
