"""Membership bench: enrolment and lookup latency and throughput through the real gRPC API.

Starts the membership service as its own process (`python -m services.membership`, as
`make run` does; clients in this process do not share its interpreter lock) on a
throwaway PostgreSQL (or SQLite with --membership-db sqlite), registers employers, then:
- single enrolments (EnrolWorker) from concurrent clients: throughput and latency;
- one bulk enrolment stream (BulkEnrolWorkers): rows per second;
- lookups by KPJ (GetWorker) and by NIK plus birth date (FindKpj): throughput and latency.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import grpc

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, workers_pb2, workers_pb2_grpc
from services.membership.domain.nik import make_nik
from services.membership.domain.person import Sex
from grpc_health.v1 import health_pb2, health_pb2_grpc
from tests.harness.ports import free_port
from tests.harness.postgres import ThrowawayPostgres
from tests.service_harness import Caller, token_for

BRANCH = "KC-BINJAI"
REGION = "127501"  # Binjai's region code in the NIK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("membership")
    group.add_argument("--membership-db", choices=("postgres", "sqlite"), default="postgres")
    group.add_argument("--membership-enrolments", type=int, default=2_000, help="single EnrolWorker calls")
    group.add_argument("--membership-bulk", type=int, default=20_000, help="rows in one BulkEnrolWorkers stream")
    group.add_argument("--membership-lookups", type=int, default=5_000, help="GetWorker and FindKpj calls each")
    group.add_argument("--membership-clients", type=int, default=8, help="concurrent client threads")


def _d(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


class People:
    """Distinct, valid NIKs: serial and birth date vary, the region is Binjai's."""

    def __init__(self) -> None:
        self.serial = 0

    def next(self) -> tuple[str, date, Sex]:
        self.serial += 1
        born = date(1970, 1, 1) + timedelta(days=self.serial // 9999 * 7 + self.serial % 7000)
        sex = Sex.FEMALE if self.serial % 2 else Sex.MALE
        return make_nik(REGION, born, sex, serial=self.serial % 9999 + 1), born, sex


def _enrol_request(npp: str, person: tuple[str, date, Sex], n: int) -> workers_pb2.EnrolWorkerRequest:
    nik, born, sex = person
    return workers_pb2.EnrolWorkerRequest(
        request_id=f"bench-enrol-{n}", npp=npp, nik=nik, name=f"Pekerja {n}", birth_date=_d(born),
        sex=workers_pb2.SEX_FEMALE if sex is Sex.FEMALE else workers_pb2.SEX_MALE,
        marital_status=workers_pb2.MARITAL_STATUS_MARRIED, monthly_wage=types_pb2.Money(rupiah=4_500_000 + n % 1000),
        start_date=_d(date(2024, 1, 2)),
    )


def _timed(fn, requests, clients: int) -> dict:
    latencies: list[float] = []

    def one(request):
        start = time.perf_counter()
        fn(request)
        latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, requests))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)  # noqa: E731
    return {"calls": len(ordered), "seconds": round(elapsed, 2), "per_second": round(len(ordered) / elapsed, 1),
            "p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2)}


def run(args: argparse.Namespace) -> dict:
    postgres = ThrowawayPostgres().start() if args.membership_db == "postgres" else None
    url = postgres.create_database("bench_membership") if postgres else f"sqlite:///{tempfile.mkdtemp()}/membership.db"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "MEMBERSHIP_GRPC_PORT": str(port), "MEMBERSHIP_HTTP_PORT": str(free_port()),
           "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "OUTBOX_RELAY_ENABLED": "0", "CONSUMERS_ENABLED": "0"}
    log = tempfile.TemporaryFile()
    service = subprocess.Popen([sys.executable, "-m", "services.membership"], env=env, stdout=log, stderr=log)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        _wait_serving(channel)
        return _run(args, channel)
    finally:
        channel.close()
        service.terminate()
        service.wait(timeout=30)
        if postgres:
            postgres.stop()


def _wait_serving(channel: grpc.Channel, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                return
        except grpc.RpcError:
            time.sleep(0.2)
    raise RuntimeError("membership service did not start")


def _run(args, channel) -> dict:
    marketing = Caller(channel, token_for(BRANCH, "MARKETING_OFFICER"))(employers_pb2_grpc.EmployerServiceStub)
    admin = Caller(channel, token_for(BRANCH, "ADMINISTRATION_OFFICER"))(workers_pb2_grpc.WorkerServiceStub)
    npps = [
        marketing.RegisterEmployer(employers_pb2.RegisterEmployerRequest(
            request_id=f"bench-employer-{i}", branch_code=BRANCH, legal_name=f"PT Bench Sejahtera {i}", sector="Manufacturing",
            address=f"Jl. Bench {i}, Binjai", registration_date=_d(date(2020, 1, 1)), risk_group=1 + i % 5,
        )).employer.npp
        for i in range(20)
    ]
    people = People()
    results: dict = {"database": args.membership_db}

    requests = [_enrol_request(npps[n % len(npps)], people.next(), n) for n in range(args.membership_enrolments)]
    results["enrol_single"] = _timed(admin.EnrolWorker, requests, args.membership_clients)
    enrolled = [(r.nik, r.birth_date) for r in requests]

    rows = []
    for n in range(args.membership_bulk):
        nik, born, sex = people.next()
        rows.append(workers_pb2.BulkEnrolWorkersRequest(row=workers_pb2.BulkEnrolRow(
            row_number=n + 1, nik=nik, name=f"Pekerja massal {n}", birth_date=_d(born),
            sex=workers_pb2.SEX_FEMALE if sex is Sex.FEMALE else workers_pb2.SEX_MALE,
            marital_status=workers_pb2.MARITAL_STATUS_SINGLE, monthly_wage=types_pb2.Money(rupiah=3_800_000),
            start_date=_d(date(2024, 2, 1)))))
    header = workers_pb2.BulkEnrolWorkersRequest(header=workers_pb2.BulkEnrolHeader(request_id="bench-bulk", npp=npps[0]))
    started = time.perf_counter()
    outcomes = list(admin.BulkEnrolWorkers(iter([header, *rows]), timeout=3600))
    elapsed = time.perf_counter() - started
    rejected = sum(1 for o in outcomes if o.outcome == workers_pb2.ENROLMENT_OUTCOME_REJECTED)
    results["enrol_bulk"] = {"rows": len(outcomes), "rejected": rejected, "seconds": round(elapsed, 2),
                             "rows_per_second": round(len(outcomes) / elapsed, 1)}

    kpjs = [o.kpj for o in outcomes if o.kpj]
    rng = random.Random(7)
    gets = [workers_pb2.GetWorkerRequest(kpj=rng.choice(kpjs)) for _ in range(args.membership_lookups)]
    results["get_worker"] = _timed(admin.GetWorker, gets, args.membership_clients)
    finds = [workers_pb2.FindKpjRequest(nik=nik, birth_date=born) for nik, born in (rng.choice(enrolled) for _ in range(args.membership_lookups))]
    results["find_kpj"] = _timed(admin.FindKpj, finds, args.membership_clients)
    _print(results)
    return results


def _print(results: dict) -> None:
    print(f"\nmembership bench on {results['database']}")
    print(f"  {'operation':<14} {'calls':>8} {'per s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name in ("enrol_single", "get_worker", "find_kpj"):
        r = results[name]
        print(f"  {name:<14} {r['calls']:>8} {r['per_second']:>9} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8}")
    b = results["enrol_bulk"]
    print(f"  {'enrol_bulk':<14} {b['rows']:>8} {b['rows_per_second']:>9}  (one stream, {b['seconds']} s, {b['rejected']} rejected)")
