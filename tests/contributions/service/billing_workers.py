"""Contributions as a process with its jobs runs it: the billing job workers claim a run's
branch jobs from the database, and StartBillingRun returns before they are billed.

Test servers run without the service's jobs (`tests/service_harness.py`), which bills
runs inline; the tests of the job workers' path start the service with them."""
from __future__ import annotations

import dataclasses

from services.chassis.runtime import ServiceRuntime
from services.contributions.bootstrap import definition
from tests.service_harness import test_settings


def start_with_job_workers(database_url: str, bootstrap: str | None = None) -> ServiceRuntime:
    """Contributions with its jobs on (the billing job workers and the stalled-jobs gauge)."""
    d = definition()
    settings = dataclasses.replace(test_settings(d.name, database_url, bootstrap), jobs_enabled=True)
    runtime = ServiceRuntime(d, settings).start(http=False)
    assert not runtime.app.billing.runs.bills_inline, "the job workers are not running"
    return runtime
