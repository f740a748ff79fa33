"""The JHT ledger's requests as commands and its results as API messages (ledger.proto)."""
from __future__ import annotations

from jamsos.contributions.v1 import ledger_pb2
from services.chassis.convert import from_date, from_rupiah, to_date
from services.chassis.errors import InvalidArgument
from services.contributions.adapters.jht_repository import Settlement
from services.contributions.application.ledger.commands import (
    GetJhtBalance, GetJhtStatement, GetYearlyReturnsRun, JhtBalance, RunYearlyReturns, SettleJht, YearlyReturns,
)
from services.contributions.application.money.mapping import run_to_proto
from services.contributions.domain.jht_ledger import EntryKind, JhtStatement

KIND_TO_PROTO = {EntryKind.CONTRIBUTION: ledger_pb2.LEDGER_ENTRY_KIND_CONTRIBUTION,
                 EntryKind.RETURN: ledger_pb2.LEDGER_ENTRY_KIND_RETURN,
                 EntryKind.SETTLEMENT: ledger_pb2.LEDGER_ENTRY_KIND_SETTLEMENT}


def _kpj(request) -> str:
    if not request.kpj.strip():
        raise InvalidArgument.field("kpj", "required")
    return request.kpj


# ---- requests -> commands ---------------------------------------------------------------
def get_balance(request: ledger_pb2.GetJhtBalanceRequest) -> GetJhtBalance:
    on = to_date(request, "on_date", required=False)
    return GetJhtBalance(_kpj(request), on)


def get_statement(request: ledger_pb2.GetJhtStatementRequest) -> GetJhtStatement:
    year = _year(request.year)
    return GetJhtStatement(_kpj(request), year)


def run_yearly_returns(request: ledger_pb2.RunYearlyReturnsRequest) -> RunYearlyReturns:
    return RunYearlyReturns(request.year)


def _year(year: int) -> int:
    if not 1900 <= year <= 9998:
        raise InvalidArgument.field("year", "required: a calendar year")
    return year


def get_returns_run(request: ledger_pb2.GetYearlyReturnsRunRequest) -> GetYearlyReturnsRun:
    return GetYearlyReturnsRun(_year(request.year))


def settle_jht(request: ledger_pb2.SettleJhtRequest) -> SettleJht:
    if not request.kpj or not request.claim_id:
        raise InvalidArgument.field("kpj" if not request.kpj else "claim_id", "required")
    settled_on = to_date(request, "settled_on")
    assert settled_on is not None  # required
    return SettleJht(request.kpj, request.claim_id, settled_on)


# ---- results -> messages ----------------------------------------------------------------
def balance_to_proto(b: JhtBalance) -> ledger_pb2.GetJhtBalanceResponse:
    return ledger_pb2.GetJhtBalanceResponse(kpj=b.kpj, on_date=from_date(b.on_date), balance=from_rupiah(b.balance_rupiah))


def settled_to_proto(r: Settlement) -> ledger_pb2.SettleJhtResponse:
    return ledger_pb2.SettleJhtResponse(
        kpj=r.kpj, claim_id=r.claim_id, amount=from_rupiah(int(r.amount_rupiah)),
        part_year_return=from_rupiah(int(r.part_year_return_rupiah)), settled_on=from_date(r.settled_on))


def returns_to_proto(r: YearlyReturns) -> ledger_pb2.RunYearlyReturnsResponse:
    response = ledger_pb2.RunYearlyReturnsResponse(year=r.year, rate_bp=r.rate_bp, already_run=r.already_run)
    if not r.already_run:
        response.members_credited = r.members_credited
        response.total_credited.CopyFrom(from_rupiah(r.total_rupiah))
    if r.run is not None:
        response.progress.CopyFrom(run_to_proto(r.run))
    return response


def statement_to_proto(s: JhtStatement) -> ledger_pb2.GetJhtStatementResponse:
    """A member's yearly statement (`domain.jht_ledger.statement`)."""
    return ledger_pb2.GetJhtStatementResponse(
        kpj=s.kpj, year=s.year, opening=from_rupiah(s.opening_rupiah), closing=from_rupiah(s.closing_rupiah),
        lines=[ledger_pb2.JhtStatementLine(posted_on=from_date(line.posted_on), kind=KIND_TO_PROTO[line.kind],
                                           reference=line.reference, amount=from_rupiah(line.amount_rupiah))
               for line in s.lines],
        contributions=from_rupiah(s.total(EntryKind.CONTRIBUTION)), returns=from_rupiah(s.total(EntryKind.RETURN)),
        settlements=from_rupiah(s.total(EntryKind.SETTLEMENT)))
