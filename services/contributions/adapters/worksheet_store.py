"""Reconciliation worksheets (C-7) as rows: the domain `ReconciliationWorksheet` in and out."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, UTC

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.chassis.errors import NotFound
from services.chassis.repository import ScopedRepository

from services.contributions.adapters.money_tables import (
    worksheet_bills, worksheet_differences, worksheet_payments, worksheets,
)
from services.contributions.domain.penalty import LatePenalty, PenaltyPortion
from services.contributions.domain.periods import Period
from services.contributions.domain.reconciliation import (
    Difference, DifferenceKind, ReceivedPayment, ReconciliationWorksheet, WorksheetState,
)


@dataclass(frozen=True)
class StoredWorksheet:
    worksheet: ReconciliationWorksheet
    branch_code: str
    bill_numbers: tuple[str, ...]
    prepared_on: date
    jht_posted_rupiah: int


def _portions_json(penalty: LatePenalty) -> str:
    return json.dumps([{"amount": p.amount_rupiah, "paid_on": p.paid_on.isoformat() if p.paid_on else None,
                        "months": p.months_late, "penalty": p.penalty_rupiah} for p in penalty.portions])


def _portions(text: str) -> LatePenalty:
    return LatePenalty(tuple(PenaltyPortion(p["amount"], date.fromisoformat(p["paid_on"]) if p["paid_on"] else None,
                                            p["months"], p["penalty"]) for p in json.loads(text)))


def insert_worksheet(session: Session, ws: ReconciliationWorksheet, branch_code: str, bill_numbers: list[str],
                     prepared_on: date) -> None:
    session.execute(insert(worksheets).values(
        worksheet_id=ws.worksheet_id, npp=ws.npp, branch_code=branch_code, period_year=ws.period.year,
        period_month=ws.period.month, billed_rupiah=ws.billed_rupiah, reported_rupiah=ws.reported_rupiah,
        received_rupiah=ws.matched_received_rupiah, penalty_due_rupiah=ws.penalty_due_rupiah,
        penalty_charged_rupiah=ws.penalty_billed_rupiah, penalty_portions=_portions_json(ws.penalty),
        state=ws.state.value, prepared_by=ws.prepared_by, prepared_on=prepared_on, jht_posted_rupiah=0,
        created_at=datetime.now(UTC)))
    session.execute(insert(worksheet_bills), [{"worksheet_id": ws.worksheet_id, "bill_number": n} for n in bill_numbers])
    if ws.payments:
        session.execute(insert(worksheet_payments), [dict(
            worksheet_id=ws.worksheet_id, bank_reference=p.bank_reference, amount_rupiah=p.amount_rupiah,
            received_on=p.received_on, matched=p.matched) for p in ws.payments])
    if ws.differences:
        session.execute(insert(worksheet_differences), [dict(
            worksheet_id=ws.worksheet_id, kind=d.kind.value, amount_rupiah=d.amount_rupiah,
            bank_reference=d.bank_reference) for d in ws.differences])


def load_worksheet(session: Session, worksheet_id: str, *, lock: bool = False) -> StoredWorksheet | None:
    statement = select(worksheets).where(worksheets.c.worksheet_id == worksheet_id)
    r = session.execute(statement.with_for_update() if lock else statement).first()
    if r is None:
        return None
    payments = session.execute(select(worksheet_payments).where(worksheet_payments.c.worksheet_id == worksheet_id)
                               .order_by(worksheet_payments.c.id))
    differences = session.execute(select(worksheet_differences)
                                  .where(worksheet_differences.c.worksheet_id == worksheet_id)
                                  .order_by(worksheet_differences.c.id))
    bills = session.execute(select(worksheet_bills.c.bill_number).where(worksheet_bills.c.worksheet_id == worksheet_id)
                            .order_by(worksheet_bills.c.bill_number)).scalars()
    ws = ReconciliationWorksheet(
        worksheet_id=r.worksheet_id, npp=r.npp, period=Period(r.period_year, r.period_month),
        billed_rupiah=int(r.billed_rupiah), reported_rupiah=int(r.reported_rupiah),
        payments=tuple(ReceivedPayment(p.bank_reference, int(p.amount_rupiah), p.received_on, p.matched)
                       for p in payments),
        penalty=_portions(r.penalty_portions), penalty_billed_rupiah=int(r.penalty_charged_rupiah),
        differences=tuple(Difference(DifferenceKind(d.kind), int(d.amount_rupiah), d.bank_reference)
                          for d in differences),
        prepared_by=r.prepared_by, state=WorksheetState(r.state), validated_by=r.validated_by,
        validated_on=r.validated_on, posted_by=r.posted_by, posted_on=r.posted_on)
    return StoredWorksheet(ws, r.branch_code, tuple(bills), r.prepared_on, int(r.jht_posted_rupiah))


def save_state(session: Session, ws: ReconciliationWorksheet, jht_posted_rupiah: int | None = None) -> None:
    values = dict(state=ws.state.value, validated_by=ws.validated_by, validated_on=ws.validated_on,
                  posted_by=ws.posted_by, posted_on=ws.posted_on)
    if jht_posted_rupiah is not None:
        values["jht_posted_rupiah"] = jht_posted_rupiah
    session.execute(update(worksheets).where(worksheets.c.worksheet_id == ws.worksheet_id).values(**values))


class WorksheetRepository(ScopedRepository):
    """Worksheets as a caller sees them (O-2): another branch's worksheet is NotFound, one
    the caller may only read is refused for a change."""

    def readable(self, worksheet_id: str) -> StoredWorksheet:  # type: ignore[override]
        stored = self.found_or_hidden(lambda: load_worksheet(self.session, worksheet_id))
        if stored is None:
            raise NotFound("worksheet", worksheet_id)
        self.scope.require_read_record(stored.branch_code, "worksheet", worksheet_id)
        return stored

    def writable(self, worksheet_id: str) -> StoredWorksheet:  # type: ignore[override]
        """The worksheet, locked for the change."""
        stored = self.found_or_hidden(lambda: load_worksheet(self.session, worksheet_id, lock=True))
        if stored is None:
            raise NotFound("worksheet", worksheet_id)
        self.scope.require_write_record(stored.branch_code, "worksheet", worksheet_id)
        return stored
