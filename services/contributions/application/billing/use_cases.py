"""Billing as a component (C-5, C-6): runs, per-branch jobs, bills, SPI documents.

Where the jobs run: with consumers enabled (a broker is configured), StartBillingRun
publishes one message per branch job on `jamsos.contributions.billing-jobs.v1` and the
consumer group `contributions-billing-jobs` shares them out among the replicas; the RPC
returns at once and GetBillingRun reports progress. Without consumers (tests, tools on
a bare database), or with BILLING_JOBS_INLINE=1, the run is billed inline before the RPC
returns (`billing.jobs.run_jobs_inline`, BILLING_INLINE_WORKERS branches at a time).
"""
from __future__ import annotations

from collections.abc import Callable

from jamsos.contributions.v1 import billing_pb2
from services.chassis.consumer import HandlerRegistry
from services.chassis.runtime import ConsumerSpec
from services.contributions.application.billing import jobs
from services.contributions.application.billing.bills import BillReader
from services.contributions.application.billing.coverage import BillingCoverage
from services.contributions.application.billing.runs import BillingRuns
from services.contributions.application.context import ContributionsContext

JOBS_CONSUMER = "contributions-billing-jobs"


class BillingUseCases:
    def __init__(self, ctx: ContributionsContext, *, inline: bool, inline_workers: int = 1):
        self.ctx = ctx
        self.runs = BillingRuns(ctx, inline, inline_workers)
        self.bills = BillReader(ctx)
        self.coverage = BillingCoverage(ctx)
        self.jobs_registry = HandlerRegistry()
        self.jobs_registry.on(billing_pb2.BillingJobRequested, self.on_job_requested)

    def start_run(self, request: billing_pb2.StartBillingRunRequest) -> billing_pb2.StartBillingRunResponse:
        return self.runs.start(request)

    def get_run(self, request: billing_pb2.GetBillingRunRequest) -> billing_pb2.GetBillingRunResponse:
        return self.runs.get(request)

    def watch_run(self, request: billing_pb2.WatchBillingRunRequest, is_active: Callable[[], bool]):
        return self.runs.watch(request, is_active)

    def on_job_requested(self, uow, envelope, payload: billing_pb2.BillingJobRequested) -> None:
        """A replica took a branch job from the topic: bill it, committing chunk by chunk.
        The job's own state (status, last_npp) makes a redelivered message harmless."""
        jobs.run_job(uow, payload.run_id, payload.branch_code, today=self.ctx.today())

    def run_jobs_inline(self, run_id: str, *, workers: int = 1) -> None:
        jobs.run_jobs_inline(self.ctx.base.unit_of_work, run_id, workers=workers, today=self.ctx.today())


def jobs_inline(ctx: ContributionsContext) -> bool:
    """Bill inline when nothing would consume the job topic, or when asked to."""
    settings = ctx.settings
    return settings is None or not settings.consumers_enabled or ctx.billing.jobs_inline


def build(ctx: ContributionsContext) -> BillingUseCases:
    return BillingUseCases(ctx, inline=jobs_inline(ctx), inline_workers=max(1, ctx.billing.inline_workers))


def consumers(use_cases: BillingUseCases) -> list[ConsumerSpec]:
    if use_cases.runs.inline:
        return []
    return [ConsumerSpec(JOBS_CONSUMER, (), use_cases.jobs_registry, topics=(jobs.BILLING_JOBS_TOPIC,))]
