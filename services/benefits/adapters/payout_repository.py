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
from services.benefits.domain.payouts import BankAccount, OrderKind, OrderState, PaymentOrder, PaymentSchedule
from services.chassis.repository import ScopedRepository
from services.chassis.upsert import upsert

orders, schedules, instalments, unmatched = (payouts["orders"], payouts["schedules"], payouts["instalments"],
                                            payouts["unmatched"])


class PayoutRepository(ScopedRepository):
    # ---- payment orders ------------------------------------------------------------------
    def order_of_claim(self, claim_id: str, kind: OrderKind) -> PaymentOrder | None:
        """The claim's first order of `kind` (attempt 1), whatever became of it."""
        row = self.session.execute(select(orders).where(orders.c.claim_id == claim_id, orders.c.kind == kind.value)
                                   .order_by(orders.c.attempt)).first()
        return _order(row) if row else None

    def orders_of_claim(self, claim_id: str) -> list[PaymentOrder]:
        rows = self.session.execute(select(orders).where(orders.c.claim_id == claim_id).order_by(orders.c.order_id))
        return [_order(r) for r in rows]

    # ---- payout files ------------------------------------------------------------------------
    def approved_for_export(self, branch_code: str, limit: int) -> list[PaymentOrder]:
        """The branch's approved orders not yet in a file, oldest first, locked for the export."""
        statement = select(orders).where(orders.c.branch_code == branch_code,
                                         orders.c.state == OrderState.APPROVED.value)
        statement = self.scoped(statement, orders.c.branch_code).order_by(orders.c.order_id).limit(limit)
        return [_order(r) for r in self.session.execute(statement.with_for_update())]

    def exported_in(self, msg_id: str) -> list[PaymentOrder]:
        """The orders a payout file carried (whatever they became), locked for the status report."""
        statement = self.scoped(select(orders).where(orders.c.exported_in == msg_id), orders.c.branch_code)
        return [_order(r) for r in self.session.execute(statement.order_by(orders.c.order_id).with_for_update())]

    def visible_order(self, order_id: str) -> PaymentOrder | None:
        """The order, locked, or None when there is none in the caller's branches (a statement's line)."""
        statement = self.scoped(select(orders).where(orders.c.order_id == order_id), orders.c.branch_code)
        row = self.session.execute(statement.with_for_update()).first()
        return _order(row) if row else None

    def mark_exported(self, exported: list[PaymentOrder]) -> int:
        """Saves the orders as EXPORTED, each only if still APPROVED: how many were (a
        concurrent export that took one first leaves fewer)."""
        changed = 0
        for order in exported:
            result = self.session.execute(update(orders).where(
                orders.c.order_id == order.order_id, orders.c.state == OrderState.APPROVED.value).values(
                state=order.state.value, exported_in=order.exported_in, exported_on=order.exported_on))
            changed += result.rowcount
        return changed

    def readable_order(self, order_id: str) -> PaymentOrder:
        return _order(self.readable(select(orders).where(orders.c.order_id == order_id), orders.c.branch_code,
                                    "payment order", order_id))

    def writable_order(self, order_id: str) -> PaymentOrder:
        return _order(self.writable(select(orders).where(orders.c.order_id == order_id), orders.c.branch_code,
                                    "payment order", order_id))

    def add_order(self, order: PaymentOrder) -> None:
        self.session.execute(insert(orders).values(**_order_row(order)))

    def save_order(self, order: PaymentOrder) -> None:
        self.session.execute(update(orders).where(orders.c.order_id == order.order_id).values(**_order_row(order)))

    def page_orders(self, *, branch_code: str | None, state: OrderState | None, before_id: str | None,
                    limit: int) -> list[PaymentOrder]:
        statement = select(orders)
        if branch_code:
            statement = statement.where(orders.c.branch_code == branch_code)
        if state:
            statement = statement.where(orders.c.state == state.value)
        if before_id:
            statement = statement.where(orders.c.order_id < before_id)
        statement = self.scoped(statement.order_by(orders.c.order_id.desc()), orders.c.branch_code).limit(limit)
        return [_order(r) for r in self.session.execute(statement)]

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
        beneficiary=BankAccount(row.beneficiary_name, row.beneficiary_bank, row.beneficiary_account),
        amount=int(row.amount), created_on=row.created_on, state=OrderState(row.state), approved_by=row.approved_by,
        approved_on=row.approved_on, paid_by=row.paid_by, paid_on=row.paid_on, bank_reference=row.bank_reference,
        attempt=int(row.attempt), reissue_of=row.reissue_of, reissued_by=row.reissued_by, reissued_as=row.reissued_as,
        exported_in=row.exported_in, exported_on=row.exported_on, failed_on=row.failed_on,
        failure_code=row.failure_code, failure_reason=row.failure_reason, schedule_id=row.schedule_id,
        instalment=int(row.instalment or 0))


def _order_row(order: PaymentOrder) -> dict[str, Any]:
    b = order.beneficiary
    return {"order_id": order.order_id, "claim_id": order.claim_id, "kpj": order.kpj, "branch_code": order.branch_code,
            "kind": order.kind.value, "beneficiary_name": b.holder_name, "beneficiary_bank": b.bank_name,
            "beneficiary_account": b.account_number, "amount": order.amount, "state": order.state.value,
            "created_on": order.created_on, "approved_by": order.approved_by, "approved_on": order.approved_on,
            "paid_by": order.paid_by, "paid_on": order.paid_on, "bank_reference": order.bank_reference,
            "attempt": order.attempt, "reissue_of": order.reissue_of, "reissued_by": order.reissued_by,
            "reissued_as": order.reissued_as, "exported_in": order.exported_in, "exported_on": order.exported_on,
            "failed_on": order.failed_on, "failure_code": order.failure_code, "failure_reason": order.failure_reason,
            "schedule_id": order.schedule_id, "instalment": order.instalment}


def _schedule(row: Any) -> PaymentSchedule:
    return PaymentSchedule(
        schedule_id=row.schedule_id, claim_id=row.claim_id, kpj=row.kpj, branch_code=row.branch_code, code=row.code,
        rule_id=row.rule_id, monthly=int(row.monthly), months=int(row.months), starts_on=row.starts_on,
        beneficiary=BankAccount(row.beneficiary_name, row.beneficiary_bank, row.beneficiary_account))
