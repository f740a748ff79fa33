"""The broker SIGKILLed in the middle of a billing run, after some branch jobs are billed and
before the others are, and started again on its port, empty (memory storage) (C-5).

Contributions keeps running and SERVING, and billing keeps its pace: the run's jobs are
rows that contributions' job workers claim from its database, so the broker has no part
in them. Bills are committed chunk by chunk as before the kill; their BillIssued events
wait in the outbox until the broker is back (the relay then finds it lost what it had
acknowledged and publishes again). The run completes with the same bills and lines as a
twin database billed without interruption: no bill doubled, none lost. The employers
billed per second before the kill and during the outage are reported side by side.
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

    process = service_processes("contributions", url, broker.bootstrap_servers, tmp_path)
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
        # Followed through the outage: until the run completes, or the outage ends first.
        in_outage = poll_run(billing, started.run_id, lambda r: r.status == COMPLETED, timeout=size.outage_seconds,
                             interval=0.05)
        measured = time.monotonic()
        time.sleep(max(0.0, killed + size.outage_seconds - measured))
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
    billed_in_outage = in_outage.employers_done - at_kill.employers_done
    assert billed_in_outage > 0, f"nothing billed while the broker was down: {in_outage}"
    before = per_second(at_kill.employers_done, killed - began)
    in_outage_rate = per_second(billed_in_outage, measured - killed)
    # A sanity bound only (the figures are reported below): waiting on the broker's return
    # billed a sixth of the pace before it; billing that does not need it keeps the pace.
    assert in_outage_rate >= before / 3, f"billing slowed down without the broker: {before}/s, then {in_outage_rate}/s"

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
        "employers_billed_during_outage": billed_in_outage,
        "completed_during_outage": in_outage.status == COMPLETED,
        "employers_per_second_before": before,
        "employers_per_second_during": in_outage_rate,
        "seconds_kill_to_completed": round(completed - killed if in_outage.status != COMPLETED else measured - killed, 1),
    }, tmp_path)
