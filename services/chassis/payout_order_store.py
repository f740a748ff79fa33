"""A paying service's payment orders in its database, within the caller's branch scope
(O-2): the columns of the chassis's `OrderLife`, their mapping, and the repository steps
every paying service runs the same way (by id, a page, the payout files' `OrderBook`).

A service declares its own table with what its orders pay, plus `payee_columns()` and
`order_life_columns()`, and subclasses `PaymentOrderStore` with its table and its row
mapping:

    class PaymentOrderRepository(PaymentOrderStore[WelfarePaymentOrder]):
        table = payment_orders

        def to_order(self, row): return WelfarePaymentOrder(..., **payee_of(row), **order_life_of(row))
        def to_row(self, order): return {..., **payee_row(order), **order_life_row(order)}
"""
from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar, cast

from sqlalchemy import (
    BigInteger, Column, CursorResult, Date, Executable, Integer, String, Table, insert, select, update,
)
from sqlalchemy.orm import Session

from services.chassis.payment_orders import ACCOUNT_DIGITS, BANK_MAX, HOLDER_MAX, BankAccount, OrderLife, OrderState
from services.chassis.repository import ScopedRepository

O = TypeVar("O", bound=OrderLife)

KIND = "payment order"
# The lifecycle fields after `state`, as `OrderLife` declares them.
_LIFE = ("approved_by", "approved_on", "paid_by", "paid_on", "bank_reference", "attempt", "reissue_of",
         "reissued_by", "reissued_as", "exported_in", "exported_on", "failed_on", "failure_code", "failure_reason")


def payee_columns() -> list[Column[Any]]:
    """Who an order pays and how much (its `BankAccount`, whole rupiah)."""
    return [
        Column("beneficiary_name", String(HOLDER_MAX), nullable=False),
        Column("beneficiary_bank", String(BANK_MAX), nullable=False),
        Column("beneficiary_account", String(ACCOUNT_DIGITS[1]), nullable=False),
        Column("amount", BigInteger, nullable=False),
    ]


def payee_of(row: Any) -> dict[str, Any]:
    return {"beneficiary": BankAccount(row.beneficiary_name, row.beneficiary_bank, row.beneficiary_account),
            "amount": int(row.amount)}


def payee_row(order: OrderLife) -> dict[str, Any]:
    b = order.beneficiary
    return {"beneficiary_name": b.holder_name, "beneficiary_bank": b.bank_name,
            "beneficiary_account": b.account_number, "amount": order.amount}


def order_life_columns(*, user: int = 100, order_id: int = 36, reference: int = 100) -> list[Column[Any]]:
    """The columns of `OrderLife` after `state` (a service places `state` itself), in the
    order every payment order table has them."""
    return [
        Column("approved_by", String(user), nullable=True),
        Column("approved_on", Date, nullable=True),
        Column("paid_by", String(user), nullable=True),
        Column("paid_on", Date, nullable=True),
        Column("bank_reference", String(reference), nullable=True),
        # A failed order's re-issue is attempt n + 1 of the same thing paid.
        Column("attempt", Integer, nullable=False, server_default="1"),
        Column("reissue_of", String(order_id), nullable=True),
        Column("reissued_by", String(user), nullable=True),
        Column("reissued_as", String(order_id), nullable=True),
        Column("exported_in", String(35), nullable=True),  # the payout file's MsgId
        Column("exported_on", Date, nullable=True),
        Column("failed_on", Date, nullable=True),
        Column("failure_code", String(35), nullable=True),
        Column("failure_reason", String(500), nullable=True),
    ]


def order_life_of(row: Any) -> dict[str, Any]:
    """The `OrderLife` keyword arguments of a stored order's row."""
    life = {name: getattr(row, name) for name in _LIFE}
    life["attempt"] = int(row.attempt)
    return {"state": OrderState(row.state), **life}


def order_life_row(order: OrderLife) -> dict[str, Any]:
    """The columns of `order`'s lifecycle."""
    return {"state": order.state.value, **{name: getattr(order, name) for name in _LIFE}}


class PaymentOrderStore(ScopedRepository, Generic[O]):
    """Another branch's order is NotFound, as one that does not exist; a list names only
    branches the caller may read (PermissionDenied otherwise, O-2)."""

    table: ClassVar[Table]

    def to_order(self, row: Any) -> O:
        raise NotImplementedError

    def to_row(self, order: O) -> dict[str, Any]:
        raise NotImplementedError

    def readable_order(self, order_id: str) -> O:
        t = self.table
        return self.to_order(self.readable(select(t).where(t.c.order_id == order_id), t.c.branch_code, KIND, order_id))

    def writable_order(self, order_id: str) -> O:
        t = self.table
        return self.to_order(self.writable(select(t).where(t.c.order_id == order_id), t.c.branch_code, KIND, order_id))

    def add_order(self, order: O) -> None:
        self._write(insert(self.table).values(**self.to_row(order)))

    def save_order(self, order: O) -> None:
        t = self.table
        self._write(update(t).where(t.c.order_id == order.order_id).values(**self.to_row(order)))

    def _write(self, statement: Executable) -> CursorResult[Any]:
        """Orders change only in a unit of work, on its ORM session (the base also takes the
        lookup connections that reads may run on)."""
        return cast(CursorResult[Any], cast(Session, self.session).execute(statement))

    def page_orders(self, *, branch_code: str | None, state: OrderState | None, before_id: str | None,
                    limit: int) -> list[O]:
        """Newest first; `branch_code` one of the caller's branches (PermissionDenied otherwise)."""
        t = self.table
        statement = select(t)
        if branch_code:
            self.scope.require_read(branch_code, f"payment orders of {branch_code}")
            statement = statement.where(t.c.branch_code == branch_code)
        if state:
            statement = statement.where(t.c.state == state.value)
        if before_id:
            statement = statement.where(t.c.order_id < before_id)
        statement = self.scoped(statement.order_by(t.c.order_id.desc()), t.c.branch_code).limit(limit)
        return [self.to_order(r) for r in self.session.execute(statement)]

    # ---- the payout files' OrderBook (payout_use_cases, payout_statement) --------------------
    def approved_for_export(self, branch_code: str, limit: int) -> list[O]:
        """The branch's approved orders not yet in a file, oldest first, locked for the export."""
        t = self.table
        statement = select(t).where(t.c.branch_code == branch_code, t.c.state == OrderState.APPROVED.value)
        statement = self.scoped(statement, t.c.branch_code).order_by(t.c.order_id).limit(limit)
        return [self.to_order(r) for r in self.session.execute(statement.with_for_update())]

    def exported_in(self, msg_id: str) -> list[O]:
        """The orders a payout file carried (whatever they became), locked for the bank's answer."""
        t = self.table
        statement = self.scoped(select(t).where(t.c.exported_in == msg_id), t.c.branch_code)
        return [self.to_order(r) for r in self.session.execute(statement.order_by(t.c.order_id).with_for_update())]

    def visible_order(self, order_id: str) -> O | None:
        """The order, locked, or None when there is none in the caller's branches (a statement's line)."""
        t = self.table
        statement = self.scoped(select(t).where(t.c.order_id == order_id), t.c.branch_code)
        row = self.session.execute(statement.with_for_update()).first()
        return self.to_order(row) if row else None

    def mark_exported(self, exported: list[O]) -> int:
        """Saves the orders EXPORTED, each only if still APPROVED: how many were (a
        concurrent export that took one first leaves fewer)."""
        t = self.table
        changed = 0
        for order in exported:
            changed += self._write(update(t).where(
                t.c.order_id == order.order_id, t.c.state == OrderState.APPROVED.value).values(
                state=order.state.value, exported_in=order.exported_in, exported_on=order.exported_on)).rowcount
        return changed
