"""Welfare's payment orders in the database, within the caller's branch scope (O-2):
another branch's order is NotFound, as one that does not exist."""
from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.chassis.payout_file_store import PayoutFileRepository
from services.chassis.repository import ScopedRepository
from services.chassis.scope import BranchScope
from services.welfare.adapters.payout_tables import payment_orders as t
from services.welfare.adapters.payout_tables import payout_files
from services.welfare.domain.payment_orders import BankAccount, OrderState, WelfarePaymentOrder
from services.welfare.domain.programs import Program

KIND = "payment order"


def payout_file_repository(session: Session, scope: BranchScope) -> PayoutFileRepository:
    return payout_files.repository(session, scope)


class PaymentOrderRepository(ScopedRepository):
    def readable_order(self, order_id: str) -> WelfarePaymentOrder:
        return _order(self.readable(select(t).where(t.c.order_id == order_id), t.c.branch_code, KIND, order_id))

    def writable_order(self, order_id: str) -> WelfarePaymentOrder:
        return _order(self.writable(select(t).where(t.c.order_id == order_id), t.c.branch_code, KIND, order_id))

    def orders_of_payment(self, application_id: str, number: int) -> list[WelfarePaymentOrder]:
        """Every attempt for the payment, first first."""
        rows = self.session.execute(select(t).where(t.c.application_id == application_id, t.c.number == number)
                                    .order_by(t.c.attempt))
        return [_order(r) for r in rows]

    def add_order(self, order: WelfarePaymentOrder) -> None:
        self.session.execute(insert(t).values(**_row(order)))

    def save_order(self, order: WelfarePaymentOrder) -> None:
        self.session.execute(update(t).where(t.c.order_id == order.order_id).values(**_row(order)))

    def page_orders(self, *, branch_code: str | None, state: OrderState | None, before_id: str | None,
                    limit: int) -> list[WelfarePaymentOrder]:
        statement = select(t)
        if branch_code:
            statement = statement.where(t.c.branch_code == branch_code)
        if state:
            statement = statement.where(t.c.state == state.value)
        if before_id:
            statement = statement.where(t.c.order_id < before_id)
        statement = self.scoped(statement.order_by(t.c.order_id.desc()), t.c.branch_code).limit(limit)
        return [_order(r) for r in self.session.execute(statement)]

    # ---- payout files (the chassis's OrderBook) ---------------------------------------------
    def approved_for_export(self, branch_code: str, limit: int) -> list[WelfarePaymentOrder]:
        """The branch's approved orders not yet in a file, oldest first, locked for the export."""
        statement = select(t).where(t.c.branch_code == branch_code, t.c.state == OrderState.APPROVED.value)
        statement = self.scoped(statement, t.c.branch_code).order_by(t.c.order_id).limit(limit)
        return [_order(r) for r in self.session.execute(statement.with_for_update())]

    def exported_in(self, msg_id: str) -> list[WelfarePaymentOrder]:
        statement = self.scoped(select(t).where(t.c.exported_in == msg_id), t.c.branch_code)
        return [_order(r) for r in self.session.execute(statement.order_by(t.c.order_id).with_for_update())]

    def visible_order(self, order_id: str) -> WelfarePaymentOrder | None:
        """The order, locked, or None when there is none in the caller's branches (a statement's line)."""
        row = self.session.execute(self.scoped(select(t).where(t.c.order_id == order_id), t.c.branch_code)
                                   .with_for_update()).first()
        return _order(row) if row else None

    def mark_exported(self, exported: list[WelfarePaymentOrder]) -> int:
        """Saves each EXPORTED only if still APPROVED: how many were."""
        changed = 0
        for order in exported:
            result = self.session.execute(update(t).where(
                t.c.order_id == order.order_id, t.c.state == OrderState.APPROVED.value).values(
                state=order.state.value, exported_in=order.exported_in, exported_on=order.exported_on))
            changed += result.rowcount
        return changed


def _order(row: Any) -> WelfarePaymentOrder:
    return WelfarePaymentOrder(
        order_id=row.order_id, program=Program(row.program), application_id=row.application_id,
        number=int(row.number), branch_code=row.branch_code,
        beneficiary=BankAccount(row.beneficiary_name, row.beneficiary_bank, row.beneficiary_account),
        amount=int(row.amount), created_on=row.created_on, created_by=row.created_by, state=OrderState(row.state),
        approved_by=row.approved_by, approved_on=row.approved_on, paid_by=row.paid_by, paid_on=row.paid_on,
        bank_reference=row.bank_reference, attempt=int(row.attempt), reissue_of=row.reissue_of,
        reissued_by=row.reissued_by, reissued_as=row.reissued_as, exported_in=row.exported_in,
        exported_on=row.exported_on, failed_on=row.failed_on, failure_code=row.failure_code,
        failure_reason=row.failure_reason)


def _row(o: WelfarePaymentOrder) -> dict[str, Any]:
    b = o.beneficiary
    return {"order_id": o.order_id, "program": o.program.value, "application_id": o.application_id,
            "number": o.number, "branch_code": o.branch_code, "beneficiary_name": b.holder_name,
            "beneficiary_bank": b.bank_name, "beneficiary_account": b.account_number, "amount": o.amount,
            "state": o.state.value, "created_on": o.created_on, "created_by": o.created_by,
            "approved_by": o.approved_by, "approved_on": o.approved_on, "paid_by": o.paid_by, "paid_on": o.paid_on,
            "bank_reference": o.bank_reference, "attempt": o.attempt, "reissue_of": o.reissue_of,
            "reissued_by": o.reissued_by, "reissued_as": o.reissued_as, "exported_in": o.exported_in,
            "exported_on": o.exported_on, "failed_on": o.failed_on, "failure_code": o.failure_code,
            "failure_reason": o.failure_reason}
