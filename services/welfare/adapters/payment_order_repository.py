"""Welfare's payment orders in the database, within the caller's branch scope (O-2):
another branch's order is NotFound, as one that does not exist (the chassis's
`PaymentOrderStore`); what an order pays is welfare's own columns."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.chassis.payout_file_store import PayoutFileRepository
from services.chassis.payout_order_store import (
    PaymentOrderStore, order_life_of, order_life_row, payee_of, payee_row,
)
from services.chassis.scope import BranchScope
from services.welfare.adapters.payout_tables import payment_orders as t
from services.welfare.adapters.payout_tables import payout_files
from services.welfare.domain.payment_orders import WelfarePaymentOrder
from services.welfare.domain.programs import Program


def payout_file_repository(session: Session, scope: BranchScope) -> PayoutFileRepository:
    return payout_files.repository(session, scope)


class PaymentOrderRepository(PaymentOrderStore[WelfarePaymentOrder]):
    table = t

    def orders_of_payment(self, application_id: str, number: int) -> list[WelfarePaymentOrder]:
        """Every attempt for the payment, first first."""
        rows = self.session.execute(select(t).where(t.c.application_id == application_id, t.c.number == number)
                                    .order_by(t.c.attempt))
        return [self.to_order(r) for r in rows]

    def to_order(self, row: Any) -> WelfarePaymentOrder:
        return WelfarePaymentOrder(
            order_id=row.order_id, program=Program(row.program), application_id=row.application_id,
            number=int(row.number), branch_code=row.branch_code, created_on=row.created_on, created_by=row.created_by,
            **payee_of(row), **order_life_of(row))

    def to_row(self, order: WelfarePaymentOrder) -> dict[str, Any]:
        return {"order_id": order.order_id, "program": order.program.value, "application_id": order.application_id,
                "number": order.number, "branch_code": order.branch_code, "created_on": order.created_on,
                "created_by": order.created_by, **payee_row(order), **order_life_row(order)}
