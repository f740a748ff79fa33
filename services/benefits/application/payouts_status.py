"""The bank's status report (pain.002) applied to the orders of the payout file it answers
(the chassis's `import_status`): accepted and settled -> PAID on the report's day, through
the same path as MarkPaymentOrderPaid (the claim PAID, ClaimPaid, PaymentOrderPaid);
rejected -> FAILED with the bank's reason (PaymentOrderFailed), the claim left APPROVED
for a re-issued order. The payout account's camt.053 statement does the same by its debits
and returns (the chassis's `import_statement`). One transaction, after the file was read."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from services.benefits.adapters.payout_file_repository import PayoutFileRepository
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.application.payouts_orders import record_failed, record_paid
from services.benefits.domain.payouts import PaymentOrder
from services.chassis.payout_rules import DebtorAccount
from services.chassis.payout_statement import ImportPayoutStatement, StatementImported, import_statement
from services.chassis.payout_use_cases import ImportPayoutStatus, StatusImported, StatusLine, import_status
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork

__all__ = ["ImportPayoutStatement", "ImportPayoutStatus", "PayoutStatusImport", "StatementImported", "StatusImported",
           "StatusLine"]


class Book:
    """Benefits' orders as the status import sees them."""

    def __init__(self, uow: UnitOfWork, scope: BranchScope, on_change: Callable[[], None]):
        self.uow, self.scope, self.on_change = uow, scope, on_change
        self.payouts = PayoutRepository(uow.session, scope)
        self.exported_in = self.payouts.exported_in
        self.mark_exported = self.payouts.mark_exported

    def visible_order(self, order_id: str) -> PaymentOrder | None:
        return self.payouts.visible_order(order_id)

    def paid(self, order: PaymentOrder, on: date, bank_reference: str) -> PaymentOrder:
        paid = order.mark_paid(self.scope.principal.user_id, on, bank_reference)
        record_paid(self.uow, self.scope, self.payouts, paid, self.on_change)
        return paid

    def failed(self, order: PaymentOrder, on: date, code: str, reason: str, source: str) -> PaymentOrder:
        failed = order.failed(on, code, reason)
        record_failed(self.uow, self.payouts, failed, source)
        return failed


class PayoutStatusImport:
    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None], debtor: DebtorAccount):
        self.ctx = ctx
        self.on_change = on_change
        self.debtor = debtor

    def run(self, uow: UnitOfWork, scope: BranchScope, command: ImportPayoutStatus) -> StatusImported:
        return import_status(uow, scope, PayoutFileRepository(uow.session, scope), Book(uow, scope, self.on_change),
                             command, self.ctx.today())

    def statement(self, uow: UnitOfWork, scope: BranchScope, command: ImportPayoutStatement) -> StatementImported:
        """The payout account's camt.053: its debits of orders PAID, its returns FAILED."""
        return import_statement(uow, scope, PayoutFileRepository(uow.session, scope), Book(uow, scope, self.on_change),
                                command, self.debtor.account_number, self.ctx.today())
