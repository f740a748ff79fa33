"""Contributions SIGKILLed in the middle of a billing run, after some branch jobs are
billed and before the others are, then started again on the same database (C-5).

The run's jobs reach the process over the billing-jobs topic. The job being billed at the
kill is redelivered (its offset was never committed) and resumes after its last committed
chunk; the jobs not yet taken are taken. The run completes by itself, with the same bills
and lines as a twin database billed without interruption: no bill doubled, none lost.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.contributions.application.billing.jobs import CHUNK_SIZE
from services.contributions.bootstrap import definition
from tests.contributions.service.read_model_support import Feed, office_tree
from tests.faults import sizes
from tests.faults.billing_state import billed_state, employers_of, expected_total, load_read_model
from tests.service_harness import Caller, start_service, token_for

pytestmark = pytest.mark.kafka

BRANCHES = ["KC-BINJAI", "KC-MEDAN", "KC-SIBOLGA", "KC-JAKSEL", "KC-JAKPUS", "KC-JAKTIM"]
PERIOD = types_pb2.Period(year=2024, month=3)
DONE, COMPLETED = billing_pb2.BILLING_JOB_STATUS_DONE, billing_pb2.BILLING_RUN_STATUS_COMPLETED


def seeded(url: str, employers) -> None:
    """A contributions database with the office tree and the employers' read model."""
    runtime = start_service(definition(), url)
    try:
        Feed(runtime)(office_tree())
        load_read_model(runtime, employers)
    finally:
        runtime.stop(grace=0)


def copy_sqlite(source_url: str, target_url: str) -> None:
    """A closed SQLite database, its write-ahead log too if one is left."""
    source, target = Path(source_url.removeprefix("sqlite:///")), Path(target_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def billing_of(address: str):
    channel = grpc.insecure_channel(address)
    return channel, Caller(channel, token_for("KP", "HEAD_OFFICE_ADMIN"))(billing_pb2_grpc.BillingServiceStub)


def mid_run(run: billing_pb2.BillingRun) -> bool:
    """The moment to kill: some jobs billed, the run not finished, and a job part-way
    (chunks of it committed, more to come); at the latest, when one job is left."""
    done = sum(j.status == DONE for j in run.jobs)
    part_way = any(j.status != DONE and 0 < j.employers_done < j.employers_total for j in run.jobs)
    return run.status != COMPLETED and done >= 1 and (part_way or done == len(run.jobs) - 1)


def poll_run(billing, run_id: str, until, timeout: float, interval: float = 0.02) -> billing_pb2.BillingRun:
    deadline = time.monotonic() + timeout
    while True:
        run = billing.GetBillingRun(billing_pb2.GetBillingRunRequest(run_id=run_id), timeout=5).run
        if until(run) or time.monotonic() > deadline:
            return run
        time.sleep(interval)


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

    twin_runtime = start_service(definition(), twin_url)  # no broker: the jobs are billed inline
    try:
        with grpc.insecure_channel(f"127.0.0.1:{twin_runtime.grpc_port}") as twin_channel:
            twin = Caller(twin_channel, token_for("KP", "HEAD_OFFICE_ADMIN"))(billing_pb2_grpc.BillingServiceStub)
            twin_run = twin.StartBillingRun(billing_pb2.StartBillingRunRequest(request_id="twin", period=PERIOD)).run
    finally:
        twin_runtime.stop(grace=0)
    assert twin_run.status == COMPLETED

    def totals(r):
        return sorted((j.branch_code, j.employers_total, j.employers_done, j.bills_issued) for j in r.jobs)

    assert totals(run) == totals(twin_run)
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
