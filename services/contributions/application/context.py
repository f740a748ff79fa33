"""What every contributions use case needs: the chassis's service context with the
replicated office directory, contributions' action table and the process settings."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.chassis.config import Settings
from services.chassis.roles import ActionTable
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.contributions.domain.roles import ACTIONS, ContributionsAction


@dataclass(frozen=True)
class BillingOptions:
    """Where a billing run's branch jobs run (see `application/billing`): `job_workers` per
    process claim them from the database; `jobs_inline` bills them inside StartBillingRun,
    `inline_workers` branches at a time."""

    jobs_inline: bool = False
    inline_workers: int = 1
    job_workers: int = 1


@dataclass
class ContributionsContext(ServiceContext):
    actions: ActionTable = field(default=ACTIONS)
    # The process settings (None when a use case is built outside a service process).
    settings: Settings | None = None
    billing: BillingOptions = field(default_factory=BillingOptions)
    # Employers / member accounts per transaction of a RecomputeStanding or RunYearlyReturns
    # run (`money.batched_runs`): RUN_BATCH_SIZE.
    run_batch_size: int = 500

    def authorise_read(self) -> BranchScope:
        return self.authorise(ContributionsAction.READ)
