"""Payments as a caller sees them (O-2): a payment of a branch the caller may not read is
NotFound (as an unknown id), one it may only read is refused for a change, and lists
cover the caller's branches only. The rows and their allocations are `payment_store`'s.
"""
from __future__ import annotations

from sqlalchemy import select

from services.chassis.repository import ScopedRepository
from services.contributions.adapters import money_bills
from services.contributions.adapters.money_tables import payments
from services.contributions.adapters.payment_store import StoredPayment, stored_payment


class PaymentRepository(ScopedRepository):
    def readable(self, payment_id: str) -> StoredPayment:  # type: ignore[override]
        return stored_payment(super().readable(select(payments).where(payments.c.payment_id == payment_id),
                                               payments.c.branch_code, "payment", payment_id))

    def writable(self, payment_id: str) -> StoredPayment:  # type: ignore[override]
        """The payment, locked for the change."""
        return stored_payment(super().writable(select(payments).where(payments.c.payment_id == payment_id),
                                               payments.c.branch_code, "payment", payment_id))

    def bill_named(self, bill_number: str) -> money_bills.BillRow | None:
        """The bill a payment names, for paying it: None when unknown or of a branch the
        caller may not read (exactly as a bill that does not exist, O-2; audited),
        PermissionDenied when the caller may only read it."""
        bill = self.found_or_hidden(lambda: money_bills.get_bill(self.session, bill_number)) if bill_number else None
        if bill is None or not self.scope.sees(bill.branch_code, "bill", bill.bill_number):
            return None
        self.scope.require_write_record(bill.branch_code, "bill", bill.bill_number)
        return bill

    def require_suspense_branch(self, branch_code: str) -> None:
        """A payment of no known employer waits in the suspense of a branch the caller changes."""
        self.scope.require_write(branch_code, "payment")

    def require_listable(self, branch_code: str) -> None:
        """A branch the caller names in a list must be one it reads (PermissionDenied)."""
        if branch_code:
            self.scope.require_read(branch_code, "payments")

    def page(self, *, branch_code: str, npp: str, status: str | None, after: str | None,
             limit: int) -> list[StoredPayment]:
        """Payments of the caller's branches (and of `branch_code`, `npp`, `status` when
        given), by id, after `after`."""
        statement = self.scoped(select(payments), payments.c.branch_code)
        if branch_code:
            statement = statement.where(payments.c.branch_code == branch_code)
        if npp:
            statement = statement.where(payments.c.npp == npp)
        if status is not None:
            statement = statement.where(payments.c.status == status)
        if after:
            statement = statement.where(payments.c.payment_id > after)
        return [stored_payment(r) for r in
                self.session.execute(statement.order_by(payments.c.payment_id).limit(limit)).all()]
