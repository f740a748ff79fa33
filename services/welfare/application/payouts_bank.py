"""Welfare's payment orders through the bank's files, on the chassis's use cases: approved
orders into a pain.001.001.09 file (`export_branch_file`), the bank's pain.002 status report
applied to the orders of the file it answers (`import_status`), and the payout account's
camt.053 statement marking the orders its debits and returns show (`import_statement`).

Paid: the order PAID on the report's day, PaymentOrderPaid; a scholarship's payment is
then recorded paid (W-S-1) with the bank's reference (the order's when that reference is
already another payment's: a transfer counts once). Failed: the order FAILED with the
bank's reason, PaymentOrderFailed; the payment stays unpaid (a loan stays disbursed from
its fund: the money is the order's until a re-issued order pays it).
"""
from __future__ import annotations

from datetime import date

from jamsos.welfare.v1 import events_pb2
from services.chassis.convert import from_date, from_rupiah
from services.chassis.payout_file_store import StoredFile
from services.chassis.payout_files import debtor_from_env
from services.chassis.payout_rules import CreditTransfer, DebtorAccount
from services.chassis.payout_statement import ImportPayoutStatement, StatementImported, import_statement
from services.chassis.payout_use_cases import ImportPayoutStatus, StatusImported, export_branch_file, import_status
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.payment_order_repository import PaymentOrderRepository, payout_file_repository
from services.welfare.adapters.scholarship_repository import ScholarshipRepository
from services.welfare.application.events import PROGRAM_TO_PROTO, TOPIC
from services.welfare.domain.payment_orders import WelfarePaymentOrder
from services.welfare.domain.programs import Program

INITIATING_PARTY = "JAMSOS WELFARE"
DEFAULT_DEBTOR = DebtorAccount(name="JAMSOS DANA PENINGKATAN KESEJAHTERAAN PESERTA", account_number="0099887766",
                               bank_bic="BNINIDJA")


def welfare_debtor() -> DebtorAccount:
    """WELFARE_PAYOUT_DEBTOR_NAME, _ACCOUNT and _BIC, else a demonstration account."""
    return debtor_from_env("WELFARE", DEFAULT_DEBTOR)


def credit_transfer(order: WelfarePaymentOrder) -> CreditTransfer:
    b = order.beneficiary
    return CreditTransfer(order.order_id, order.amount, b.holder_name, b.bank_name, b.account_number,
                          order.remittance)


class _Book:
    """Welfare's orders as the chassis's status import sees them."""

    def __init__(self, uow: UnitOfWork, scope: BranchScope):
        self.uow, self.scope = uow, scope
        self.orders = PaymentOrderRepository(uow.session, scope)
        self.exported_in = self.orders.exported_in
        self.mark_exported = self.orders.mark_exported
        self.approved_for_export = self.orders.approved_for_export
        self.writable_order = self.orders.writable_order

    def visible_order(self, order_id: str) -> WelfarePaymentOrder | None:
        return self.orders.visible_order(order_id)

    def paid(self, order: WelfarePaymentOrder, on: date, reference: str) -> WelfarePaymentOrder:
        paid = order.mark_paid(self.scope.principal.user_id, on, reference)
        self.orders.save_order(paid)
        if paid.program is Program.SCHOLARSHIP:
            self._scholarship_paid(paid, reference)
        emit_order(self.uow, paid, payment_order_paid(paid))
        self.uow.audit("payment_order.paid", paid.order_id, {"application_id": paid.application_id,
                                                             "amount": paid.amount, "paid_on": paid.paid_on,
                                                             "bank_reference": reference})
        self.uow.count("payment_order_paid")
        return paid

    def _scholarship_paid(self, order: WelfarePaymentOrder, reference: str) -> None:
        assert order.paid_on is not None
        scholarships = ScholarshipRepository(self.uow.session, self.scope)
        if scholarships.reference_used(reference):
            reference = f"payment order {order.order_id}"
        application = scholarships.for_change(order.application_id)
        scholarships.save(application.paid(order.number, order.paid_on, reference))

    def failed(self, order: WelfarePaymentOrder, on: date, code: str, reason: str, source: str
               ) -> WelfarePaymentOrder:
        failed = order.failed(on, code, reason)
        self.orders.save_order(failed)
        emit_order(self.uow, failed, payment_order_failed(failed))
        self.uow.audit("payment_order.failed", failed.order_id, {
            "application_id": failed.application_id, "amount": failed.amount, "payout_file": failed.exported_in,
            "reason_code": failed.failure_code, "reason": failed.failure_reason, "source": source})
        self.uow.count("payment_order_failed")
        return failed


class PayoutBank:
    def __init__(self, ctx: ServiceContext, debtor: DebtorAccount):
        self.ctx = ctx
        self.debtor = debtor

    def export(self, uow: UnitOfWork, scope: BranchScope, branch_code: str, order_ids: tuple[str, ...]
               ) -> tuple[StoredFile, tuple[str, ...], bool]:
        """(the file, its orders, whether approved orders are left for the next file)."""
        stored, exported, more = export_branch_file(
            uow, scope, payout_file_repository(uow.session, scope), _Book(uow, scope), branch_code, order_ids,
            credit_transfer, self.debtor, INITIATING_PARTY, self.ctx.today())
        return stored, tuple(o.order_id for o in exported), more

    def get(self, scope: BranchScope, msg_id: str) -> tuple[StoredFile, bytes]:
        """The file as sent; another branch's is NotFound (O-2)."""
        with self.ctx.base.read_session() as session:
            files = payout_file_repository(session, scope)
            stored = files.readable_file(msg_id)
            return stored, files.content(msg_id)

    def import_status(self, uow: UnitOfWork, scope: BranchScope, command: ImportPayoutStatus) -> StatusImported:
        return import_status(uow, scope, payout_file_repository(uow.session, scope), _Book(uow, scope), command,
                             self.ctx.today())

    def import_statement(self, uow: UnitOfWork, scope: BranchScope, command: ImportPayoutStatement
                         ) -> StatementImported:
        """The payout account's camt.053: its debits of orders PAID, its returns FAILED."""
        return import_statement(uow, scope, payout_file_repository(uow.session, scope), _Book(uow, scope), command,
                                self.debtor.account_number, self.ctx.today())


# ---- events (jamsos.welfare.events.v1), keyed by the application the order pays ---------------
def emit_order(uow: UnitOfWork, order: WelfarePaymentOrder, payload: events_pb2.PaymentOrderPaid
               | events_pb2.PaymentOrderFailed) -> None:
    uow.emit(TOPIC, payload, aggregate_type="application", aggregate_id=order.application_id,
             branch_code=order.branch_code)


def payment_order_paid(order: WelfarePaymentOrder) -> events_pb2.PaymentOrderPaid:
    return events_pb2.PaymentOrderPaid(
        order_id=order.order_id, application_id=order.application_id, program=PROGRAM_TO_PROTO[order.program],
        branch_code=order.branch_code, payment_number=order.number, amount=from_rupiah(order.amount),
        paid_on=from_date(_day(order.paid_on)), bank_reference=order.bank_reference or "",
        payout_file_msg_id=order.exported_in or "")


def payment_order_failed(order: WelfarePaymentOrder) -> events_pb2.PaymentOrderFailed:
    return events_pb2.PaymentOrderFailed(
        order_id=order.order_id, application_id=order.application_id, program=PROGRAM_TO_PROTO[order.program],
        branch_code=order.branch_code, payment_number=order.number, amount=from_rupiah(order.amount),
        failed_on=from_date(_day(order.failed_on)), reason_code=order.failure_code or "",
        reason=order.failure_reason or "", payout_file_msg_id=order.exported_in or "", attempt=order.attempt)


def _day(value: date | None) -> date:
    assert value is not None  # the event of a paid (failed) order has its day
    return value
