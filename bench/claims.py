"""Claims bench (`python -m bench claims`, issue 9): claims taken through the whole workflow per second.

The broker, membership, contributions and benefits run as their own processes in
production shape (relays, consumers and jobs on; bench/platform.py), SQLite by default or
PostgreSQL with --claims-db postgres. Employers and workers are seeded through membership's
API (bench/seed.py); the bench waits until benefits' read model, fed by membership's events,
knows every worker. Then N claim drivers, each a process of its own (bench/claim_driver.py),
take JKK claims through submit -> stage II report -> documents -> assess -> approve (a second
person, O-4) -> payment order found, approved -> paid, one claim after the other (closed loop:
N claims in flight), for a fixed time per round. Per round: claims/s, each step's p50/p99 and
benefits' CPU per claim. The yardstick, measured in the same run before every round: the
bare grpcio server (bench/reference.py) answering SubmitClaim's serialized response at
saturation. Rounds give each figure as min/median/max.
"""
from __future__ import annotations

import argparse
import multiprocessing
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc

from bench.claim_driver import PER_DRIVER, PER_ROUND, STEPS, DriverJob, drive, submit_request
from bench.loadgen import Call, ClosedLoop, Cycle, LoadGenerator, Target
from bench.people import People
from bench.platform import WITH_BENEFITS, Platform, host_conditions
from bench.processes import CpuMeter, cores_used, wait_idle
from bench.reference import ReferenceServer
from bench.seed import BRANCH, ROLES, Members, seed_members
from bench.stats import latency_figures, spread
from jamsos.benefits.v1 import claims_pb2 as cpb
from jamsos.benefits.v1 import claims_pb2_grpc
from services.chassis.auth import mint_token
from services.chassis.config import DEV_JWT_SECRET

NAME = "claims"
PROGRAM = "JKK"
SUBMIT = "/jamsos.benefits.v1.ClaimService/SubmitClaim"
#: Accidents of this run lie after this many days ago (drivers x rounds of claims fit well inside).
ACCIDENTS_DAYS_AGO = 45
MAX_DRIVERS = 16  # 17 x PER_DRIVER seconds of accident times stay in the past
IDLE_MARGIN = 0.1  # cores above the services' idle use: the last round's events worked off


@dataclass(frozen=True)
class Sizes:
    seconds: float
    rounds: int
    drivers: int
    employers: int
    per_employer: int
    reference_seconds: float


SHORT = Sizes(seconds=25, rounds=3, drivers=4, employers=5, per_employer=40, reference_seconds=3)
FULL = Sizes(seconds=60, rounds=3, drivers=8, employers=20, per_employer=100, reference_seconds=5)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("claims (claims through the whole workflow)")
    group.add_argument("--claims-db", choices=("sqlite", "postgres"), default="sqlite")
    group.add_argument("--claims-pg-durable", action="store_true",
                       help="PostgreSQL with fsync, synchronous_commit and full_page_writes on (the harness turns them off)")
    group.add_argument("--claims-seconds", type=float, default=None,
                       help=f"seconds per round ({SHORT.seconds:g}; --full {FULL.seconds:g})")
    group.add_argument("--claims-rounds", type=int, default=None, help=f"rounds ({SHORT.rounds})")
    group.add_argument("--claims-drivers", type=int, default=None,
                       help=f"concurrent claim drivers, one process each ({SHORT.drivers}; --full {FULL.drivers})")
    group.add_argument("--claims-employers", type=int, default=None,
                       help=f"seeded employers ({SHORT.employers}; --full {FULL.employers})")
    group.add_argument("--claims-workers", type=int, default=None,
                       help=f"seeded workers per employer ({SHORT.per_employer}; --full {FULL.per_employer})")
    group.add_argument("--claims-reference-seconds", type=float, default=None,
                       help=f"seconds of the reference's saturation run per round ({SHORT.reference_seconds:g})")
    group.add_argument("--claims-reference-concurrency", type=int, default=32,
                       help="calls in flight at the reference's saturation")
    group.add_argument("--claims-timeout", type=float, default=30.0, help="per-call deadline, s")


def sizes_of(args: argparse.Namespace) -> Sizes:
    base = FULL if getattr(args, "full", False) else SHORT
    sizes = Sizes(seconds=args.claims_seconds or base.seconds, rounds=args.claims_rounds or base.rounds,
                  drivers=args.claims_drivers or base.drivers, employers=args.claims_employers or base.employers,
                  per_employer=args.claims_workers or base.per_employer,
                  reference_seconds=args.claims_reference_seconds or base.reference_seconds)
    if not 1 <= sizes.drivers <= MAX_DRIVERS:
        raise SystemExit(f"--claims-drivers must be 1 to {MAX_DRIVERS}")
    return sizes


def tokens() -> dict[str, str]:
    """Three people of the branch: the officer assesses, the head approves (O-4), finance pays."""
    def token(user: str, *roles: str) -> str:
        return mint_token(user_id=user, office_code=BRANCH, office_level="BRANCH", roles=roles, secret=DEV_JWT_SECRET)

    return {"seeder": token("bench-seeder", *ROLES), "officer": token("bench-officer", "SERVICE_OFFICER"),
            "head": token("bench-head", "BRANCH_HEAD"), "finance": token("bench-finance", "FINANCE_OFFICER")}


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args, self.sizes = args, sizes_of(args)
        self.tokens = tokens()
        self.tag = f"{int(time.time()):x}"
        self.accidents_from = time.time() - ACCIDENTS_DAYS_AGO * 86_400
        self.idle_cores: dict[str, float] = {}

    def run(self) -> dict[str, Any]:
        started = time.time()
        host = host_conditions()  # before anything starts: the load average is the machine's own
        workdir = Path(tempfile.mkdtemp(prefix="jamsos-bench-claims-"))
        platform = Platform(self.args.claims_db, workdir, self.args.claims_pg_durable, names=WITH_BENEFITS)
        reference: ReferenceServer | None = None
        try:
            print(f"claims bench: starting broker, membership, contributions and benefits on {self.args.claims_db} ...",
                  flush=True)
            platform.start()
            members = seed_members(platform.service("membership").address, self.tokens["seeder"], self.sizes.employers,
                                   self.sizes.per_employer, People())
            waited = wait_until_known(platform.service("benefits").address, self.tokens["officer"], members.kpjs)
            members.seconds["benefits_read_model"] = waited
            print(f"seeded {len(members.npps)} employers, {len(members.kpjs)} workers ({members.seconds})", flush=True)
            job = self._job(platform, members, driver=self.sizes.drivers, round_number=0)
            sample = submit_request(job, members.kpjs[0], 0).SerializeToString()
            reference = ReferenceServer({SUBMIT: capture(job.benefits, sample, self.tokens["officer"])}).start()
            rounds = self._measure(platform, members, reference, sample)
            conditions = {**host, **platform.database_conditions(), **self._conditions(reference, members)}
        finally:
            if reference is not None:
                reference.stop()
            platform.stop()
            shutil.rmtree(workdir, ignore_errors=True)
        return {"bench": NAME, "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
                "seconds": round(time.time() - started, 1), "program": PROGRAM, "steps_order": list(STEPS),
                "drivers": self.sizes.drivers, "conditions": conditions, "method": METHOD, **summarise(rounds),
                "rounds": rounds}

    def _job(self, platform: Platform, members: Members, driver: int, round_number: int) -> DriverJob:
        drivers = self.sizes.drivers
        return DriverJob(benefits=platform.service("benefits").address, officer=self.tokens["officer"],
                         head=self.tokens["head"], finance=self.tokens["finance"],
                         kpjs=tuple(members.kpjs[driver % drivers::drivers]), driver=driver, round=round_number,
                         start_at=0.0, seconds=0.0, accidents_from=self.accidents_from, tag=self.tag,
                         timeout_s=self.args.claims_timeout, max_claims=PER_ROUND - 1)

    def _measure(self, platform: Platform, members: Members, reference: ReferenceServer,
                 sample: bytes) -> list[dict[str, Any]]:
        services = {s.name: s.pid for s in platform.services}
        idle = [reference.pid, *services.values()]
        self.idle_cores = {name: round(cores_used([pid], 1.0), 3) for name, pid in services.items()}
        quiet = sum(self.idle_cores.values()) + IDLE_MARGIN
        target = Target(reference.address, SUBMIT, timeout_s=self.args.claims_timeout)
        load = ClosedLoop(self.args.claims_reference_concurrency, self.sizes.reference_seconds)
        rounds: list[dict[str, Any]] = []
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.sizes.drivers, mp_context=spawn) as pool, LoadGenerator(2) as generator:
            print("warming up: one claim per driver (not recorded) ...", flush=True)
            self._round(pool, platform, members, 0, seconds=60, max_claims=1)
            for number in range(1, self.sizes.rounds + 1):
                wait_idle(idle, below=quiet)
                ref = generator.run(target, Cycle((sample,)), load)
                wait_idle(idle, below=quiet)
                meters = {name: CpuMeter([pid]).start() for name, pid in services.items()}
                raws = self._round(pool, platform, members, number, seconds=self.sizes.seconds)
                cpu = {name: meter.stop() for name, meter in meters.items()}
                figures = round_figures(number, raws, cpu, ref["achieved_per_s"])
                rounds.append(figures)
                print(f"  round {number}: {figures['claims']} claims, {figures['claims_per_s']:.2f} claims/s "
                      f"({figures['calls_per_s']:.1f} calls/s) against the reference's {ref['achieved_per_s']:.0f} "
                      f"calls/s; claim p50 {figures['claim_latency_ms']['p50']:.1f} ms, p99 "
                      f"{figures['claim_latency_ms']['p99']:.1f} ms; failed {figures['failed'] or 'none'}", flush=True)
        return rounds

    def _round(self, pool: ProcessPoolExecutor, platform: Platform, members: Members, number: int, seconds: float,
               max_claims: int = PER_ROUND - 1) -> list[dict[str, Any]]:
        start_at = time.time() + 1.0  # every driver has its channel ready by then
        jobs = [replace(self._job(platform, members, d, number), start_at=start_at, seconds=seconds,
                        max_claims=max_claims) for d in range(self.sizes.drivers)]
        return list(pool.map(drive, jobs))

    def _conditions(self, reference: ReferenceServer, members: Members) -> dict[str, Any]:
        return {"relay_enabled": True, "consumers_enabled": True, "jobs_enabled": True,
                "services": "membership, contributions and benefits, one process each (python -m services.<name>)",
                "broker": "tansu, memory storage (tests/harness/broker.py)", "drivers": self.sizes.drivers,
                "driver": "one process per driver, closed loop: one claim at a time", "rounds": self.sizes.rounds,
                "seconds_per_round": self.sizes.seconds, "reference_seconds": self.sizes.reference_seconds,
                "reference_concurrency": self.args.claims_reference_concurrency, "call_timeout_s": self.args.claims_timeout,
                "idle_cpu_cores": self.idle_cores, "full": bool(getattr(self.args, "full", False)),
                "reference": reference.describe(), "program": PROGRAM, "calls_per_claim": len(STEPS),
                "seeded": {"employers": len(members.npps), "workers": len(members.kpjs), "seconds": members.seconds}}


METHOD = {
    "claims_per_s": "claims that reached PAID in the round / (last driver's last answer - the common start); "
                    "drivers start no claim after the round's time and finish the one they are in",
    "calls_per_s": "OK answers of every step / the same time (8 calls a claim)",
    "latency": "per step, from the call to its answer as the driver saw it (retries on ABORTED or UNAVAILABLE with "
               "the same request id included); claim latency = the eight calls of one claim",
    "reference": "bare grpcio server, the services' thread pool size, answering SubmitClaim's captured serialized "
                 "response, closed loop from 2 load generator processes; measured before every round",
    "ratio": "the workflow's calls/s / the reference's calls/s, per round",
    "cpu_ms_per_claim": "CPU (user+system, /proc) of each service process during the round / claims paid",
    "program": "JKK work accidents (recovered, transport and one month of STMB): no years of membership needed and "
               "no exchange with contributions, so members seeded seconds before can claim",
}


def round_figures(number: int, raws: list[dict[str, Any]], cpu: dict[str, dict[str, float]],
                  reference_per_s: float) -> dict[str, Any]:
    """One round's figures from the drivers' raw results (pure: tests build it by hand)."""
    claims = sum(r["claims"] for r in raws)
    start = min(r["started_at"] for r in raws)
    elapsed = max(1e-9, max(r["finished_at"] for r in raws) - start)
    steps = {step: [s for r in raws for s in r["latencies_s"][step]] for step in STEPS}
    calls = sum(len(v) for v in steps.values())
    failed: Counter[str] = Counter()
    retries: Counter[str] = Counter()
    for r in raws:
        failed.update(r["failed"])
        retries.update(r["retries"])
    calls_per_s = calls / elapsed
    return {"round": number, "claims": claims, "elapsed_s": round(elapsed, 3), "claims_per_s": round(claims / elapsed, 3),
            "calls_per_s": round(calls_per_s, 2), "reference_calls_per_s": reference_per_s,
            "ratio": round(calls_per_s / reference_per_s, 4) if reference_per_s else None,
            "failed": dict(failed), "retries": dict(retries),
            "last_claim_states": sorted({r["last_claim_state"] for r in raws}),
            "claim_latency_ms": latency_figures(s for r in raws for s in r["claim_latencies_s"]),
            "steps": {step: latency_figures(values) for step, values in steps.items()},
            "cpu": cpu, "cpu_ms_per_claim": {name: round(c["server_cpu_s"] * 1000 / claims, 2) if claims else None
                                             for name, c in cpu.items()}}


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """min/median/max over the rounds of every figure the report shows."""
    services = sorted({name for r in rounds for name in r["cpu_ms_per_claim"]})
    return {"throughput": {key: spread(r[key] for r in rounds)
                           for key in ("claims_per_s", "calls_per_s", "reference_calls_per_s", "ratio")},
            "claim_latency_ms": {q: spread(r["claim_latency_ms"][q] for r in rounds) for q in ("p50", "p99")},
            "steps": {step: {q: spread(r["steps"][step][q] for r in rounds) for q in ("p50", "p99")} for step in STEPS},
            "cpu_ms_per_claim": {name: spread(r["cpu_ms_per_claim"].get(name) for r in rounds) for name in services},
            "failed": sum(sum(r["failed"].values()) for r in rounds)}


def wait_until_known(benefits: str, token: str, kpjs: list[str], timeout: float = 300) -> float:
    """Seconds until benefits' read model knows every worker. The probe is a claim for an
    accident before the enrolment: NOT_FOUND while the member is unknown, refused by B-JKK-1
    once known; nothing is written either way."""
    metadata = (("authorization", f"Bearer {token}"),)
    started = time.monotonic()
    deadline = started + timeout
    with grpc.insecure_channel(benefits) as channel:
        stub = claims_pb2_grpc.ClaimServiceStub(channel)
        for number, kpj in enumerate(kpjs):
            while True:
                probe = cpb.SubmitClaimRequest(request_id=f"bench-probe-{number}-{time.monotonic_ns()}", kpj=kpj,
                                               beneficiary=cpb.BankAccount(holder_name="Probe", bank_name="Bank",
                                                                           account_number="0123456789"),
                                               jkk=cpb.JkkClaim(cause=cpb.JKK_CAUSE_WORK_ACCIDENT,
                                                                accident_at=_before_enrolment()))
                try:
                    stub.SubmitClaim(probe, metadata=metadata, timeout=30)
                    raise RuntimeError(f"the probe claim for {kpj} was accepted: the seeded start date changed?")
                except grpc.RpcError as error:
                    code = error.code()
                    if code == grpc.StatusCode.FAILED_PRECONDITION:
                        break
                    if code not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ABORTED, grpc.StatusCode.UNAVAILABLE):
                        raise
                if time.monotonic() > deadline:
                    raise RuntimeError(f"benefits knows {number} of {len(kpjs)} workers after {timeout:.0f} s")
                time.sleep(0.2)
    return round(time.monotonic() - started, 2)


def _before_enrolment() -> Any:
    from google.protobuf.timestamp_pb2 import Timestamp

    stamp = Timestamp()
    stamp.FromSeconds(1_672_531_200)  # 2023-01-01, a year before bench/seed.py's WORKERS_START
    return stamp


def capture(benefits: str, request: bytes, token: str) -> bytes:
    """Benefits' serialized answer to one SubmitClaim (the reference answers these bytes)."""
    with grpc.insecure_channel(benefits) as channel:
        call: Call = channel.unary_unary(SUBMIT, request_serializer=None, response_deserializer=None)
        return bytes(call(request, metadata=(("authorization", f"Bearer {token}"),), timeout=30))


def run(args: argparse.Namespace) -> dict[str, Any]:
    result = Bench(args).run()
    from bench.claims_report import render_claims

    print()
    print(render_claims(result))
    return result


assert PER_DRIVER * (MAX_DRIVERS + 1) < (ACCIDENTS_DAYS_AGO - 2) * 86_400, "accident times must stay in the past"
