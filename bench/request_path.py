"""Request-path bench (`python -m bench requests`, issue 14): each call's cost next to a bare server's.

Membership and contributions run as their own processes in production shape (relays,
consumers and jobs on; bench/platform.py), seeded through the API (bench/seed.py). Then,
per operation (GetWorker, FindKpj, GetBill, EnrolWorker, RecordPayment), open loop at
fixed offered rates (100, 200, 500 calls/s) and at saturation, from load generator
processes of their own (bench/loadgen.py); the bare reference server (bench/reference.py),
answering that operation's real serialized response, is measured at the same points in
the same run, interleaved with the service (reference, service, reference, ...). Several
rounds give each figure as min/median/max. With --requests-db postgres, two membership
replicas on one database behind client-side round robin are measured against one.

Short by default (a few minutes); --full for the full sizes.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import grpc

from bench import loadgen
from bench.loadgen import ClosedLoop, Cycle, Load, LoadGenerator, OpenLoop, RequestSource, Target
from bench.people import People
from bench.platform import Platform, host_conditions
from bench.processes import CpuMeter, cores_used, wait_idle
from bench.reference import ReferenceServer, service_pool_size
from bench.request_sources import EnrolRequests, PaymentRequests, enrol_request, payment_request, proto_date
from bench.seed import BRANCH, ROLES, Seeded, seed
from bench.request_figures import ratio, summarise_operation
from bench.stats import spread
from jamsos.contributions.v1 import billing_pb2
from jamsos.membership.v1 import workers_pb2
from services.chassis.auth import mint_token
from services.chassis.config import DEV_JWT_SECRET

NAME = "requests"
OPERATIONS = ("GetWorker", "FindKpj", "GetBill", "EnrolWorker", "RecordPayment")
METHODS = {
    "GetWorker": ("membership", "/jamsos.membership.v1.WorkerService/GetWorker"),
    "FindKpj": ("membership", "/jamsos.membership.v1.WorkerService/FindKpj"),
    "GetBill": ("contributions", "/jamsos.contributions.v1.BillingService/GetBill"),
    "EnrolWorker": ("membership", "/jamsos.membership.v1.WorkerService/EnrolWorker"),
    "RecordPayment": ("contributions", "/jamsos.contributions.v1.PaymentService/RecordPayment"),
}
#: A closed-loop run of distinct requests builds this many per second of run (a bound, not a target).
MAX_RATE_BUILT = 3_000
#: Each RecordPayment pays this much of a bill: thousands of calls leave every bill open.
PAYMENT_RUPIAH = 1_000
#: Between points the servers are left until they use no more than their idle CPU plus this (cores).
IDLE_MARGIN = 0.1
#: A service answering less than this share of a rate is overloaded there: higher rates of
#: that round are not measured (they would only queue longer), unless --requests-every-rate.
OVERLOADED = 0.8


@dataclass(frozen=True)
class Sizes:
    seconds: float
    rounds: int
    employers: int
    per_employer: int


SHORT = Sizes(seconds=2, rounds=3, employers=20, per_employer=50)
FULL = Sizes(seconds=10, rounds=3, employers=100, per_employer=100)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("requests (the request-path bench)")
    group.add_argument("--requests-db", choices=("sqlite", "postgres"), default="sqlite")
    group.add_argument("--requests-pg-durable", action="store_true",
                       help="PostgreSQL with fsync, synchronous_commit and full_page_writes on (the harness turns them off)")
    group.add_argument("--requests-ops", default=",".join(OPERATIONS), help="operations, comma-separated")
    group.add_argument("--requests-rates", default="100,200,500", help="offered rates, calls/s, comma-separated")
    group.add_argument("--requests-seconds", type=float, default=None, help=f"seconds per point ({SHORT.seconds}; "
                       f"--full {FULL.seconds})")
    group.add_argument("--requests-rounds", type=int, default=None, help=f"rounds ({SHORT.rounds})")
    group.add_argument("--requests-employers", type=int, default=None, help=f"seeded employers ({SHORT.employers}; "
                       f"--full {FULL.employers})")
    group.add_argument("--requests-workers", type=int, default=None, help="seeded workers per employer "
                       f"({SHORT.per_employer}; --full {FULL.per_employer})")
    group.add_argument("--requests-processes", type=int, default=2, help="load generator processes")
    group.add_argument("--requests-concurrency", type=int, default=32, help="calls in flight at closed-loop saturation")
    group.add_argument("--requests-saturation", choices=("closed", "step"), default="closed",
                       help="closed: closed-loop maximum throughput; step: open-loop rates stepped up by 1.5x until "
                       "achieved < 95%% of offered or p99 over --requests-p99-bound")
    group.add_argument("--requests-p99-bound", type=float, default=100.0, help="ms, for --requests-saturation step")
    group.add_argument("--requests-timeout", type=float, default=10.0, help="per-call deadline, s")
    group.add_argument("--requests-threads", type=int, default=None,
                       help="the services' and the reference's gRPC thread pool (GRPC_THREADS; default: as set, else the "
                       "chassis default of the database)")
    group.add_argument("--requests-every-rate", action="store_true",
                       help=f"measure rates above one the service answered less than {OVERLOADED * 100:.0f}%% of, too")


def sizes_of(args: argparse.Namespace) -> Sizes:
    base = FULL if getattr(args, "full", False) else SHORT
    return Sizes(seconds=args.requests_seconds or base.seconds, rounds=args.requests_rounds or base.rounds,
                 employers=args.requests_employers or base.employers,
                 per_employer=args.requests_workers or base.per_employer)


@dataclass
class Operation:
    name: str
    service: str
    method: str
    sample: bytes  # one request: the one answered to capture `response`, and the reference's request
    response: bytes
    source: Callable[[Load, int], RequestSource]  # (load, processes) -> the service's requests


class Bench:
    """One run: the platform, the reference, the load generator, and the figures as they come."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args, self.sizes = args, sizes_of(args)
        if getattr(args, "requests_threads", None) is not None:  # the service processes and the reference read it (bench/reference.py)
            os.environ["GRPC_THREADS"] = str(args.requests_threads)
        self.rates = [float(r) for r in args.requests_rates.split(",") if r]
        self.ops = [o for o in args.requests_ops.split(",") if o]
        unknown = set(self.ops) - set(OPERATIONS)
        if unknown:
            raise SystemExit(f"unknown operations {sorted(unknown)}; known: {', '.join(OPERATIONS)}")
        self.today = date.today()
        self.tag = f"{int(time.time()):x}"
        self.people = People()
        self.payments = 0
        self.token = mint_token(user_id="bench-officer", office_code=BRANCH, office_level="BRANCH", roles=ROLES,
                                secret=DEV_JWT_SECRET)
        self.metadata = (("authorization", f"Bearer {self.token}"),)
        self.idle_cores: dict[str, float] = {}
        self.quiet = IDLE_MARGIN

    def run(self) -> dict[str, Any]:
        started = time.time()
        host = host_conditions()  # before anything starts: the load average is the machine's own
        host["service_thread_pool_size"] = service_pool_size(self.args.requests_db)  # it follows the database
        workdir = Path(tempfile.mkdtemp(prefix="jamsos-bench-requests-"))
        platform = Platform(self.args.requests_db, workdir, self.args.requests_pg_durable)
        reference: ReferenceServer | None = None
        try:
            print(f"requests bench: starting broker, membership and contributions on {self.args.requests_db} ...")
            platform.start()
            seeded = seed(platform.service("membership").address, platform.service("contributions").address,
                          self.token, self.sizes.employers, self.sizes.per_employer, self.people, self.today)
            print(f"seeded {len(seeded.npps)} employers, {len(seeded.kpjs)} workers, {len(seeded.bills)} bills "
                  f"({seeded.seconds})")
            operations = [self._operation(name, seeded, platform) for name in self.ops]
            reference = ReferenceServer({op.method: op.response for op in operations},
                                        database=self.args.requests_db).start()
            with LoadGenerator(self.args.requests_processes) as generator:
                measured = self._measure(operations, platform, reference, generator)
                scale_out = self._scale_out(operations, platform, generator)
            conditions = {**host, **platform.database_conditions(), **self._conditions(reference, seeded)}
        finally:
            if reference is not None:
                reference.stop()
            platform.stop()
            shutil.rmtree(workdir, ignore_errors=True)
        return {"bench": NAME, "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
                "seconds": round(time.time() - started, 1), "conditions": conditions, "method": self._method(),
                "operations": measured, "operation_order": list(measured), "scale_out": scale_out}

    # -- operations -----------------------------------------------------------

    def _operation(self, name: str, seeded: Seeded, platform: Platform) -> Operation:
        service, method = METHODS[name]
        source: Callable[[Load, int], RequestSource]
        if name == "GetWorker":
            requests = [workers_pb2.GetWorkerRequest(kpj=k).SerializeToString() for k in seeded.kpjs]
            source = _cycle(requests)
        elif name == "FindKpj":
            requests = [workers_pb2.FindKpjRequest(nik=nik, birth_date=proto_date(born)).SerializeToString()
                        for nik, born in seeded.people]
            source = _cycle(requests)
        elif name == "GetBill":
            requests = [billing_pb2.GetBillRequest(bill_number=b).SerializeToString() for _, b in seeded.bills]
            source = _cycle(requests)
        elif name == "EnrolWorker":
            start = self.today.replace(day=1)
            requests = [enrol_request(seeded.npps[0], self.people.take(1), start, self.tag).SerializeToString()]
            source = self._enrolments(seeded, start)
        else:
            self.payments += 1
            npp, bill = seeded.bills[0]
            requests = [payment_request(npp, bill, self.payments, self.today, PAYMENT_RUPIAH, self.tag).SerializeToString()]
            source = self._payments(seeded)
        response = _capture(platform.service(service).address, method, requests[0], self.metadata)
        return Operation(name, service, method, requests[0], response, source)

    def _enrolments(self, seeded: Seeded, start: date) -> Callable[[Load, int], RequestSource]:
        def source(load: Load, processes: int) -> RequestSource:
            per_process = _calls_per_process(load, processes)
            return EnrolRequests(tuple(seeded.npps), self.people.take(per_process * processes), per_process, start,
                                 self.tag)
        return source

    def _payments(self, seeded: Seeded) -> Callable[[Load, int], RequestSource]:
        def source(load: Load, processes: int) -> RequestSource:
            per_process = _calls_per_process(load, processes)
            first = self.payments + 1
            self.payments += per_process * processes
            return PaymentRequests(tuple(seeded.bills), first, per_process, self.today, PAYMENT_RUPIAH, self.tag)
        return source

    # -- measuring ------------------------------------------------------------

    def _measure(self, operations: list[Operation], platform: Platform, reference: ReferenceServer,
                 generator: LoadGenerator) -> dict[str, Any]:
        servers = [reference.pid, *(s.pid for s in platform.services)]
        self.idle_cores = {name: round(cores_used([pid], 2.0), 3) for name, pid in
                           (("reference", reference.pid), *((s.name, s.pid) for s in platform.services))}
        self.quiet = sum(self.idle_cores.values()) + IDLE_MARGIN
        print(f"idle CPU (cores): {self.idle_cores}", flush=True)
        rounds: dict[str, list[dict[str, Any]]] = {op.name: [] for op in operations}
        print("warming up (not recorded) ...", flush=True)
        for op in operations:  # warm-up, not recorded: connections, statement caches, first-call imports
            self._point(generator, self._service_target(op, platform), op.source, OpenLoop(50, 1), servers, [])
        for number in range(1, self.sizes.rounds + 1):
            for op in operations:
                service = self._service_target(op, platform)
                ref = Target(reference.address, op.method, self.metadata, timeout_s=self.args.requests_timeout)
                service_pid = platform.service(op.service).pid
                points: list[dict[str, Any]] = []
                overloaded_at: float | None = None
                for rate in self.rates:
                    load = OpenLoop(rate, self.sizes.seconds)
                    point: dict[str, Any] = {"offered_per_s": rate,
                             "reference": self._point(generator, ref, _same(op.sample), load, servers, [reference.pid])}
                    if overloaded_at is None:
                        point["service"] = self._point(generator, service, op.source, load, servers, [service_pid])
                        if point["service"]["achieved_per_s"] < OVERLOADED * rate and not self.args.requests_every_rate:
                            overloaded_at = rate
                    else:
                        point["service"] = {"skipped": f"overloaded at {overloaded_at:g}/s"}
                    points.append(point)
                    self._say(number, op.name, point)
                saturation = {"reference": self._saturation(generator, ref, _same(op.sample), servers, [reference.pid]),
                              "service": self._saturation(generator, service, op.source, servers, [service_pid])}
                self._say(number, op.name, {"offered_per_s": "saturation", **saturation})
                rounds[op.name].append({"round": number, "points": points, "saturation": saturation})
        return {op.name: summarise_operation(op.service, op.method, rounds[op.name]) for op in operations}

    def _service_target(self, op: Operation, platform: Platform) -> Target:
        return Target(platform.service(op.service).address, op.method, self.metadata,
                      timeout_s=self.args.requests_timeout)

    def _point(self, generator: LoadGenerator, target: Target, source: Callable[[Load, int], RequestSource],
               load: Load, idle: list[int], measured: list[int]) -> dict[str, Any]:
        """One run: first the servers go quiet (the last point's backlog and events worked off)."""
        waited = wait_idle(idle, below=self.quiet)
        meter = CpuMeter(measured).start()
        figures = generator.run(target, source(load, generator.processes), load)
        cpu = meter.stop()
        figures.update(cpu, idle_wait_s=waited,
                       server_cpu_ms_per_call=round(cpu["server_cpu_s"] * 1000 / figures["ok"], 3) if figures["ok"] else None)
        return figures

    def _saturation(self, generator: LoadGenerator, target: Target, source: Callable[[Load, int], RequestSource],
                    idle: list[int], measured: list[int]) -> dict[str, Any]:
        if self.args.requests_saturation == "closed":
            load = ClosedLoop(self.args.requests_concurrency, self.sizes.seconds,
                              max_calls=int(MAX_RATE_BUILT * self.sizes.seconds))
            figures = self._point(generator, target, source, load, idle, measured)
            return {**figures, "throughput_per_s": figures["achieved_per_s"]}
        return self._stepped_saturation(generator, target, source, idle, measured)

    def _stepped_saturation(self, generator: LoadGenerator, target: Target, source: Callable[[Load, int], RequestSource],
                            idle: list[int], measured: list[int]) -> dict[str, Any]:
        """From the highest fixed rate, up by 1.5x while a rate is kept (down by 1.5x until one is)."""
        steps: list[dict[str, Any]] = []
        best: dict[str, Any] | None = None
        rate = max(self.rates)
        for _ in range(12):
            figures = self._point(generator, target, source, OpenLoop(rate, self.sizes.seconds), idle, measured)
            steps.append(figures)
            kept = (figures["achieved_per_s"] >= 0.95 * rate and not figures["errors"]
                    and figures["latency_ms"]["p99"] <= self.args.requests_p99_bound)
            if kept:
                best, rate = figures, rate * 1.5
            elif best is not None or rate < 10:
                break
            else:
                rate /= 1.5
        chosen = best or steps[-1]
        return {**chosen, "throughput_per_s": chosen["achieved_per_s"] if best else 0.0,
                "steps": [{"offered_per_s": s["offered_per_s"], "achieved_per_s": s["achieved_per_s"],
                           "p99_ms": s["latency_ms"]["p99"], "errors": s["errors"]} for s in steps]}

    def _scale_out(self, operations: list[Operation], platform: Platform, generator: LoadGenerator) -> dict[str, Any]:
        if self.args.requests_db != "postgres":
            return {"skipped": "two membership replicas need one shared database: run with --requests-db postgres"}
        op = next((o for o in operations if o.name == "GetWorker"), None)
        if op is None:
            return {"skipped": "GetWorker is not among the operations measured"}
        first = platform.service("membership")
        second = platform.start_service("membership", replica=1)
        try:
            one = Target(first.address, op.method, self.metadata, timeout_s=self.args.requests_timeout)
            two = Target(f"ipv4:{first.address},{second.address}", op.method, self.metadata, round_robin=True,
                         timeout_s=self.args.requests_timeout)
            servers = [s.pid for s in platform.services]
            load = ClosedLoop(self.args.requests_concurrency, self.sizes.seconds)
            rounds: list[dict[str, Any]] = []
            for number in range(1, self.sizes.rounds + 1):
                single = self._point(generator, one, op.source, load, servers, [first.pid])
                pair = self._point(generator, two, op.source, load, servers, [first.pid, second.pid])
                rounds.append({"round": number, "one": single, "two": pair})
                print(f"  round {number} scale-out GetWorker: one replica {single['achieved_per_s']}/s, "
                      f"two {pair['achieved_per_s']}/s")
        finally:
            platform.stop_service(second)
        return {"operation": "GetWorker", "load": f"closed loop, {self.args.requests_concurrency} calls in flight",
                "one_replica_per_s": spread(r["one"]["achieved_per_s"] for r in rounds),
                "two_replicas_per_s": spread(r["two"]["achieved_per_s"] for r in rounds),
                "ratio": spread(ratio(r["two"]["achieved_per_s"], r["one"]["achieved_per_s"]) for r in rounds),
                "rounds": rounds}

    def _say(self, number: int, op: str, point: dict[str, Any]) -> None:
        def brief(f: dict[str, Any]) -> str:
            if "skipped" in f:
                return f"not measured: {f['skipped']}"
            errors = f" errors {f['errors']}" if f["errors"] else ""
            limited = " CLIENT-LIMITED" if f["client_limited"] else ""
            return (f"{f['achieved_per_s']:>7.1f}/s p50 {f['latency_ms']['p50']:>7.2f} p99 {f['latency_ms']['p99']:>8.2f} ms"
                    f"{errors}{limited}")
        offered = point["offered_per_s"]
        label = f"{offered:>5.0f}/s" if isinstance(offered, float) else "   sat."
        print(f"  round {number} {op:<13} {label}  ref {brief(point['reference'])}  |  service {brief(point['service'])}",
              flush=True)

    # -- description ----------------------------------------------------------

    def _conditions(self, reference: ReferenceServer, seeded: Seeded) -> dict[str, Any]:
        return {"relay_enabled": True, "consumers_enabled": True, "jobs_enabled": True,
                "services": "membership and contributions, one process each (python -m services.<name>)",
                "broker": "tansu, memory storage (tests/harness/broker.py)",
                "load_generator_processes": self.args.requests_processes, "rounds": self.sizes.rounds,
                "seconds_per_point": self.sizes.seconds, "offered_rates_per_s": self.rates,
                "saturation": self.args.requests_saturation, "closed_loop_concurrency": self.args.requests_concurrency,
                "call_timeout_s": self.args.requests_timeout, "idle_cpu_cores": self.idle_cores, "full": bool(getattr(self.args, "full", False)),
                "reference": reference.describe(),
                "seeded": {"employers": len(seeded.npps), "workers": len(seeded.kpjs), "bills": len(seeded.bills),
                           "billed_period": f"{seeded.period[0]}-{seeded.period[1]:02d}", "seconds": seeded.seconds}}

    def _method(self) -> dict[str, str]:
        saturation = (f"closed loop: {self.args.requests_concurrency} calls in flight over {self.args.requests_processes} "
                      f"processes for {self.sizes.seconds:g} s; throughput = OK answers inside that window / its length"
                      if self.args.requests_saturation == "closed" else
                      "open loop from the highest fixed rate, stepped up 1.5x while achieved >= 95% of offered with no "
                      f"error and p99 <= {self.args.requests_p99_bound:g} ms (down 1.5x until one passes); "
                      "throughput = achieved at the highest rate passing")
        return {
            "latency": "open loop: each call has an intended send time on a fixed schedule; latency = answer time - "
                       "intended send time (no coordinated omission); service_time_ms is from the actual send",
            "achieved": "OK answers / max(point length, last answer - first intended send)",
            "saturation": saturation,
            "ratio": "service saturation throughput / reference saturation throughput, per round",
            "reference": "bare grpcio server, the services' thread pool size, answering the operation's captured "
                         "serialized response; interleaved with the service (reference, service, ...) at every point",
            "client_limited": f"open loop: calls sent at less than {loadgen.SEND_RATE_LIMIT:.0%} of the offered rate, "
                              f"or a load generator process above {loadgen.CLIENT_CPU_LIMIT:.0%} of a core; "
                              "send_lag_ms says how late sends were either way",
            "overloaded": f"a rate the service answered less than {OVERLOADED:.0%} of ends the round's higher rates "
                          "for that operation (not measured, they would only queue longer; --requests-every-rate "
                          "measures them)",
            "server_cpu_ms_per_call": "CPU (user+system, /proc) of the serving process during the point / OK answers",
            "idle": "before each point the servers are left to go quiet (their idle CPU, measured once after seeding, "
                    f"plus {IDLE_MARGIN:g} of a core): the last point's backlog and events worked off",
        }


def _capture(address: str, method: str, request: bytes, metadata: tuple[tuple[str, str], ...]) -> bytes:
    """The service's serialized answer to `request` (retried as a client would on ABORTED, same request id)."""
    with grpc.insecure_channel(address) as channel:
        call: loadgen.Call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
        for attempt in range(10):
            try:
                return call(request, metadata=metadata, timeout=30)
            except grpc.RpcError as error:
                if error.code() not in (grpc.StatusCode.ABORTED, grpc.StatusCode.UNAVAILABLE) or attempt == 9:
                    raise
                time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _calls_per_process(load: Load, processes: int) -> int:
    return max(loadgen.calls_for(load, p, processes) for p in range(processes))


def _cycle(requests: list[bytes]) -> Callable[[Load, int], RequestSource]:
    fixed = Cycle(tuple(requests))
    return lambda load, processes: fixed


def _same(request: bytes) -> Callable[[Load, int], RequestSource]:
    return _cycle([request])


def run(args: argparse.Namespace) -> dict[str, Any]:
    result = Bench(args).run()
    from bench.report import render

    print()
    print(render(result))
    return result


def write_artefacts(result: dict[str, Any], folder: Path) -> list[Path]:
    """The latency plot next to the JSON (needs matplotlib: `make bench` installs it)."""
    from bench.plot import plot_latency

    path = plot_latency(result, folder / f"{NAME}-latency.png")
    return [path] if path is not None else []
