"""The JHT ledger as API messages (ledger.proto)."""
from __future__ import annotations

from jamsos.contributions.v1 import ledger_pb2
from services.chassis.convert import from_date, from_rupiah
from services.contributions.adapters.jht_repository import Settlement
from services.contributions.domain.jht_ledger import EntryKind

KIND_TO_PROTO = {EntryKind.CONTRIBUTION: ledger_pb2.LEDGER_ENTRY_KIND_CONTRIBUTION,
                 EntryKind.RETURN: ledger_pb2.LEDGER_ENTRY_KIND_RETURN,
                 EntryKind.SETTLEMENT: ledger_pb2.LEDGER_ENTRY_KIND_SETTLEMENT}


def settled_to_proto(r: Settlement) -> ledger_pb2.SettleJhtResponse:
    return ledger_pb2.SettleJhtResponse(
        kpj=r.kpj, claim_id=r.claim_id, amount=from_rupiah(int(r.amount_rupiah)),
        part_year_return=from_rupiah(int(r.part_year_return_rupiah)), settled_on=from_date(r.settled_on))


def statement_to_proto(s) -> ledger_pb2.GetJhtStatementResponse:
    """A member's yearly statement (`domain.jht_ledger.statement`)."""
    return ledger_pb2.GetJhtStatementResponse(
        kpj=s.kpj, year=s.year, opening=from_rupiah(s.opening_rupiah), closing=from_rupiah(s.closing_rupiah),
        lines=[ledger_pb2.JhtStatementLine(posted_on=from_date(line.posted_on), kind=KIND_TO_PROTO[line.kind],
                                           reference=line.reference, amount=from_rupiah(line.amount_rupiah))
               for line in s.lines],
        contributions=from_rupiah(s.total(EntryKind.CONTRIBUTION)), returns=from_rupiah(s.total(EntryKind.RETURN)),
        settlements=from_rupiah(s.total(EntryKind.SETTLEMENT)))
