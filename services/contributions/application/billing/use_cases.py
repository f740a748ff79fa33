"""Billing as a component (C-5, C-6): runs, per-branch jobs, bills, SPI documents.

Where the jobs run: StartBillingRun writes a run's branch jobs as rows, and the job
workers of every replica (`job_workers`, BILLING_JOB_WORKERS per process, started by the
runtime with the service's jobs) claim them from the database; the RPC returns at once
and GetBillingRun reports progress. In a process that runs no job workers (tests, tools
on a bare database, JOBS_ENABLED=0), or with BILLING_JOBS_INLINE=1, the run is billed
inline before the RPC returns (`billing.jobs.run_jobs_inline`, BILLING_INLINE_WORKERS
branches at a time).
"""
from __future__ import annotations

from collections.abc import Callable

from jamsos.contributions.v1 import billing_pb2
from services.contributions.application.billing import jobs
from services.contributions.application.billing.bills import BillReader
from services.contributions.application.billing.coverage import BillingCoverage
from services.contributions.application.billing.job_workers import BillingJobWorkers
from services.contributions.application.billing.runs import BillingRuns
from services.contributions.application.context import ContributionsContext


class BillingUseCases:
    def __init__(self, ctx: ContributionsContext, *, inline: bool, inline_workers: int = 1, job_workers: int = 1):
        self.ctx = ctx
        # ctx.today looked up per job: a test may set the service's clock after it is built
        self.workers = BillingJobWorkers(ctx.base.unit_of_work, ctx.base.read_session, lambda: ctx.today(),
                                         max(1, job_workers))
        self.runs = BillingRuns(ctx, inline, inline_workers, self.workers)
        self.bills = BillReader(ctx)
        self.coverage = BillingCoverage(ctx)

    def start_run(self, request: billing_pb2.StartBillingRunRequest) -> billing_pb2.StartBillingRunResponse:
        return self.runs.start(request)

    def get_run(self, request: billing_pb2.GetBillingRunRequest) -> billing_pb2.GetBillingRunResponse:
        return self.runs.get(request)

    def watch_run(self, request: billing_pb2.WatchBillingRunRequest, is_active: Callable[[], bool]):
        return self.runs.watch(request, is_active)

    def run_jobs_inline(self, run_id: str, *, workers: int = 1) -> None:
        jobs.run_jobs_inline(self.ctx.base.unit_of_work, run_id, workers=workers, today=self.ctx.today())


def build(ctx: ContributionsContext) -> BillingUseCases:
    return BillingUseCases(ctx, inline=ctx.billing.jobs_inline, inline_workers=max(1, ctx.billing.inline_workers),
                           job_workers=ctx.billing.job_workers)
