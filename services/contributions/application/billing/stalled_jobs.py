"""Watching billing runs (C-5): a branch job that makes no progress for a while and whose
lease is free or expired is stalled (no job worker claimed it, or the replica billing it
died and no worker took it over).
The gauge `jamsos_billing_jobs_stalled` counts them from the database every minute, so it
is true after a restart and whichever replica reports it; an alert pages on it.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, UTC

from prometheus_client import Gauge
from sqlalchemy.orm import Session

from services.contributions.adapters.billing_run_repository import BillingJobStore

log = logging.getLogger("jamsos.contributions.billing")

STALLED_JOBS = Gauge("jamsos_billing_jobs_stalled", "Billing branch jobs without progress for the idle limit (C-5).",
                     ["service"])
IDLE_LIMIT = timedelta(minutes=10)


class StalledJobsWatch:
    def __init__(self, read_session: Callable[[], Session], interval: float = 60.0, idle: timedelta = IDLE_LIMIT,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.read_session, self.interval, self.idle, self.now = read_session, interval, idle, now

    def measure(self) -> int:
        with self.read_session() as session:
            now = self.now()
            stalled = BillingJobStore(session).stalled_jobs(now - self.idle, now)
        STALLED_JOBS.labels("contributions").set(stalled)
        return stalled

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.measure()
            except Exception as exc:  # the database may be away: the next turn measures again
                log.warning("could not count stalled billing jobs: %s", exc)
            if stop.wait(self.interval):
                return
