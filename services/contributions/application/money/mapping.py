"""The money side as API messages: payments, allocations, bill balances, penalties and
their corrections, standing, reconciliation worksheets."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, TypeVar
from collections.abc import Mapping, Sequence

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import payments_pb2, penalties_pb2, reconciliation_pb2 as rec_pb, runs_pb2, standing_pb2
from services.chassis.convert import (
    decode_page_token, encode_page_token, from_date, from_period, from_rupiah, page_size, to_date, to_rupiah,
)
from services.chassis.errors import DomainError, InvalidArgument
from services.chassis.idempotency import caller_scoped_id, fingerprint, require_request_id
from services.contributions.adapters import money_bills, payment_store
from services.contributions.application.billing.mapping import BILL_STATUS
from services.contributions.adapters.penalty_repository import (
    APPROVED, ASSESSED, CORRECTED, PENDING, REJECTED, WAIVED, PenaltyCorrection, PenaltyWithCorrections,
)
from services.contributions.adapters.worksheet_store import StoredWorksheet
from services.contributions.adapters.run_progress import RunProgress
from services.contributions.application.money.batched_runs import RunOutcome
from services.contributions.application.money.payment_commands import (
    AssignSuspense, GetPayment, ImportStatement, ListPayments, PaymentPage, PaymentPosted, PaymentView, RecordPayment,
    RejectedLine, StatementImported,
)
from services.contributions.application.money.recording import PaymentLine
from services.contributions.application.money.standing_commands import (
    ArrearsPage, GetStanding, GetStandingRun, ListArrears, Recomputed, RecomputeStanding,
)
from services.contributions.application.money.standing_state import StandingView
from services.contributions.domain.standing import AgeingBucket

R = TypeVar("R")

# ---- payments ------------------------------------------------------------------------
STATUS_TO_PROTO = {payment_store.MATCHED: payments_pb2.PAYMENT_STATUS_MATCHED,
                   payment_store.SUSPENSE: payments_pb2.PAYMENT_STATUS_SUSPENSE}


def allocation_to_proto(a: Mapping[str, Any]) -> payments_pb2.PaymentAllocation:
    return payments_pb2.PaymentAllocation(
        payment_id=a["payment_id"] or "", bill_number=a["bill_number"], amount=from_rupiah(int(a["amount_rupiah"])),
        allocated_on=from_date(a["allocated_on"]), from_credit=bool(a["from_credit"]),
        credit_bill_number=a.get("credit_bill_number") or "")


def payment_to_proto(p: payment_store.StoredPayment, allocations: Sequence[Mapping[str, Any]]) -> payments_pb2.Payment:
    return payments_pb2.Payment(
        payment_id=p.payment_id, bank_reference=p.bank_reference, npp=p.npp or "", branch_code=p.branch_code,
        amount=from_rupiah(int(p.amount_rupiah)), paid_on=from_date(p.paid_on), status=STATUS_TO_PROTO[p.status],
        bill_number=p.bill_number or "", allocations=[allocation_to_proto(a) for a in allocations],
        credit=from_rupiah(int(p.credit_rupiah)), suspense_reason=p.suspense_reason or "")


def bill_balance(bill: money_bills.BillRow) -> payments_pb2.BillBalance:
    return payments_pb2.BillBalance(
        bill_number=bill.bill_number, total=from_rupiah(bill.total_rupiah), paid=from_rupiah(bill.paid_rupiah),
        outstanding=from_rupiah(bill.outstanding_rupiah), status=bill.status, settled_on=from_date(bill.settled_on),
        status_code=BILL_STATUS.get(bill.status, 0))


def posted_to_proto(response_cls: type[R], result: PaymentPosted) -> R:
    """RecordPayment / AssignSuspensePayment response: the payment, credit applied before
    it, the bills touched, penalties assessed and the employer's credit after it."""
    response = response_cls(payment=view_to_proto(result.payment))  # type: ignore[call-arg]
    response.credit_applied.extend(allocation_to_proto(a) for a in result.credit_applied)  # type: ignore[attr-defined]
    response.bills.extend(bill_balance(b) for b in result.bills)  # type: ignore[attr-defined]
    response.penalties.extend(penalties_to_proto(result.penalties))  # type: ignore[attr-defined]
    response.penalty_payments.extend(penalties_pb2.PenaltyPayment(  # type: ignore[attr-defined]
        penalty_id=p["penalty_id"], source_id=p["source_id"], amount=from_rupiah(p["amount_rupiah"]),
        paid_on=from_date(p["paid_on"]), from_credit=p["from_credit"]) for p in result.penalty_payments)
    if result.employer_credit_rupiah is not None:
        response.employer_credit.CopyFrom(from_rupiah(result.employer_credit_rupiah))  # type: ignore[attr-defined]
    return response


def view_to_proto(view: PaymentView) -> payments_pb2.Payment:
    return payment_to_proto(view.payment, view.allocations)


MAX_STATEMENT_LINES = 5000
STATUS_FROM_PROTO = {payments_pb2.PAYMENT_STATUS_MATCHED: payment_store.MATCHED,
                     payments_pb2.PAYMENT_STATUS_SUSPENSE: payment_store.SUSPENSE}
Outcome = payments_pb2.StatementLineOutcome


def record_payment(request: payments_pb2.RecordPaymentRequest) -> RecordPayment:
    return RecordPayment(PaymentLine(request.bank_reference, to_rupiah(request, "amount"), _day(request, "paid_on"),
                                     request.npp, request.bill_number, request.branch_code))


def _day(message, name: str) -> date:
    day = to_date(message, name)
    assert day is not None  # required
    return day


def import_statement(request: payments_pb2.ImportBankStatementRequest) -> ImportStatement:
    """Every line decoded; one whose amount or date cannot be read is REJECTED on its own."""
    if len(request.lines) > MAX_STATEMENT_LINES:
        raise InvalidArgument.field("lines", f"at most {MAX_STATEMENT_LINES} lines per request")
    lines: list[PaymentLine | RejectedLine] = []
    for line in request.lines:
        try:
            lines.append(PaymentLine(line.bank_reference, to_rupiah(line, "amount"), _day(line, "paid_on"),
                                     line.npp, line.bill_number, request.branch_code))
        except DomainError as exc:
            lines.append(RejectedLine(line.bank_reference, exc.message))
    return ImportStatement(tuple(lines))


def imported_to_proto(request: payments_pb2.ImportBankStatementRequest,
                      result: StatementImported) -> payments_pb2.ImportBankStatementResponse:
    results = []
    for number, (line, recorded) in enumerate(zip(request.lines, result.lines, strict=True), start=1):
        r = payments_pb2.StatementLineResult(line_number=number, bank_reference=line.bank_reference,
                                             outcome=Outcome.Value(f"STATEMENT_LINE_OUTCOME_{recorded.outcome}"),
                                             payment_id=recorded.payment_id)
        if recorded.outcome == "RECORDED":
            r.status = STATUS_TO_PROTO[recorded.status]
        else:
            r.reason = recorded.reason
        results.append(r)
    count = Counter(r.outcome for r in results)
    return payments_pb2.ImportBankStatementResponse(
        results=results, recorded=count[Outcome.STATEMENT_LINE_OUTCOME_RECORDED],
        duplicates=count[Outcome.STATEMENT_LINE_OUTCOME_DUPLICATE],
        rejected=count[Outcome.STATEMENT_LINE_OUTCOME_REJECTED])


def assign_suspense(request: payments_pb2.AssignSuspensePaymentRequest) -> AssignSuspense:
    if not request.npp.strip():
        raise InvalidArgument.field("npp", "required")
    return AssignSuspense(request.payment_id, request.npp, request.bill_number or None)


def get_payment(request: payments_pb2.GetPaymentRequest) -> GetPayment:
    return GetPayment(request.payment_id)


def list_payments(request: payments_pb2.ListPaymentsRequest) -> ListPayments:
    if request.status and request.status not in STATUS_FROM_PROTO:
        raise InvalidArgument.field("status", "unknown payment status")
    after = (decode_page_token(request.page.page_token) or {}).get("after")
    return ListPayments(request.branch_code, request.npp, STATUS_FROM_PROTO[request.status] if request.status else None,
                        after, page_size(request.page))


def payment_page_to_proto(page: PaymentPage) -> payments_pb2.ListPaymentsResponse:
    token = encode_page_token({"after": page.next_after}) if page.next_after is not None else ""
    return payments_pb2.ListPaymentsResponse(payments=[view_to_proto(v) for v in page.payments],
                                             page=types_pb2.PageResponse(next_page_token=token))


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
def _required(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidArgument.field(field, "required")
    return value.strip()


def get_standing(request: standing_pb2.GetStandingRequest) -> GetStanding:
    return GetStanding(_required(request.npp, "npp"), to_date(request, "as_of", required=False))


def recompute_standing(request: standing_pb2.RecomputeStandingRequest) -> RecomputeStanding:
    """The run is the caller's own request id's (`caller_scoped_id`): a retry continues it."""
    branch = _required(request.branch_code, "branch_code")
    npp = _required(request.npp, "npp") if request.npp else None
    return RecomputeStanding(branch, npp, caller_scoped_id(require_request_id(request.request_id)),
                             fingerprint(request))


def get_standing_run(request: standing_pb2.GetStandingRunRequest) -> GetStandingRun:
    return GetStandingRun(request.request_id, caller_scoped_id(require_request_id(request.request_id)))


def progress_to_proto(progress: RunProgress) -> runs_pb2.RunProgress:
    """A run's status as stored: `resumed` when more than one call worked on it."""
    return run_to_proto(RunOutcome(progress, progress.attempts > 1))


def list_arrears(request: standing_pb2.ListArrearsRequest) -> ListArrears:
    branch = _required(request.branch_code, "branch_code")
    as_of = to_date(request, "as_of", required=False)
    size = page_size(request.page)
    after = (decode_page_token(request.page.page_token) or {}).get("npp", "")
    return ListArrears(branch, as_of, after, size)


def run_to_proto(run: RunOutcome) -> runs_pb2.RunProgress:
    p = run.progress
    return runs_pb2.RunProgress(run_id=p.run_id, batches_done=p.batches_done, items_done=p.items_done,
                                items_total=p.items_total, last_key=p.last_key or "", complete=p.complete,
                                resumed=run.resumed, attempts=p.attempts)


def recomputed_to_proto(result: Recomputed) -> standing_pb2.RecomputeStandingResponse:
    return standing_pb2.RecomputeStandingResponse(evaluated=result.evaluated,
                                                  changed=[standing_to_proto(v) for v in result.changed],
                                                  progress=run_to_proto(result.run))


def arrears_to_proto(page: ArrearsPage) -> standing_pb2.ListArrearsResponse:
    token = encode_page_token({"npp": page.next_after_npp}) if page.next_after_npp is not None else ""
    return standing_pb2.ListArrearsResponse(employers=[standing_to_proto(v) for v in page.employers],
                                            page=types_pb2.PageResponse(next_page_token=token))


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
