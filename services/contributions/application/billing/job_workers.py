"""The job workers of one replica: they claim billing branch jobs from the database (C-5).

Each worker loops: claim the oldest run's next job whose lease is free or expired (one
short transaction), bill it chunk by chunk renewing the lease (`jobs.run_job`), claim
the next. With nothing to claim it waits: StartBillingRun in this process wakes it at
once (`wake()`, after the run's commit), and it looks at the table again every
`poll_seconds` for the runs other replicas started and the jobs of replicas that died.
When the process stops, a worker lets its job go between two chunks, so another
replica takes it over without waiting for the lease to run out.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, UTC

from sqlalchemy import Connection

from services.chassis.context import request_context, system_principal
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.billing_run_repository import BillingJobStore
from services.contributions.application.billing import jobs

log = logging.getLogger("jamsos.contributions.billing")

POLL_SECONDS = 2.0  # how often an idle worker looks for other replicas' jobs
_STOP_CHECK_SECONDS = 0.2  # an idle worker notices the process stopping this fast


class BillingJobWorkers:
    """`count` workers sharing one wake-up; `running` while at least one of them runs."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], read_session: Callable[[], Connection],
                 today: Callable[[], date], count: int, *, chunk_size: int = jobs.CHUNK_SIZE,
                 lease_seconds: float = jobs.LEASE_SECONDS, poll_seconds: float = POLL_SECONDS):
        self.uow_factory, self.read_session, self.today, self.count = uow_factory, read_session, today, count
        self.chunk_size, self.lease_seconds, self.poll_seconds = chunk_size, lease_seconds, poll_seconds
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> bool:
        return self._running > 0

    def wake(self) -> None:
        """Jobs were committed: idle workers claim at once instead of at their next poll."""
        self._wake.set()

    def runners(self) -> list[tuple[str, Callable[[threading.Event], None]]]:
        """(name, run(stop)) of each worker, for the runtime to run in threads of their own.
        They count as running from here on (a run started before a thread is scheduled is
        not billed inline as well), until each of them has stopped."""
        with self._lock:
            self._running += self.count
        return [(f"billing-worker-{n}", self._worker(jobs.Lease(jobs.holder_name(f"worker-{n}"), self.lease_seconds)))
                for n in range(1, self.count + 1)]

    def _worker(self, lease: jobs.Lease) -> Callable[[threading.Event], None]:
        def run(stop: threading.Event) -> None:
            try:
                while not stop.is_set():
                    self._wake.clear()  # before claiming: a wake from now on is not lost
                    if not self.work_once(lease, stop):
                        self._idle(stop)
            finally:
                with self._lock:
                    self._running -= 1
        return run

    def work_once(self, lease: jobs.Lease, stop: threading.Event | None = None) -> bool:
        """Claim one job and bill it (to the end, or until `stop`): whether one was claimed.
        A failure is logged and the job keeps its lease until it runs out: it is retried
        then, by this worker or another, not in a tight loop."""
        try:
            with request_context(system_principal(f"billing-{lease.holder}"), None):
                claimed = self._claim(lease)
                if claimed is None:
                    return False
                run_id, branch = claimed
                with self.uow_factory() as uow:
                    jobs.run_job(uow, run_id, branch, chunk_size=self.chunk_size, today=self.today(), lease=lease,
                                 stop=stop.is_set if stop is not None else None)
                return True
        except Exception:
            log.exception("billing job worker %s failed; its job is taken again once the lease runs out", lease.holder)
            return False

    def _claim(self, lease: jobs.Lease) -> tuple[str, str] | None:
        """A read first: an idle worker's poll opens no write transaction (SQLite's lock)."""
        with self.read_session() as session:
            if not BillingJobStore(session).any_claimable(datetime.now(UTC)):
                return None
        with self.uow_factory() as uow:
            now = datetime.now(UTC)
            claimed = BillingJobStore(uow.session).claim_job(lease.holder, now, lease.until(now))
            uow.commit()
        return claimed

    def _idle(self, stop: threading.Event) -> None:
        """Until woken, the poll interval is over, or the process stops."""
        waited = 0.0
        while waited < self.poll_seconds and not stop.is_set():
            if self._wake.wait(min(_STOP_CHECK_SECONDS, self.poll_seconds - waited)):
                return
            waited += _STOP_CHECK_SECONDS
