"""C-5: a billing branch job without progress for the idle limit is counted as stalled
(`jamsos_billing_jobs_stalled`, which an alert pages on); done jobs and busy ones are not."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from prometheus_client import REGISTRY

from services.contributions.adapters.billing_run_repository import DONE, PENDING, BillingJobStore
from services.contributions.application.billing.stalled_jobs import StalledJobsWatch
from services.contributions.domain.periods import Period

NOW = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)


def add_job(contributions, run_id: str, branch: str, updated_at: datetime, status: str = PENDING) -> None:
    with contributions.app.ctx.base.unit_of_work() as uow:
        store = BillingJobStore(uow.session)
        store.add_run(run_id=run_id, period=Period(2024, 4), scope=branch, status=PENDING, requested_by="ani",
                      created_at=updated_at, completed_at=None)
        store.add_jobs(run_id, {branch: 3}, updated_at)
        store.update_job(run_id, branch, status=status)
        uow.commit()


@pytest.mark.rule("C-5")
def test_c5_a_job_idle_past_the_limit_is_counted_stalled_and_a_finished_one_is_not(contributions):
    add_job(contributions, "00000000-0000-0000-0000-000000000001", "KC-BINJAI", NOW - timedelta(minutes=30))
    add_job(contributions, "00000000-0000-0000-0000-000000000002", "KC-MEDAN", NOW - timedelta(minutes=2))
    add_job(contributions, "00000000-0000-0000-0000-000000000003", "KC-DELI", NOW - timedelta(hours=3), status=DONE)
    watch = StalledJobsWatch(contributions.app.ctx.base.read_session, now=lambda: NOW)
    assert watch.measure() == 1  # 30 minutes idle; 2 minutes is busy; done is done
    assert REGISTRY.get_sample_value("jamsos_billing_jobs_stalled", {"service": "contributions"}) == 1
    later = StalledJobsWatch(contributions.app.ctx.base.read_session, now=lambda: NOW + timedelta(minutes=9))
    assert later.measure() == 2


@pytest.mark.rule("C-5")
def test_c5_an_idle_job_is_stalled_once_its_lease_has_expired_not_while_a_worker_holds_it(contributions):
    """A worker renews its job's lease with each chunk it commits: an idle job under a live
    lease is not stalled; the same job whose worker died (lease run out) is."""
    held, dead = "00000000-0000-0000-0000-000000000011", "00000000-0000-0000-0000-000000000012"
    add_job(contributions, held, "KC-BINJAI", NOW - timedelta(minutes=30))
    add_job(contributions, dead, "KC-MEDAN", NOW - timedelta(minutes=30))
    with contributions.app.ctx.base.unit_of_work() as uow:
        store = BillingJobStore(uow.session)
        store.update_job(held, "KC-BINJAI", claimed_by="worker-1:a:1", lease_until=NOW + timedelta(seconds=10))
        store.update_job(dead, "KC-MEDAN", claimed_by="worker-1:b:2", lease_until=NOW - timedelta(seconds=10))
        uow.commit()
    assert StalledJobsWatch(contributions.app.ctx.base.read_session, now=lambda: NOW).measure() == 1
    later = StalledJobsWatch(contributions.app.ctx.base.read_session, now=lambda: NOW + timedelta(seconds=11))
    assert later.measure() == 2
