"""The daily payout of periodic benefits (B-JKK-6, B-JKK-7, B-JK-1): every instalment due on
or before the day and not yet paid is paid, on that day.

Safe to run as often as anything likes: an instalment is one row keyed by (schedule,
number), so a second run on the same day pays nothing twice, and a run after missed days
pays every instalment those days would have. The service runs it by itself (`DailyPayoutLoop`
in the service process); finance may run it by hand (RunDailyPayout).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from services.benefits.adapters.payout_repository import PayoutRepository
from services.chassis.context import request_context, system_principal
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork

log = logging.getLogger("jamsos.benefits.payout")
SYSTEM = system_principal("benefits-daily-payout")
BATCH = 500


@dataclass(frozen=True)
class PayoutRun:
    instalments: int
    amount: int


class DailyPayout:
    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None]):
        self.ctx = ctx
        self.on_change = on_change

    def run_in(self, uow: UnitOfWork, payouts: PayoutRepository, day: date) -> PayoutRun:
        """Pay what is due through `day` in this transaction, in the repository's branches."""
        count = amount = 0
        after: str | None = None
        while batch := payouts.unfinished_schedules(after, BATCH):
            paid = payouts.paid_instalments(s.schedule_id for s in batch)
            rows = []
            for schedule in batch:
                done = {r.number for r in paid[schedule.schedule_id]}
                due = schedule.due_through(day, done)
                rows += [{"schedule_id": schedule.schedule_id, "number": n, "due_on": due_on, "paid_on": day,
                          "amount": schedule.monthly} for n, due_on in due]
                if due:
                    uow.audit("schedule.pay", schedule.schedule_id, {
                        "claim_id": schedule.claim_id, "code": schedule.code, "numbers": [n for n, _ in due],
                        "amount": schedule.monthly * len(due), "paid_on": day})
            payouts.record_instalments(rows)
            count += len(rows)
            amount += sum(r["amount"] for r in rows)
            after = batch[-1].schedule_id
        uow.count("instalment_paid", count)
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
