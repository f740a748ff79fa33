"""Payment orders and periodic schedules in the database, within the caller's branch scope
(O-2); the consumer of JhtSettled and the daily payout use the system path (`for_system`).

Uniqueness is the safety net of every retry: one order per claim and kind, one schedule per
claim and benefit code, one row per instalment paid.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from services.benefits.adapters.tables import payouts
from services.benefits.domain.payouts import BankAccount, OrderKind, PaymentOrder, PaymentSchedule
from services.chassis.payout_order_store import (
    PaymentOrderStore, order_life_of, order_life_row, payee_of, payee_row,
)
from services.chassis.upsert import upsert

orders, schedules, instalments, unmatched = (payouts["orders"], payouts["schedules"], payouts["instalments"],
                                            payouts["unmatched"])


class PayoutRepository(PaymentOrderStore[PaymentOrder]):
    """The chassis's `PaymentOrderStore` (by id, pages, the payout files' `OrderBook`) on
    benefits' orders, with what they pay: claims, schedules and their instalments."""

    table = orders

    # ---- payment orders ------------------------------------------------------------------
    def order_of_claim(self, claim_id: str, kind: OrderKind) -> PaymentOrder | None:
        """The claim's first order of `kind` (attempt 1), whatever became of it."""
        row = self.session.execute(select(orders).where(orders.c.claim_id == claim_id, orders.c.kind == kind.value)
                                   .order_by(orders.c.attempt)).first()
        return self.to_order(row) if row else None

    def orders_of_claim(self, claim_id: str) -> list[PaymentOrder]:
        rows = self.session.execute(select(orders).where(orders.c.claim_id == claim_id).order_by(orders.c.order_id))
        return [self.to_order(r) for r in rows]

    def to_order(self, row: Any) -> PaymentOrder:
        return _order(row)

    def to_row(self, order: PaymentOrder) -> dict[str, Any]:
        return _order_row(order)

    # ---- schedules -----------------------------------------------------------------------
    def add_schedule(self, schedule: PaymentSchedule) -> None:
        b = schedule.beneficiary
        self.session.execute(insert(schedules).values(
            schedule_id=schedule.schedule_id, claim_id=schedule.claim_id, kpj=schedule.kpj,
            branch_code=schedule.branch_code, code=schedule.code, rule_id=schedule.rule_id, monthly=schedule.monthly,
            months=schedule.months, starts_on=schedule.starts_on, beneficiary_name=b.holder_name,
            beneficiary_bank=b.bank_name, beneficiary_account=b.account_number))

    def schedules_of_claim(self, claim_id: str) -> list[PaymentSchedule]:
        rows = self.session.execute(select(schedules).where(schedules.c.claim_id == claim_id)
                                    .order_by(schedules.c.code))
        return [_schedule(r) for r in rows]

    def unfinished_schedules(self, after_id: str | None, limit: int) -> list[PaymentSchedule]:
        """Schedules with instalments still to pay, by id, of the branches the caller may
        change (every branch for the daily job's system scope)."""
        paid = select(func.count()).select_from(instalments).where(
            instalments.c.schedule_id == schedules.c.schedule_id).scalar_subquery()
        statement = select(schedules).where(paid < schedules.c.months)
        if self.scope.writable is not None:
            statement = statement.where(schedules.c.branch_code.in_(sorted(self.scope.writable)))
        if after_id:
            statement = statement.where(schedules.c.schedule_id > after_id)
        rows = self.session.execute(statement.order_by(schedules.c.schedule_id).limit(limit))
        return [_schedule(r) for r in rows]

    def paid_instalments(self, schedule_ids: Iterable[str]) -> dict[str, list[Any]]:
        ids = sorted(set(schedule_ids))
        found: dict[str, list[Any]] = {i: [] for i in ids}
        if ids:
            for r in self.session.execute(select(instalments).where(instalments.c.schedule_id.in_(ids))
                                          .order_by(instalments.c.schedule_id, instalments.c.number)):
                found[r.schedule_id].append(r)
        return found

    def record_instalments(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(instalments), rows)

    def instalment_paid(self, order: PaymentOrder) -> None:
        """The instalment an INSTALMENT order paid (a re-issued order's too) is paid on its day."""
        self.session.execute(update(instalments).where(
            instalments.c.schedule_id == order.schedule_id, instalments.c.number == order.instalment).values(
            paid_on=order.paid_on, order_id=order.order_id))

    # ---- JHT settlements without a claim here --------------------------------------------
    def record_unmatched(self, claim_id: str, kpj: str, amount: int, settled_on: date, why: str) -> bool:
        """Kept once per claim id (a redelivery changes nothing); True when new."""
        known = self.session.execute(select(unmatched.c.claim_id).where(unmatched.c.claim_id == claim_id)).first()
        upsert(self.session, unmatched, {"claim_id": claim_id, "kpj": kpj, "amount": amount, "settled_on": settled_on,
                                         "why": why, "received_at": datetime.now(UTC)}, ["claim_id"], update=())
        return known is None


def _order(row: Any) -> PaymentOrder:
    return PaymentOrder(
        order_id=row.order_id, claim_id=row.claim_id, kpj=row.kpj, branch_code=row.branch_code, kind=OrderKind(row.kind),
        created_on=row.created_on, schedule_id=row.schedule_id, instalment=int(row.instalment or 0),
        **payee_of(row), **order_life_of(row))


def _order_row(order: PaymentOrder) -> dict[str, Any]:
    return {"order_id": order.order_id, "claim_id": order.claim_id, "kpj": order.kpj, "branch_code": order.branch_code,
            "kind": order.kind.value, "created_on": order.created_on, "schedule_id": order.schedule_id,
            "instalment": order.instalment, **payee_row(order), **order_life_row(order)}


def _schedule(row: Any) -> PaymentSchedule:
    return PaymentSchedule(
        schedule_id=row.schedule_id, claim_id=row.claim_id, kpj=row.kpj, branch_code=row.branch_code, code=row.code,
        rule_id=row.rule_id, monthly=int(row.monthly), months=int(row.months), starts_on=row.starts_on,
        beneficiary=BankAccount(row.beneficiary_name, row.beneficiary_bank, row.beneficiary_account))
