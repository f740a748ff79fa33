"""C-5: the database is the billing queue. A run's branch jobs are rows; job workers claim
them with a lease that each chunk renews, take over a job whose lease has expired, let
their job go when they stop, and are woken by StartBillingRun in their process. However
the jobs are shared out, each employer is billed once, as the inline path bills it.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, UTC

import grpc
import pytest
from sqlalchemy import select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.contributions.adapters.billing_run_repository import DONE, PENDING, RUNNING, BillingJobStore
from services.contributions.adapters import billing_facts
from services.contributions.adapters.tables import billing_jobs
from services.contributions.application.billing import jobs
from services.contributions.application.billing.job_workers import BillingJobWorkers
from services.contributions.domain.periods import Period
from tests.chassis.eventing import eventually
from tests.contributions.service.billing_workers import start_with_job_workers
from tests.contributions.service.read_model_support import Feed, office_tree
from tests.faults.billing_state import billed_state, employers_of, expected_total, load_read_model
from tests.service_harness import Caller, token_for

BRANCHES = ["KC-BINJAI", "KC-MEDAN", "KC-SIBOLGA"]
MARCH = Period(2024, 3)


def database_of(runtime) -> str:
    return runtime.app.ctx.base.engine.url.render_as_string(hide_password=False)


def seeded(runtime, per_branch: int = 7):
    Feed(runtime)(office_tree())
    employers = employers_of(BRANCHES, per_branch, 2)
    load_read_model(runtime, employers)
    return employers


def pending_run(runtime, run_id: str = "00000000-0000-0000-0000-000000000301") -> str:
    """A run of every branch written as StartBillingRun writes it, and left for the workers."""
    with runtime.app.ctx.base.unit_of_work() as uow:
        store, now = BillingJobStore(uow.session), datetime.now(UTC)
        store.add_run(run_id=run_id, period=MARCH, scope="ALL", status=PENDING, requested_by="ani", created_at=now,
                      completed_at=None)
        store.add_jobs(run_id, {b: billing_facts.count_employers(uow.session, b) for b in BRANCHES}, now)
        uow.commit()
    return run_id


def job_rows(runtime, run_id: str) -> dict[str, tuple]:
    """branch -> (status, employers_done, bills_issued, claimed_by, lease_until)."""
    j = billing_jobs
    with runtime.app.ctx.base.read_session() as session:
        rows = session.execute(select(j.c.branch_code, j.c.status, j.c.employers_done, j.c.bills_issued,
                                      j.c.claimed_by, j.c.lease_until).where(j.c.run_id == run_id)).all()
    return {r.branch_code: tuple(r)[1:] for r in rows}


def workers_of(runtime, count: int = 1, **options) -> BillingJobWorkers:
    base = runtime.app.ctx.base
    return BillingJobWorkers(base.unit_of_work, base.read_session, runtime.app.ctx.today, count, **options)


def lease(name: str, seconds: float = 60) -> jobs.Lease:
    return jobs.Lease(jobs.holder_name(name), seconds)


def assert_billed_once(runtime, employers) -> None:
    state = billed_state(database_of(runtime))
    numbers = [row[0] for row in state.bills]
    assert len(numbers) == len(set(numbers)) == len(employers), "one bill per employer: none doubled, none lost"
    assert state.bill_issued == sorted(numbers), "one BillIssued per bill, none twice"
    assert state.total_rupiah == expected_total(employers)


class Threads:
    """Worker threads of a test, stopped at the end as the runtime stops its jobs."""

    def __init__(self, workers: BillingJobWorkers):
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=run, args=(self.stop,), name=name) for name, run in workers.runners()]

    def __enter__(self) -> Threads:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        assert not any(t.is_alive() for t in self.threads), "a worker did not stop"


@pytest.fixture
def with_workers(database_url):
    """Contributions as a process with its jobs runs it: one job worker (BILLING_JOB_WORKERS)."""
    runtime = start_with_job_workers(database_url)
    yield runtime
    runtime.stop(grace=0)


@pytest.mark.rule("C-5")
def test_c5_start_billing_run_answers_at_once_and_the_job_workers_bill_the_run(with_workers):
    employers = seeded(with_workers)
    with grpc.insecure_channel(f"127.0.0.1:{with_workers.grpc_port}") as channel:
        billing = Caller(channel, token_for("KP", "HEAD_OFFICE_ADMIN"))(billing_pb2_grpc.BillingServiceStub)
        started = billing.StartBillingRun(billing_pb2.StartBillingRunRequest(
            request_id="run-march", period=types_pb2.Period(year=2024, month=3))).run
        # The answer is the run as its transaction wrote it: nothing billed by the RPC itself.
        assert started.status == billing_pb2.BILLING_RUN_STATUS_PENDING and started.employers_done == 0
        assert len(started.jobs) == len(BRANCHES)
        run = started
        for update in billing.WatchBillingRun(billing_pb2.WatchBillingRunRequest(run_id=started.run_id), timeout=60):
            run = update.run
        assert billing.StartBillingRun(billing_pb2.StartBillingRunRequest(
            request_id="run-march", period=types_pb2.Period(year=2024, month=3))).run == started  # a retry
    assert run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED
    assert (run.employers_done, run.bills_issued) == (len(employers), len(employers))
    assert_billed_once(with_workers, employers)
    rows = job_rows(with_workers, started.run_id)
    assert {status for status, *_ in rows.values()} == {DONE}
    assert all(claimed_by.startswith("worker-1:") and until is None for *_, claimed_by, until in rows.values())


@pytest.mark.rule("C-5")
def test_c5_workers_whose_leases_expire_under_every_chunk_share_the_jobs_and_bill_each_employer_once(contributions):
    """Four workers, three jobs of chunks of 2, leases shorter than a chunk: workers take
    over each other's jobs all the time (PostgreSQL: the claim skips a job whose chunk is
    in flight), and still no employer is billed twice."""
    employers = seeded(contributions, per_branch=9)
    run_id = pending_run(contributions)
    with Threads(workers_of(contributions, 4, chunk_size=2, lease_seconds=0.01, poll_seconds=0.05)):
        eventually(lambda: all(s == DONE for s, *_ in job_rows(contributions, run_id).values()), timeout=60)
    assert_billed_once(contributions, employers)
    with contributions.app.ctx.base.read_session() as session:
        run, job_list = BillingJobStore(session).progress(run_id)
    assert run.status == jobs.COMPLETED
    assert sorted((j.branch_code, j.employers_done, j.bills_issued) for j in job_list) == [
        (b, 9, 9) for b in BRANCHES]


@pytest.mark.rule("C-5")
def test_c5_a_job_whose_worker_died_is_taken_over_once_its_lease_has_expired(contributions):
    seeded(contributions, per_branch=3)
    run_id = pending_run(contributions)
    with contributions.app.ctx.base.unit_of_work() as uow:  # a replica claims all three jobs, then dies
        store, now = BillingJobStore(uow.session), datetime.now(UTC)
        claimed = [store.claim_job("dead-replica", now, now + timedelta(seconds=60)) for _ in BRANCHES]
        uow.commit()
    assert sorted(claimed) == [(run_id, b) for b in BRANCHES]
    survivor = workers_of(contributions)
    assert survivor.work_once(lease("survivor")) is False  # their leases still hold: left alone

    with contributions.app.ctx.base.unit_of_work() as uow:  # ... until they run out
        BillingJobStore(uow.session).update_job(run_id, "KC-MEDAN", lease_until=datetime.now(UTC) - timedelta(seconds=1))
        uow.commit()
    assert survivor.work_once(lease("survivor")) is True
    rows = job_rows(contributions, run_id)
    assert rows["KC-MEDAN"][:3] == (DONE, 3, 3) and rows["KC-MEDAN"][3].startswith("survivor:")
    assert {rows[b][:4] for b in ("KC-BINJAI", "KC-SIBOLGA")} == {(PENDING, 0, 0, "dead-replica")}
    assert survivor.work_once(lease("survivor")) is False
    assert len(billed_state(database_of(contributions)).bills) == 3  # KC-MEDAN's, once


@pytest.mark.rule("C-5")
def test_c5_a_stopping_worker_lets_its_job_go_between_two_chunks_and_another_resumes_it(contributions):
    employers = seeded(contributions, per_branch=5)
    run_id = pending_run(contributions)
    stopping = workers_of(contributions, chunk_size=2)
    stop = threading.Event()
    stop.set()  # the process is stopping: the worker bills one chunk and lets go
    assert stopping.work_once(lease("stopping"), stop) is True
    first = job_rows(contributions, run_id)["KC-BINJAI"]
    assert first[:3] == (RUNNING, 2, 2) and first[3].startswith("stopping:") and first[4] is None

    other = workers_of(contributions, chunk_size=2)
    while other.work_once(lease("other")):
        pass
    rows = job_rows(contributions, run_id)
    assert {b: r[:3] for b, r in rows.items()} == {b: (DONE, 5, 5) for b in BRANCHES}
    assert_billed_once(contributions, employers)


@pytest.mark.rule("C-5")
def test_c5_idle_workers_are_woken_by_a_new_run_and_do_not_wait_for_their_poll(contributions):
    employers = seeded(contributions, per_branch=2)
    workers = workers_of(contributions, 2, poll_seconds=3600)
    with Threads(workers):
        time.sleep(0.5)  # both have found nothing and wait for an hour
        run_id = pending_run(contributions)
        workers.wake()
        eventually(lambda: all(s == DONE for s, *_ in job_rows(contributions, run_id).values()), timeout=20)
    assert_billed_once(contributions, employers)
