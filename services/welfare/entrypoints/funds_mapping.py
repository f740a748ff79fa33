"""FundService protobuf <-> commands and results."""
from __future__ import annotations

from datetime import date

from jamsos.welfare.v1 import fund_pb2
from services.chassis.convert import from_date, from_rupiah
from services.chassis.errors import InvalidArgument
from services.welfare.adapters.fund_store import LedgerEntry
from services.welfare.application.funds import AllocateToFund, Allocation, FundBalance, FundEntriesQuery, FundQuery
from services.welfare.application.paging import Page
from services.welfare.domain.fund import EntryKind
from services.welfare.domain.programs import Fund
from services.welfare.entrypoints.convert import (
    REFERENCE_MAX, money, next_page, optional_day, page_after, required_enum, required_text, text,
)

FUND_TO_PROTO = {Fund.DPKP: fund_pb2.FUND_DPKP, Fund.PARTNERSHIP: fund_pb2.FUND_PARTNERSHIP}
FUND = {v: k for k, v in FUND_TO_PROTO.items()}
KIND_TO_PROTO = {EntryKind.ALLOCATION: fund_pb2.FUND_ENTRY_KIND_ALLOCATION,
                 EntryKind.DISBURSEMENT: fund_pb2.FUND_ENTRY_KIND_DISBURSEMENT,
                 EntryKind.REPAYMENT: fund_pb2.FUND_ENTRY_KIND_REPAYMENT}
REGION_MAX = 30


def region(value: str) -> str:
    return required_text(value, "region_code", max_length=REGION_MAX).upper()


def allocate(request: fund_pb2.AllocateToFundRequest) -> AllocateToFund:
    reason = text(request.reason, "reason", max_length=2000)
    if reason is None:
        raise InvalidArgument.field("reason", "required: why the money is allocated (the decision)")
    return AllocateToFund(region(request.region_code), required_enum(FUND, request.fund, "fund"),
                          money(request, "amount"), optional_day(request, "booked_on"),
                          required_text(request.reference, "reference", max_length=REFERENCE_MAX), reason)


def balance(request: fund_pb2.GetFundBalanceRequest) -> FundQuery:
    return FundQuery(region(request.region_code), required_enum(FUND, request.fund, "fund"),
                     optional_day(request, "on_date"))


def entries(request: fund_pb2.ListFundEntriesRequest) -> FundEntriesQuery:
    size, after = page_after(request.page)
    if after is not None and not (isinstance(after, list) and len(after) == 2 and all(isinstance(x, str) for x in after)):
        raise InvalidArgument.field("page.page_token", "not a token this service issued")
    key = None if after is None else (str(after[0]), str(after[1]))
    try:
        if key is not None:
            date.fromisoformat(key[0])
    except ValueError:
        raise InvalidArgument.field("page.page_token", "not a token this service issued") from None
    return FundEntriesQuery(region(request.region_code), required_enum(FUND, request.fund, "fund"), key, size)


def entry_to_proto(entry: LedgerEntry) -> fund_pb2.FundEntry:
    return fund_pb2.FundEntry(entry_id=entry.entry_id, region_code=entry.region_code, fund=FUND_TO_PROTO[entry.fund],
                              kind=KIND_TO_PROTO[entry.kind], amount=from_rupiah(entry.amount),
                              booked_on=from_date(entry.booked_on), reference=entry.reference,
                              loan_id=entry.loan_id or "")


def allocate_response(result: Allocation) -> fund_pb2.AllocateToFundResponse:
    return fund_pb2.AllocateToFundResponse(entry=entry_to_proto(result.entry), balance=from_rupiah(result.balance_rupiah))


def balance_response(result: FundBalance) -> fund_pb2.GetFundBalanceResponse:
    return fund_pb2.GetFundBalanceResponse(region_code=result.region_code, fund=FUND_TO_PROTO[result.fund],
                                           on_date=from_date(result.on_date), balance=from_rupiah(result.balance_rupiah))


def entries_response(page: Page[LedgerEntry]) -> fund_pb2.ListFundEntriesResponse:
    response = fund_pb2.ListFundEntriesResponse(entries=[entry_to_proto(e) for e in page.items])
    last = page.items[-1] if page.items else None
    next_page(response.page, [last.booked_on.isoformat(), last.entry_id] if last else None, page.more)
    return response
