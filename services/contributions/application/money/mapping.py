"""The money side as API messages: payments, allocations, bill balances, penalties and
their corrections, standing, reconciliation worksheets."""
from __future__ import annotations

from typing import Any, TypeVar
from collections.abc import Mapping, Sequence

from jamsos.contributions.v1 import payments_pb2, penalties_pb2, reconciliation_pb2 as rec_pb, standing_pb2
from services.chassis.convert import from_date, from_period, from_rupiah
from services.contributions.adapters import money_bills, payment_store
from services.contributions.application.billing.mapping import BILL_STATUS
from services.contributions.adapters.penalty_repository import (
    APPROVED, ASSESSED, CORRECTED, PENDING, REJECTED, WAIVED, PenaltyBook, PenaltyCorrection, PenaltyWithCorrections,
)
from services.contributions.adapters.worksheet_store import StoredWorksheet
from services.contributions.application.money.matching import MatchResult
from services.contributions.application.money.standing_state import StandingView
from services.contributions.domain.standing import AgeingBucket

R = TypeVar("R")

# ---- payments ------------------------------------------------------------------------
STATUS_TO_PROTO = {payment_store.MATCHED: payments_pb2.PAYMENT_STATUS_MATCHED,
                   payment_store.SUSPENSE: payments_pb2.PAYMENT_STATUS_SUSPENSE}


def allocation_to_proto(a: Mapping[str, Any]) -> payments_pb2.PaymentAllocation:
    return payments_pb2.PaymentAllocation(
        payment_id=a["payment_id"], bill_number=a["bill_number"], amount=from_rupiah(int(a["amount_rupiah"])),
        allocated_on=from_date(a["allocated_on"]), from_credit=bool(a["from_credit"]))


def payment_to_proto(p: payment_store.StoredPayment, allocations: Sequence[Mapping[str, Any]]) -> payments_pb2.Payment:
    return payments_pb2.Payment(
        payment_id=p.payment_id, bank_reference=p.bank_reference, npp=p.npp or "", branch_code=p.branch_code,
        amount=from_rupiah(int(p.amount_rupiah)), paid_on=from_date(p.paid_on), status=STATUS_TO_PROTO[p.status],
        bill_number=p.bill_number or "", allocations=[allocation_to_proto(a) for a in allocations],
        credit=from_rupiah(int(p.credit_rupiah)), suspense_reason=p.suspense_reason or "")


def payments_to_proto(session, rows: Sequence[payment_store.StoredPayment]) -> list[payments_pb2.Payment]:
    allocations = payment_store.allocations_of(session, [r.payment_id for r in rows])
    return [payment_to_proto(r, allocations[r.payment_id]) for r in rows]


def bill_balance(bill: money_bills.BillRow) -> payments_pb2.BillBalance:
    return payments_pb2.BillBalance(
        bill_number=bill.bill_number, total=from_rupiah(bill.total_rupiah), paid=from_rupiah(bill.paid_rupiah),
        outstanding=from_rupiah(bill.outstanding_rupiah), status=bill.status, settled_on=from_date(bill.settled_on),
        status_code=BILL_STATUS.get(bill.status, 0))


def match_response(session, response_cls: type[R], payment_id: str, match: MatchResult | None) -> R:
    """RecordPayment / AssignSuspensePayment response: the payment, credit applied before
    it, the bills touched, penalties assessed and the employer's credit after it."""
    row = payment_store.get_payment(session, payment_id)
    response = response_cls(payment=payments_to_proto(session, [row])[0])
    if match is not None:
        response.credit_applied.extend(allocation_to_proto(a) for a in match.credit_applied)
        response.bills.extend(bill_balance(money_bills.get_bill(session, n)) for n in match.bill_numbers)
        response.penalties.extend(penalties_to_proto(PenaltyBook(session).with_corrections(match.penalty_ids)))
        response.penalty_payments.extend(penalties_pb2.PenaltyPayment(
            penalty_id=p["penalty_id"], source_id=p["source_id"], amount=from_rupiah(p["amount_rupiah"]),
            paid_on=from_date(p["paid_on"]), from_credit=p["from_credit"]) for p in match.penalty_payments)
    if row.npp:
        response.employer_credit.CopyFrom(from_rupiah(payment_store.employer_credit(session, row.npp)))
    return response


# ---- penalties (C-6) and their corrections (O-4) ----------------------------------------
PENALTY_STATUS_TO_PROTO = {ASSESSED: penalties_pb2.PENALTY_STATUS_ASSESSED,
                           CORRECTED: penalties_pb2.PENALTY_STATUS_CORRECTED,
                           WAIVED: penalties_pb2.PENALTY_STATUS_WAIVED}
CORRECTION_TO_PROTO = {PENDING: penalties_pb2.PENALTY_CORRECTION_STATUS_PENDING,
                       APPROVED: penalties_pb2.PENALTY_CORRECTION_STATUS_APPROVED,
                       REJECTED: penalties_pb2.PENALTY_CORRECTION_STATUS_REJECTED}


def correction_to_proto(r: PenaltyCorrection) -> penalties_pb2.PenaltyCorrection:
    return penalties_pb2.PenaltyCorrection(
        correction_id=r.correction_id, penalty_id=r.penalty_id, new_amount=from_rupiah(int(r.new_amount_rupiah)),
        waive=r.waive, reason=r.reason, status=CORRECTION_TO_PROTO[r.status], requested_by=r.requested_by,
        approved_by=r.approved_by or "", rejected_by=r.rejected_by or "", rejection_reason=r.rejection_reason or "")


def penalty_to_proto(found: PenaltyWithCorrections) -> penalties_pb2.Penalty:
    r = found.penalty
    return penalties_pb2.Penalty(
        penalty_id=r.penalty_id, bill_number=r.bill_number, npp=r.npp, branch_code=r.branch_code,
        period=from_period(r.period_year, r.period_month),
        late_contribution=from_rupiah(int(r.late_contribution_rupiah)),
        months_late=r.months_late, assessed_amount=from_rupiah(int(r.assessed_rupiah)),
        amount=from_rupiah(int(r.amount_rupiah)), status=PENALTY_STATUS_TO_PROTO[r.status],
        assessed_on=from_date(r.assessed_on), rule_source=r.rule_source, penalty_bp_per_month=r.penalty_bp_per_month,
        corrections=[correction_to_proto(c) for c in found.corrections],
        paid=from_rupiah(r.paid_rupiah), outstanding=from_rupiah(r.outstanding_rupiah),
        settled_on=from_date(r.settled_on) if r.settled_on else None,
    )


def penalties_to_proto(found: Sequence[PenaltyWithCorrections]) -> list[penalties_pb2.Penalty]:
    return [penalty_to_proto(f) for f in found]


# ---- standing (C-8) ------------------------------------------------------------------
BUCKET_TO_PROTO = {
    AgeingBucket.UP_TO_30: standing_pb2.AGEING_BUCKET_UP_TO_30,
    AgeingBucket.DAYS_31_60: standing_pb2.AGEING_BUCKET_DAYS_31_60,
    AgeingBucket.DAYS_61_90: standing_pb2.AGEING_BUCKET_DAYS_61_90,
    AgeingBucket.OVER_90: standing_pb2.AGEING_BUCKET_OVER_90,
}


def standing_to_proto(view: StandingView) -> standing_pb2.Standing:
    arrears = view.arrears
    return standing_pb2.Standing(
        npp=view.npp, branch_code=view.branch_code, as_of=from_date(arrears.as_of),
        in_arrears=arrears.in_arrears, good_standing=view.good_standing, data_complete=view.data_complete,
        arrears=from_rupiah(arrears.total_rupiah),
        buckets=[standing_pb2.ArrearsBucket(bucket=BUCKET_TO_PROTO[b], amount=from_rupiah(arrears.by_bucket[b]))
                 for b in AgeingBucket],
        overdue_bills=[standing_pb2.OverdueBill(
            bill_number=b.bill_number, period=from_period(b.period.year, b.period.month),
            due_date=from_date(b.due_date), outstanding=from_rupiah(b.outstanding_rupiah),
            days_past_due=b.days_past_due(arrears.as_of)) for b in arrears.overdue_bills],
        credit=from_rupiah(view.credit_rupiah),
    )


# ---- reconciliation worksheets (C-7) --------------------------------------------------
def worksheet_to_proto(stored: StoredWorksheet) -> rec_pb.Worksheet:
    ws = stored.worksheet
    return rec_pb.Worksheet(
        worksheet_id=ws.worksheet_id, npp=ws.npp, branch_code=stored.branch_code,
        period=from_period(ws.period.year, ws.period.month), bill_numbers=list(stored.bill_numbers),
        billed=from_rupiah(ws.billed_rupiah), reported=from_rupiah(ws.reported_rupiah),
        received=from_rupiah(ws.matched_received_rupiah), penalty_due=from_rupiah(ws.penalty_due_rupiah),
        penalty_charged=from_rupiah(ws.penalty_billed_rupiah),
        payments=[rec_pb.WorksheetPayment(bank_reference=p.bank_reference, amount=from_rupiah(p.amount_rupiah),
                                          received_on=from_date(p.received_on), matched=p.matched)
                  for p in ws.payments],
        differences=[rec_pb.WorksheetDifference(kind=rec_pb.DifferenceKind.Value(f"DIFFERENCE_KIND_{d.kind.value}"),
                                                amount=from_rupiah(d.amount_rupiah),
                                                bank_reference=d.bank_reference or "")
                     for d in ws.differences],
        state=rec_pb.WorksheetState.Value(f"WORKSHEET_STATE_{ws.state.value}"), prepared_by=ws.prepared_by,
        prepared_on=from_date(stored.prepared_on), validated_by=ws.validated_by or "",
        validated_on=from_date(ws.validated_on), posted_by=ws.posted_by or "", posted_on=from_date(ws.posted_on),
        jht_posted=from_rupiah(stored.jht_posted_rupiah))
