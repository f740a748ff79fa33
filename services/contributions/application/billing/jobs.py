"""Per-branch billing jobs: claim, bill chunk by chunk, resume, complete the run (C-5).

A job bills its branch's employers in NPP order, `chunk_size` employers per transaction.
Each chunk locks the job row, continues after the stored `last_npp` and stores the new
one with the bills it issued, so a crash loses at most the chunk in flight and a rerun
(or a second worker handed the same job) carries on without billing anyone twice: two
workers on one job simply take turns chunk by chunk.

The database is the queue: StartBillingRun writes the jobs as rows, and the job workers
of every replica (`job_workers.BillingJobWorkers`) claim them with a lease that each
chunk renews; a job whose lease expired (its replica died) is taken over. No broker is
involved, so billing goes on at its pace while the broker is away. `run_jobs_inline`
bills a run's jobs in the calling thread when the process runs no job workers (tests,
embedded tools, the bench) or BILLING_JOBS_INLINE=1; it holds the same leases, so the
workers of other replicas leave those jobs alone while it makes progress.
"""
from __future__ import annotations

import os
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC
from collections.abc import Callable

from services.chassis.context import request_context, system_principal
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import billing_facts
from services.contributions.adapters.billing_run_repository import (  # noqa: F401 (statuses: part of this API)
    COMPLETED, DONE, PENDING, RUNNING, BillingJobStore,
)
from services.contributions.application.billing.chunk import bill_chunk, job_terms
from services.contributions.application.billing.corrections import issue_pending_corrections

CHUNK_SIZE = 500
# A chunk renews its job's lease for this long. A chunk takes about a second; a lease
# that runs out under a slow chunk only lets a second worker share the job (they take
# turns), and a dead replica's job waits this long before another worker takes it over.
LEASE_SECONDS = 15.0


@dataclass(frozen=True)
class Lease:
    """Who bills a job (`billing_jobs.claimed_by`) and for how long each renewal holds."""

    holder: str
    seconds: float = LEASE_SECONDS

    def until(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.seconds)

    def values(self, now: datetime) -> dict[str, object]:
        return {"claimed_by": self.holder, "lease_until": self.until(now)}


def holder_name(kind: str) -> str:
    """This process's name for a lease holder: host and pid tell whose it was after a crash."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}"[:100]


def run_job(uow: UnitOfWork, run_id: str, branch_code: str, *, chunk_size: int = CHUNK_SIZE,
            after_chunk: Callable[[], None] | None = None, today: date | None = None,
            lease: Lease | None = None, stop: Callable[[], bool] | None = None) -> None:
    """Bill one branch job to the end, committing `uow` after every chunk (resumable), each
    chunk renewing `lease`. First the branch's pending corrections (C-5: workers who joined
    or left a billed period late), in the transaction that marks the job running. When
    `stop()` turns true between two chunks, the lease is let go and the job left for
    another worker to resume."""
    lease = lease or Lease(holder_name("inline"))
    store = BillingJobStore(uow.session)
    period = store.run_period(run_id)
    job = store.lock_job(run_id, branch_code)
    if period is None or job is None or job.status == DONE:
        uow.commit()
        return
    store.mark_running(run_id, branch_code)
    terms = job_terms(uow, run_id, branch_code, period)
    corrected = issue_pending_corrections(uow, run_id, branch_code, today or date.today())
    renewed = lease.values(datetime.now(UTC))
    if corrected:  # the job's count includes them: they are bills this job issued
        renewed["bills_issued"] = job.bills_issued + len(corrected)
    store.update_job(run_id, branch_code, **renewed)
    uow.commit()
    while True:
        store = BillingJobStore(uow.session)
        job = store.lock_job(run_id, branch_code)
        if job.status == DONE:  # another worker finished it meanwhile
            uow.commit()
            return
        employers = billing_facts.employer_chunk(uow.session, branch_code, job.last_npp, chunk_size, period)
        issued = bill_chunk(uow, terms, employers) if employers else 0
        finished = len(employers) < chunk_size
        done = job.employers_done + len(employers)
        now = datetime.now(UTC)
        values = {"employers_done": done, "bills_issued": job.bills_issued + issued,
                  "last_npp": employers[-1].npp if employers else job.last_npp,
                  "updated_at": now, **lease.values(now)}
        if finished:
            values.update(status=DONE, employers_total=max(job.employers_total, done), lease_until=None)
        store.update_job(run_id, branch_code, **values)
        if finished:
            complete_run_if_done(uow, run_id)
        uow.commit()
        if after_chunk is not None:
            after_chunk()
        if finished:
            return
        if stop is not None and stop():
            BillingJobStore(uow.session).release_job(run_id, branch_code, lease.holder)
            uow.commit()
            return


def complete_run_if_done(uow: UnitOfWork, run_id: str) -> None:
    """The run is COMPLETED once every job is DONE."""
    BillingJobStore(uow.session).complete_run_if_done(run_id)


def unfinished_jobs(session, run_id: str) -> list[str]:
    return BillingJobStore(session).unfinished_jobs(run_id)


def run_jobs_inline(uow_factory: Callable[[], UnitOfWork], run_id: str, *, workers: int = 1,
                    chunk_size: int = CHUNK_SIZE, today: date | None = None) -> None:
    """The synchronous path: bill every unfinished job of the run in this process.

    Used when the process runs no job workers (tests, embedded tools, the bench) or when
    BILLING_JOBS_INLINE=1; `workers` > 1 bills that many branches at once (PostgreSQL:
    one branch's queries overlap another's pricing)."""
    lease = Lease(holder_name("inline"))

    def one(branch: str) -> None:
        # A job acts for the platform (row security's system path), in whichever thread.
        with request_context(system_principal(f"billing-job:{run_id}"), None), uow_factory() as uow:
            run_job(uow, run_id, branch, chunk_size=chunk_size, today=today, lease=lease)

    with uow_factory() as uow:
        branches = unfinished_jobs(uow.session, run_id)
    if workers <= 1:
        for branch in branches:
            one(branch)
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="billing-job") as pool:
            for future in [pool.submit(one, b) for b in branches]:
                future.result()
    with uow_factory() as uow:  # a run without jobs (nothing to bill) completes here too
        complete_run_if_done(uow, run_id)
        uow.commit()
