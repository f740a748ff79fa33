"""Wiring of the contributions service: one place that builds every component.

Each component is a pair of modules: `application/<name>.py` with `build(ctx)` returning
its use cases, and `entrypoints/<name>.py` with `register(server, use_cases)` adding its
servicer and returning the gRPC service names. A component that consumes events also
exposes `consumers(use_cases) -> list[ConsumerSpec]` in its application module.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from services.chassis.application import Application
from services.chassis.components import ComponentApp, component_service
from services.chassis.config import Settings
from services.chassis.runtime import ServiceDefinition
from services.contributions.adapters.metadata import metadata, platform
from services.contributions.adapters.tables import offices
from services.contributions.application.billing.stalled_jobs import StalledJobsWatch
from services.contributions.application.context import BillingOptions, ContributionsContext

COMPONENTS: tuple[str, ...] = ("rules", "read_model", "billing", "payments", "penalties", "reconciliation", "standing", "ledger")


def billing_options_from_env() -> BillingOptions:
    """BILLING_JOB_WORKERS=n, BILLING_JOBS_INLINE=1 and BILLING_INLINE_WORKERS=n (README, configuration)."""
    return BillingOptions(jobs_inline=os.environ.get("BILLING_JOBS_INLINE") == "1",
                          inline_workers=int(os.environ.get("BILLING_INLINE_WORKERS", "1") or "1"),
                          job_workers=int(os.environ.get("BILLING_JOB_WORKERS", "1") or "1"))


def make_context(settings: Settings, base: Application) -> ContributionsContext:
    return ContributionsContext(base=base, directory=offices.directory(base.session_factory), settings=settings,
                                billing=billing_options_from_env(),
                                run_batch_size=int(os.environ.get("RUN_BATCH_SIZE", "500") or "500"))


def jobs(app: ComponentApp) -> list[tuple[str, Callable[[threading.Event], None]]]:
    """The billing job workers, which claim runs' branch jobs from the database, and the
    stalled-billing-jobs gauge (C-5), measured every minute."""
    return [*app.billing.workers.runners(), ("billing-watch", StalledJobsWatch(app.ctx.base.read_session).run)]


def definition() -> ServiceDefinition:
    return component_service("contributions", COMPONENTS, metadata=metadata, tables=platform, make_context=make_context,
                             jobs=jobs)
