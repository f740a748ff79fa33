"""The bank's status report (pain.002) applied to the orders of the payout file it answers:
accepted and settled -> PAID on the report's day, through the same path as
MarkPaymentOrderPaid (the claim PAID, ClaimPaid); rejected -> FAILED with the bank's reason,
the claim left APPROVED for a re-issued order. One transaction, after the file was read.

- A report whose OrgnlMsgId is not a file this service sent (or another branch's: O-2,
  answered the same) is refused whole, before anything changes.
- An EndToEndId that is not an order of that file is reported UNKNOWN, never fatal.
- The same report again changes nothing: each order already is what the report says
  (UNCHANGED); a different file under a report MsgId imported before is refused.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.benefits.adapters.payout_file_repository import PayoutFileRepository
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.application.payouts_orders import record_paid
from services.benefits.domain.payout_files import (
    Outcome, StatusReason, StatusReport, TransactionStatus, bank_status, check_report_day, order_id_of, outcome_for,
    resolved_statuses,
)
from services.benefits.domain.payouts import REFERENCE_MAX, PaymentOrder
from services.chassis.errors import RuleViolation
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ImportPayoutStatus:
    """The command: the report as read, and the hash of the file it came in."""

    report: StatusReport
    sha256: str


@dataclass(frozen=True)
class StatusLine:
    end_to_end_id: str
    status_code: str
    reason: StatusReason
    outcome: Outcome
    order: PaymentOrder | None  # as the report left it; None when UNKNOWN


@dataclass(frozen=True)
class StatusImported:
    report: StatusReport
    already_imported: bool
    lines: tuple[StatusLine, ...]


class PayoutStatusImport:
    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None]):
        self.ctx = ctx
        self.on_change = on_change

    def run(self, uow: UnitOfWork, scope: BranchScope, command: ImportPayoutStatus) -> StatusImported:
        report = command.report
        files = PayoutFileRepository(uow.session, scope)
        sent = files.sent_file(report.original_msg_id)
        if sent is None:
            raise RuleViolation("O-3", f"the report answers OrgnlMsgId {report.original_msg_id}, which is not a payout "
                                       f"file this service sent", code="UNKNOWN_PAYOUT_FILE")
        scope.require_write(sent.branch_code, f"payout file {sent.msg_id}")
        before = files.report(sent.msg_id, report.msg_id)
        if before is not None and before.sha256 != command.sha256:
            raise RuleViolation("O-3", f"status report {report.msg_id} for {sent.msg_id} was imported before from "
                                       f"another file", code="REPORT_ALREADY_IMPORTED")
        check_report_day(report, sent.exported_on, self.ctx.today())
        payouts = PayoutRepository(uow.session, scope)
        orders = {o.order_id: o for o in payouts.exported_in(sent.msg_id)}
        lines = []
        for status in resolved_statuses(report, list(orders.values())):
            order_id = order_id_of(status.end_to_end_id)
            order = orders.get(order_id) if order_id else None
            outcome = outcome_for(order, bank_status(status.status_code))
            if order is not None and outcome in (Outcome.PAID, Outcome.FAILED):
                order = orders[order.order_id] = self._apply(uow, scope, payouts, report, status, order, outcome)
            lines.append(StatusLine(status.end_to_end_id, status.status_code, status.reason, outcome, order))
        paid = sum(1 for line in lines if line.outcome is Outcome.PAID)
        failed = sum(1 for line in lines if line.outcome is Outcome.FAILED)
        if before is None:
            files.add_report(sent.msg_id, report.msg_id, command.sha256, report.created_on, scope.principal.user_id,
                             paid, failed)
        uow.audit("payout_status.import", f"{sent.msg_id}/{report.msg_id}", {
            "sha256": command.sha256, "paid": paid, "failed": failed, "lines": len(lines),
            "unknown": sum(1 for line in lines if line.outcome is Outcome.UNKNOWN)})
        uow.count("payout_status_imported")
        return StatusImported(report, before is not None, tuple(lines))

    def _apply(self, uow: UnitOfWork, scope: BranchScope, payouts: PayoutRepository, report: StatusReport,
               status: TransactionStatus, order: PaymentOrder, outcome: Outcome) -> PaymentOrder:
        if outcome is Outcome.PAID:
            reference = (status.bank_reference or f"pain.002 {report.msg_id}")[:REFERENCE_MAX]
            paid = order.mark_paid(scope.principal.user_id, report.created_on, reference)
            record_paid(uow, scope, payouts, paid, self.on_change)
            return paid
        failed = order.failed(report.created_on, status.reason.code or status.status_code, status.reason.text)
        payouts.save_order(failed)
        uow.audit("payment_order.failed", order.order_id, {
            "claim_id": order.claim_id, "amount": order.amount, "payout_file": order.exported_in,
            "reason_code": failed.failure_code, "reason": failed.failure_reason, "report": report.msg_id})
        uow.count("payment_order_failed")
        return failed
