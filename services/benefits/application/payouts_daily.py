"""The daily payout of periodic benefits (B-JKK-6, B-JKK-7, B-JK-1): every instalment due on
or before the day and not yet ordered gets a payment order (kind INSTALMENT) that day, so a
failed transfer has the path every order has: the payout file (pain.001), the bank's
pain.002 or statement (PAID or FAILED), a re-issue to a corrected account (O-4). The order
is APPROVED as it is made: the schedule was approved with its claim (four eyes there), and
the monthly amount is the schedule's. The instalment is paid when its order is.

Safe to run as often as anything likes: an instalment is one row keyed by (schedule,
number), and its order is unique per (claim, kind, instalment, attempt), so a second run on
the same day orders nothing twice, and a run after missed days orders every instalment those
days would have. The service runs it by itself (`DailyPayoutLoop` in the service process);
finance may run it by hand (RunDailyPayout).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.domain.payouts import OrderKind, OrderState, PaymentOrder, PaymentSchedule
from services.chassis.context import request_context, system_principal
from services.chassis.ids import uuid7
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork

log = logging.getLogger("jamsos.benefits.payout")
SYSTEM = system_principal("benefits-daily-payout")
BATCH = 500


@dataclass(frozen=True)
class PayoutRun:
    instalments: int
    amount: int


def instalment_order(schedule: PaymentSchedule, number: int, day: date, by: str) -> PaymentOrder:
    """Instalment `number`'s order, approved with the schedule (its claim's approval)."""
    return PaymentOrder(order_id=uuid7(), claim_id=schedule.claim_id, kpj=schedule.kpj,
                        branch_code=schedule.branch_code, kind=OrderKind.INSTALMENT, beneficiary=schedule.beneficiary,
                        amount=schedule.monthly, created_on=day, schedule_id=schedule.schedule_id, instalment=number,
                        state=OrderState.APPROVED, approved_by=by, approved_on=day)


class DailyPayout:
    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None]):
        self.ctx = ctx
        self.on_change = on_change

    def run_in(self, uow: UnitOfWork, payouts: PayoutRepository, day: date) -> PayoutRun:
        """Order what is due through `day` in this transaction, in the repository's branches."""
        count = amount = 0
        after: str | None = None
        by = payouts.scope.principal.user_id
        while batch := payouts.unfinished_schedules(after, BATCH):
            ordered = payouts.paid_instalments(s.schedule_id for s in batch)
            rows = []
            for schedule in batch:
                done = {r.number for r in ordered[schedule.schedule_id]}
                due = schedule.due_through(day, done)
                for number, due_on in due:
                    order = instalment_order(schedule, number, day, by)
                    payouts.add_order(order)
                    rows.append({"schedule_id": schedule.schedule_id, "number": number, "due_on": due_on,
                                 "paid_on": None, "order_id": order.order_id, "amount": schedule.monthly})
                if due:
                    uow.audit("schedule.order", schedule.schedule_id, {
                        "claim_id": schedule.claim_id, "code": schedule.code, "numbers": [n for n, _ in due],
                        "amount": schedule.monthly * len(due), "ordered_on": day})
            payouts.record_instalments(rows)
            count += len(rows)
            amount += sum(r["amount"] for r in rows)
            after = batch[-1].schedule_id
        uow.count("instalment_ordered", count)
        uow.after_commit(self.on_change)
        return PayoutRun(count, amount)

    def run(self, day: date | None = None) -> PayoutRun:
        """The job: every branch, as the service itself."""
        with request_context(SYSTEM, None), self.ctx.base.unit_of_work() as uow:
            result = self.run_in(uow, PayoutRepository.for_system(uow.session), day or self.ctx.today())
            uow.commit()
        if result.instalments:
            log.info("daily payout", extra={"instalments": result.instalments, "amount": result.amount})
        return result


class DailyPayoutLoop:
    """Runs the daily payout now and then every `interval` seconds until `stop` is set; a
    failed run is logged and tried again at the next turn (nothing is half paid: one
    transaction per run)."""

    def __init__(self, job: DailyPayout, interval: float = 900.0):
        self.job = job
        self.interval = interval

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.job.run()
            except Exception:  # the database may be away for a while; the next turn catches up
                log.exception("daily payout failed; retrying at the next turn")
            if stop.wait(self.interval):
                return
