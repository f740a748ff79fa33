"""ReconciliationService's requests as commands and its results as responses
(reconciliation.proto); the worksheet message itself is `money.mapping`'s."""
from __future__ import annotations

from jamsos.contributions.v1 import reconciliation_pb2 as pb
from services.chassis.convert import from_rupiah, to_period, to_rupiah
from services.chassis.errors import InvalidArgument
from services.contributions.application.money import reconciliation_commands as c
from services.contributions.application.money.mapping import worksheet_to_proto
from services.contributions.domain.periods import Period


def prepare(request: pb.PrepareWorksheetRequest) -> c.PrepareWorksheet:
    period = Period(*to_period(request, "period"))
    reported = to_rupiah(request, "reported_amount")
    if reported < 0:
        raise InvalidArgument.field("reported_amount", "cannot be negative")
    return c.PrepareWorksheet(request.npp, period, reported)


def step(request: pb.ValidateWorksheetRequest | pb.PostWorksheetRequest | pb.GetWorksheetRequest) -> c.WorksheetStep:
    return c.WorksheetStep(request.worksheet_id)


def posted_to_proto(posted: c.WorksheetPosted) -> pb.PostWorksheetResponse:
    return pb.PostWorksheetResponse(
        worksheet=worksheet_to_proto(posted.worksheet),
        postings=[pb.JhtPosting(kpj=p.kpj, bill_number=p.bill_number, amount=from_rupiah(p.amount_rupiah),
                                reference=p.reference, balance=from_rupiah(p.balance_rupiah)) for p in posted.postings],
        unpaid_bill_numbers=posted.unpaid_bill_numbers, waiting_credit_notes=posted.waiting_credit_notes)
