"""A billing run of the fault suite: the seeded contributions database, its twin, the run
followed over the API, the moment to strike, and the twin's uninterrupted run to compare."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import grpc

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.contributions.bootstrap import definition
from tests.contributions.service.read_model_support import Feed, office_tree
from tests.faults.billing_state import load_read_model
from tests.service_harness import Caller, start_service, token_for

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
    """The moment to strike: some jobs billed, the run not finished, and a job part-way
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


def twin_run(twin_url: str) -> billing_pb2.BillingRun:
    """The same period billed on the twin database without a broker: its jobs run inline."""
    runtime = start_service(definition(), twin_url)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
            twin = Caller(channel, token_for("KP", "HEAD_OFFICE_ADMIN"))(billing_pb2_grpc.BillingServiceStub)
            return twin.StartBillingRun(billing_pb2.StartBillingRunRequest(request_id="twin", period=PERIOD)).run
    finally:
        runtime.stop(grace=0)


def job_totals(run: billing_pb2.BillingRun) -> list[tuple]:
    return sorted((j.branch_code, j.employers_total, j.employers_done, j.bills_issued) for j in run.jobs)
