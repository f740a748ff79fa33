"""Contributions SIGKILLed in the middle of a billing run, after some branch jobs are
billed and before the others are, then started again on the same database (C-5).

The run's jobs reach the process over the billing-jobs topic. The job being billed at the
kill is redelivered (its offset was never committed) and resumes after its last committed
chunk; the jobs not yet taken are taken. The run completes by itself, with the same bills
and lines as a twin database billed without interruption: no bill doubled, none lost.
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

pytestmark = pytest.mark.kafka


@pytest.mark.rule("C-5")
def test_c5_a_billing_run_killed_between_branch_jobs_completes_after_restart_as_its_twin(
        tmp_path, broker, service_processes, size):
    employers = employers_of(BRANCHES[:size.billing_branches], size.employers_per_branch, size.workers_per_employer)
    assert size.employers_per_branch > CHUNK_SIZE, "a job of several chunks can be killed between two of them"
    url, twin_url = f"sqlite:///{tmp_path}/contributions.db", f"sqlite:///{tmp_path}/twin.db"
    seeded(url, employers)
    copy_sqlite(url, twin_url)  # the twin starts from the same rows

    process = service_processes("contributions", url, broker.bootstrap_servers, tmp_path)
    channel, billing = billing_of(process.address)
    started = billing.StartBillingRun(billing_pb2.StartBillingRunRequest(request_id="run-2024-03", period=PERIOD)).run
    assert len(started.jobs) == size.billing_branches and started.status != COMPLETED
    at_kill = poll_run(billing, started.run_id, mid_run, timeout=60)
    assert mid_run(at_kill), f"the run was never caught between its jobs: {at_kill}"
    process.sigkill()
    channel.close()
    killed = time.monotonic()

    process.start()
    serving = time.monotonic()
    channel, billing = billing_of(process.address)
    run = poll_run(billing, started.run_id, lambda r: r.status == COMPLETED, timeout=90, interval=0.2)
    recovery = time.monotonic() - killed
    channel.close()
    assert run.status == COMPLETED, f"the run did not complete after the restart: {run}\n{process.log_tail()}"

    twin = twin_run(twin_url)
    assert twin.status == COMPLETED
    assert job_totals(run) == job_totals(twin)
    assert (run.bills_issued, run.employers_done) == (len(employers), len(employers))
    killed_state, twin_state = billed_state(url), billed_state(twin_url)
    assert killed_state.bills == twin_state.bills, "bills differ from the uninterrupted twin"
    assert killed_state.lines == twin_state.lines, "bill lines differ from the uninterrupted twin"
    numbers = [row[0] for row in killed_state.bills]
    assert len(numbers) == len(set(numbers)) == len(employers), "one bill per employer: none doubled, none lost"
    assert killed_state.bill_issued == sorted(numbers), "one BillIssued per bill in the outbox, none twice"
    assert killed_state.total_rupiah == expected_total(employers)
    sizes.report("contributions-killed-mid-billing", {
        "employers": len(employers), "branch_jobs": len(run.jobs),
        "jobs_done_at_kill": sum(j.status == DONE for j in at_kill.jobs),
        "employers_done_at_kill": at_kill.employers_done,
        "seconds_kill_to_serving": round(serving - killed, 1), "seconds_kill_to_completed": round(recovery, 1),
    }, tmp_path)
