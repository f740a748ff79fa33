"""Reading bills and rendering SPI notices (C-5), within the caller's branch scope (O-2)."""
from __future__ import annotations

from jamsos.contributions.v1 import billing_pb2
from services.chassis.convert import decode_page_token, encode_page_token, page_size, to_period
from services.chassis.errors import InvalidArgument
from services.contributions.adapters.bill_queries import BillRepository
from services.contributions.adapters.penalty_repository import PenaltyBook
from services.contributions.application.billing.mapping import bill_to_proto
from services.contributions.application.context import ContributionsContext
from services.contributions.application.billing.spi_document import render_pdf, spi_lines
from services.contributions.domain.periods import Period


class BillReader:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get(self, request: billing_pb2.GetBillRequest) -> billing_pb2.GetBillResponse:
        bill, lines = self._bill_with_lines(request.bill_number, "read")
        return billing_pb2.GetBillResponse(bill=bill_to_proto(bill, lines))

    def list(self, request: billing_pb2.ListBillsRequest) -> billing_pb2.ListBillsResponse:
        scope = self.ctx.authorise_read()
        npp, branch = request.npp.strip(), request.branch_code.strip()
        if not npp and not branch:
            raise InvalidArgument.field("npp", "give an npp or a branch_code")
        with self.ctx.base.read_session() as session:
            repo = BillRepository(session, scope)
            repo.require_listable(branch)
            period = Period(*to_period(request, "period")) if request.HasField("period") else None
            limit = page_size(request.page)
            rows = repo.page(npp=npp or None, branch_code=branch or None, period=period,
                             after=decode_page_token(request.page.page_token), limit=limit + 1)
        response = billing_pb2.ListBillsResponse(bills=[bill_to_proto(b) for b in rows[:limit]])
        if len(rows) > limit:
            last = rows[limit - 1]
            response.page.next_page_token = encode_page_token({"y": last.period.year, "m": last.period.month, "b": last.bill_number})
        return response

    def render(self, request: billing_pb2.RenderSpiRequest) -> billing_pb2.RenderSpiResponse:
        bill, lines, penalties = self._bill_with_lines(request.bill_number, "render the SPI of", with_penalties=True)
        text = spi_lines(bill, lines, penalties)
        if request.format == billing_pb2.SPI_FORMAT_TEXT:
            content, content_type, extension = ("\n".join(text) + "\n").encode(), "text/plain; charset=utf-8", "txt"
        else:
            content, content_type, extension = render_pdf(text, title=f"SPI {bill.bill_number}"), "application/pdf", "pdf"
        return billing_pb2.RenderSpiResponse(bill_number=bill.bill_number, content_type=content_type,
                                             file_name=f"{bill.bill_number}.{extension}", content=content)

    def _bill_with_lines(self, bill_number: str, verb: str, *, with_penalties: bool = False):
        scope = self.ctx.authorise_read()
        if not bill_number.strip():
            raise InvalidArgument.field("bill_number", "required")
        if not with_penalties:  # GetBill: two statements built once, on the lookup path
            with self.ctx.base.lookup() as connection:
                repo = BillRepository(connection, scope)
                bill = repo.readable(bill_number.strip(), key=bill_number)
                return bill, repo.lines_of(bill)
        with self.ctx.base.read_session() as session:
            repo = BillRepository(session, scope)
            bill = repo.readable(bill_number.strip(), key=bill_number)
            # As on the day it was issued, so the notice renders the same text every time.
            owed = PenaltyBook(session).outstanding_on(bill.npp, bill.issued_at.date())
            return bill, repo.lines_of(bill), [(p.bill_number, f"{p.period_year}-{p.period_month:02d}", amount)
                                               for p, amount in owed]

