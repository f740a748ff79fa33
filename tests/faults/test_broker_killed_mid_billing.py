"""The broker SIGKILLed in the middle of a billing run, after some branch jobs are billed and
before the others are, and started again on its port, empty (memory storage) (C-5).

Contributions keeps running and SERVING. The job it is billing when the broker dies goes on
(its chunks commit to the database; their BillIssued events wait in the outbox); the jobs
not yet taken wait for the broker. Once it is back, the relay finds it lost what it had
acknowledged and publishes the run's job requests again from the outbox; the consumer's
inbox drops the jobs already done and resumes the unfinished one after its last committed
chunk. The run completes with the same bills and lines as a twin database billed without
interruption: no bill doubled, none lost.
"""
from __future__ import annotations

import time

import pytest

from jamsos.contributions.v1 import billing_pb2
from services.contributions.application.billing.jobs import CHUNK_SIZE
from tests.faults import sizes
from tests.faults.billing_runs import (
    BRANCHES, COMPLETED, DONE, PERIOD, billing_of, copy_sqlite, job_totals, mid_run, poll_run, seeded, twin_run,
)
from tests.faults.billing_state import billed_state, employers_of, expected_total
from tests.faults.load import HealthProbe
from tests.faults.processes import sigkill_broker

pytestmark = pytest.mark.kafka


def per_second(employers: int, seconds: float) -> float:
    return round(employers / seconds, 1) if seconds > 0 else 0.0


@pytest.mark.rule("C-5")
def test_c5_a_billing_run_across_a_broker_sigkill_completes_once_the_broker_is_back_as_its_twin(
        tmp_path, broker, service_processes, size):
    employers = employers_of(BRANCHES[:size.billing_branches], size.employers_per_branch, size.workers_per_employer)
    assert size.employers_per_branch > CHUNK_SIZE, "a job of several chunks can be caught between two of them"
    url, twin_url = f"sqlite:///{tmp_path}/contributions.db", f"sqlite:///{tmp_path}/twin.db"
    seeded(url, employers)
    copy_sqlite(url, twin_url)  # the twin starts from the same rows

    # One job request a read, its offset committed at once: the jobs not yet taken at the
    # kill are still on the broker (with the default batches one read takes them all, and
    # the run completes during the outage without the broker's help).
    process = service_processes("contributions", url, broker.bootstrap_servers, tmp_path,
                                CONSUMER_MAX_POLL_RECORDS="1", CONSUMER_COMMIT_INTERVAL_MS="0")
    probe = HealthProbe({"contributions": process.address}).start()
    channel, billing = billing_of(process.address)
    try:
        began = time.monotonic()
        started = billing.StartBillingRun(billing_pb2.StartBillingRunRequest(request_id="run-2024-03",
                                                                             period=PERIOD)).run
        assert len(started.jobs) == size.billing_branches and started.status != COMPLETED
        at_kill = poll_run(billing, started.run_id, mid_run, timeout=60)
        assert mid_run(at_kill), f"the run was never caught between its jobs: {at_kill}"
        sigkill_broker(broker)
        killed = time.monotonic()
        time.sleep(size.outage_seconds)
        at_restart = billing.GetBillingRun(billing_pb2.GetBillingRunRequest(run_id=started.run_id), timeout=5).run
        broker.start()
        restarted = time.monotonic()
        run = poll_run(billing, started.run_id, lambda r: r.status == COMPLETED, timeout=120, interval=0.2)
        completed = time.monotonic()
    finally:
        channel.close()
        health = probe.stop()
    assert run.status == COMPLETED, f"the run did not complete after the broker came back: {run}\n{process.log_tail()}"
    during = [answer for when, _, answer in health if killed <= when < restarted]
    assert len(during) >= 2 * int(size.outage_seconds), "too few health checks during the outage"
    assert {answer for _, _, answer in health} == {"SERVING"}, "contributions stopped serving"
    assert at_restart.status != COMPLETED, "the run finished without the broker: the outage tested nothing"

    twin = twin_run(twin_url)
    assert twin.status == COMPLETED
    assert job_totals(run) == job_totals(twin)
    assert (run.bills_issued, run.employers_done) == (len(employers), len(employers))
    live, twin_state = billed_state(url), billed_state(twin_url)
    assert live.bills == twin_state.bills, "bills differ from the uninterrupted twin"
    assert live.lines == twin_state.lines, "bill lines differ from the uninterrupted twin"
    numbers = [row[0] for row in live.bills]
    assert len(numbers) == len(set(numbers)) == len(employers), "one bill per employer: none doubled, none lost"
    assert live.bill_issued == sorted(numbers), "one BillIssued per bill in the outbox, none twice"
    assert live.total_rupiah == expected_total(employers)
    sizes.report("broker-killed-mid-billing", {
        "employers": len(employers), "branch_jobs": len(run.jobs), "outage_seconds": size.outage_seconds,
        "jobs_done_at_kill": sum(j.status == DONE for j in at_kill.jobs),
        "employers_done_at_kill": at_kill.employers_done,
        "employers_billed_during_outage": at_restart.employers_done - at_kill.employers_done,
        "employers_per_second_before": per_second(at_kill.employers_done, killed - began),
        "employers_per_second_during": per_second(at_restart.employers_done - at_kill.employers_done,
                                                  restarted - killed),
        "seconds_restart_to_completed": round(completed - restarted, 1),
    }, tmp_path)
