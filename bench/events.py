"""Events bench: how long an event takes from its commit in membership to its application
in contributions, at fixed offered rates, open loop, with both services as their own
processes on a tansu broker (as `make run` starts them).

Each event is an enrolment (EnrolWorker, sent on a fixed schedule whatever the answers
do) whose WorkerEnrolled event contributions' read model applies. Per event:

    commit -> applied = contributions' inbox `applied_at` - membership's outbox `created_at`

Both stamps are taken inside their transaction just before its commit, by processes on the
same machine (one clock), so the figure is the relay's wait, its send, the broker, the
consumer's fetch and the handler's transaction. Reported per offered rate: p50, p90, p99
and max over N rounds (min / median / max across rounds), with the conditions.

    python -c 'import argparse, bench.events as e; p = argparse.ArgumentParser(); \
e.add_arguments(p); e.run(p.parse_args([]))'
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import MetaData, create_engine, func, select

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, workers_pb2, workers_pb2_grpc
from services.chassis.config import DEV_JWT_SECRET, DEV_SERVICE_JWT_SECRET
from services.chassis.tables import add_platform_tables
from services.membership.domain.nik import make_nik
from services.membership.domain.person import Sex
from tests.harness.ports import free_port
from tests.service_harness import token_for

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BRANCH = "KC-BINJAI"
EVENT_TYPE = "jamsos.membership.v1.WorkerEnrolled"
EMPLOYER_EVENT_TYPE = "jamsos.membership.v1.EmployerRegistered"
CONSUMER = "contributions-membership"  # contributions' read model of membership
EMPLOYERS = 20
WARM_UP_SECONDS = 2.0
# After the warm-up, each service's CPU with nothing to do (its consumers' fetches, the relay's poll).
IDLE_SECONDS = 5.0
# Settings of the services that shape the figure, recorded with the results.
RECORDED_SETTINGS = ("OUTBOX_RELAY_POLL_INTERVAL", "OUTBOX_RELAY_BATCH_SIZE", "KAFKA_PRODUCER_LINGER_MS",
                     "KAFKA_PRODUCER_BATCH_SIZE", "CONSUMER_FETCH_MAX_WAIT_MS", "CONSUMER_FETCH_MIN_BYTES",
                     "CONSUMER_POLL_TIMEOUT_MS", "CONSUMER_MAX_POLL_RECORDS", "CONSUMER_COMMIT_INTERVAL_MS")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("events (commit -> applied)")
    group.add_argument("--events-db", choices=("sqlite", "postgres"), default="sqlite",
                       help="the services' databases (postgres: a throwaway cluster, fsync off)")
    group.add_argument("--events-rates", default="50,100,200", help="offered events per second, comma-separated")
    group.add_argument("--events-seconds", type=float, default=None,
                       help="seconds of load per rate and round (default 5; 30 with --events-full)")
    group.add_argument("--events-rounds", type=int, default=3, help="rounds over all rates (min/median/max)")
    group.add_argument("--events-full", action="store_true", help="the long size: 30 s per rate and round")
    group.add_argument("--events-source", choices=("enrolment", "chassis"), default="enrolment",
                       help="enrolment: EnrolWorker in membership -> contributions' read model (the platform's "
                            "own costs included); chassis: a one-row event committed by a bare emitter process "
                            "-> a one-row handler in another (the relay, broker and consumer alone)")
    group.add_argument("--events-log-level", default="INFO", help="the services' LOG_LEVEL (production: INFO)")
    group.add_argument("--events-env", action="append", default=[], metavar="NAME=VALUE",
                       help="a setting for both services, to compare (e.g. CONSUMER_FETCH_MAX_WAIT_MS=500)")
    group.add_argument("--events-results", default=str(RESULTS), help="folder of events-<date>.json and events-latest.json")


# ---- the run -------------------------------------------------------------------------------
WRITES_OWN_RESULTS = True  # bench/__main__.py leaves the files to write_results below


def run(args: argparse.Namespace) -> dict[str, Any]:
    rates = [int(r) for r in str(args.events_rates).split(",") if r.strip()]
    seconds = args.events_seconds or (30.0 if args.events_full else 5.0)
    overrides = dict(item.split("=", 1) for item in args.events_env)
    source = getattr(args, "events_source", "enrolment")
    with Platform(args.events_db, args.events_log_level, overrides, source) as platform:
        load: Load = ChassisLoad(platform) if source == "chassis" else Load(platform)
        load.prepare()
        load.offer(50, WARM_UP_SECONDS)  # connections, group assignment, caches: not measured
        idle = platform.idle_cores(IDLE_SECONDS)
        print(f"  idle CPU (cores) over {IDLE_SECONDS:g} s: {idle}", flush=True)
        rounds: dict[int, list[dict[str, Any]]] = {rate: [] for rate in rates}
        for number in range(args.events_rounds):
            for rate in rates:
                figures = load.offer(rate, seconds)
                rounds[rate].append(figures)
                print(f"  round {number + 1} {rate:>4}/s: commit->applied p50 {figures['p50_ms']} p99 {figures['p99_ms']} "
                      f"max {figures['max_ms']} ms; ->published p99 {figures['published_p99_ms']} ms "
                      f"({figures['events']} events at {figures['achieved_per_second']}/s, call p99 "
                      f"{figures['call_p99_ms']} ms)", flush=True)
        result = {
            "bench": "events", "source": source,
            "measure": "commit -> applied (the producer's outbox created_at to the consumer's inbox applied_at)",
            "conditions": platform.conditions(seconds, args.events_rounds),
            "idle_cpu_cores": idle,
            "rates": {str(rate): summarise(rounds[rate]) for rate in rates},
            "rounds": {str(rate): rounds[rate] for rate in rates},
        }
    write_results(result, Path(args.events_results), "events" if source == "enrolment" else "events-chassis")
    print_table(result)
    return result


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's min, median and max over the rounds."""
    keys = ("p50_ms", "p90_ms", "p99_ms", "max_ms", "published_p50_ms", "published_p99_ms", "call_p50_ms",
            "call_p99_ms", "achieved_per_second")
    return {key: {"min": min(r[key] for r in rounds), "median": round(statistics.median(r[key] for r in rounds), 1),
                  "max": max(r[key] for r in rounds)} for key in keys} | {
        "events": sum(r["events"] for r in rounds),
        "cpu_ms_per_event_median": {name: round(statistics.median(r["cpu_ms_per_event"][name] for r in rounds), 2)
                                    for name in rounds[0]["cpu_ms_per_event"]}}


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    index = max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))
    return round(ordered[index], 1)


def write_results(result: dict[str, Any], folder: Path, name: str) -> None:
    """`<name>-<date>.json` and `<name>-latest.json` (name: events, or events-chassis)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    dated = folder / f"{name}-{datetime.now(UTC):%Y-%m-%d}.json"
    for path in (dated, folder / f"{name}-latest.json"):
        path.write_text(text)
    print(f"results written to {dated} and {name}-latest.json")


def print_table(result: dict[str, Any]) -> None:
    c = result["conditions"]
    print(f"\nevents ({c['source']}) commit -> applied on {c['database']} ({c['rounds']} rounds of {c['seconds_per_rate']} s; "
          "median [min-max] over rounds)")
    print(f"  {'rate/s':>7} {'p50 ms':>18} {'p90 ms':>18} {'p99 ms':>18} {'max ms':>20}")
    for rate, s in result["rates"].items():
        cells = [f"{s[k]['median']} [{s[k]['min']}-{s[k]['max']}]" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")]
        print(f"  {rate:>7} {cells[0]:>18} {cells[1]:>18} {cells[2]:>18} {cells[3]:>20}")


# ---- the platform: broker, databases, two service processes -----------------------------------
class Platform:
    """tansu plus membership and contributions as `python -m services.<name>`; all stopped on exit."""

    def __init__(self, database: str, log_level: str, overrides: dict[str, str], source: str = "enrolment"):
        self.source = source
        self.database = database
        self.log_level = log_level
        self.overrides = overrides
        self.workdir = Path(tempfile.mkdtemp(prefix="jamsos-bench-events-"))
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        self._broker: Any = None
        self._postgres: Any = None

    def __enter__(self) -> Platform:
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        from tests.harness.broker import TansuBroker

        self._broker = TansuBroker().start()
        if self.database == "postgres":
            from tests.harness.postgres import ThrowawayPostgres

            self._postgres = ThrowawayPostgres().start()
        for name in ("membership", "contributions"):
            self.urls[name] = (self._postgres.create_database(f"bench_events_{name}") if self._postgres
                               else f"sqlite:///{self.workdir / name}.db")
            self.ports[name] = free_port()
            self.processes[name] = self._spawn(name)
        for name, process in self.processes.items():
            if self.source == "enrolment":
                self._wait_serving(name)
            elif process.stdout is None or process.stdout.readline().strip() != "ready":
                raise RuntimeError(f"{name}'s chassis side did not start; see {self.workdir / name}.log")

    def _spawn(self, name: str) -> subprocess.Popen[bytes]:
        upper = name.upper()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JWT_PUBLIC_KEY", "SERVICE_JWT_PUBLIC_KEY")}
        env.update({
            f"{upper}_DATABASE_URL": self.urls[name], "KAFKA_BOOTSTRAP_SERVERS": self._broker.bootstrap_servers,
            f"{upper}_GRPC_PORT": str(self.ports[name]), f"{upper}_HTTP_PORT": str(free_port()),
            "JAMSOS_DATA_DIR": str(self.workdir / "data"), "JWT_SECRET": DEV_JWT_SECRET,
            "SERVICE_JWT_SECRET": DEV_SERVICE_JWT_SECRET, "LOG_LEVEL": self.log_level, "JOBS_ENABLED": "0",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "gen")]), **self.overrides,
        })
        log = open(self.workdir / f"{name}.log", "ab")
        if self.source == "chassis":  # a bare side of the chassis in place of the service, driven over stdin
            command = [sys.executable, "-m", "bench.events", CHASSIS_SIDES[name], self._broker.bootstrap_servers,
                       self.urls[name]]
            pipes: dict[str, Any] = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
        else:
            command, pipes = [sys.executable, "-m", f"services.{name}"], {"stdin": subprocess.DEVNULL, "stdout": log}
        try:
            return subprocess.Popen(command, cwd=ROOT, env=env, stderr=log, **pipes)
        finally:
            log.close()

    def _wait_serving(self, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(f"127.0.0.1:{self.ports[name]}") as channel:
            while time.monotonic() < deadline:
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited; see {self.workdir / name}.log")
                try:
                    status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1).status
                    if status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    time.sleep(0.2)
        raise RuntimeError(f"{name} not SERVING within {timeout} s")

    def __exit__(self, *_exc: object) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                if process.stdin is not None:
                    process.stdin.close()  # a chassis side stops at the end of its input
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._broker is not None:
            self._broker.close()
        if self._postgres is not None:
            self._postgres.stop()

    def idle_cores(self, seconds: float) -> dict[str, float]:
        """Each process's CPU over `seconds` with no load offered, in cores."""
        time.sleep(0.5)  # the warm-up's last events applied and committed
        before = {name: _cpu_seconds(p.pid) for name, p in self.processes.items()}
        time.sleep(seconds)
        return {name: round((_cpu_seconds(p.pid) - before[name]) / seconds, 4) for name, p in self.processes.items()}

    def conditions(self, seconds: float, rounds: int) -> dict[str, Any]:
        try:
            from services.chassis.config import EventSettings
            defaults = EventSettings.from_env().to_dict()  # this environment: what the services read
        except ImportError:  # a revision before the settings existed (comparing against it)
            defaults = {}
        settings = {name: self.overrides.get(name) for name in RECORDED_SETTINGS}
        return {
            "database": self.database,
            "durability": "PostgreSQL fsync off (throwaway cluster)" if self.database == "postgres"
                          else "SQLite WAL, synchronous=NORMAL",
            "broker": "tansu, memory storage, 6 partitions per topic",
            "source": self.source,
            "services": ("membership and contributions, one process each, relay and consumers on, jobs off"
                         if self.source == "enrolment" else
                         "an emitter process (unit of work + relay) and an applier process (one consumer), "
                         "widget tables of tests/chassis"),
            "log_level": self.log_level, "seconds_per_rate": seconds, "rounds": rounds,
            "warm_up_seconds": WARM_UP_SECONDS, "event_settings": defaults | {
                k: v for k, v in settings.items() if v is not None},
            "overrides": self.overrides,
            "cpu_count": os.cpu_count(), "load_average_at_end": list(os.getloadavg()),
            "git_revision": _git_revision(), "python": sys.version.split()[0],
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }


def _git_revision() -> str:
    try:
        revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
        return revision + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# ---- the load: enrolments on a fixed schedule ---------------------------------------------------
@dataclass
class Call:
    scheduled: float
    answered: float | None = None
    failed: str | None = None


class Load:
    """Open loop: call n leaves at start + n/rate however long earlier calls take (gRPC
    futures from one dispatcher thread), so a slow service shows as latency, not as less load."""

    def __init__(self, platform: Platform):
        self.platform = platform
        self.channel = grpc.insecure_channel(f"127.0.0.1:{platform.ports['membership']}")
        self.admin = [("authorization", f"Bearer {token_for(BRANCH, 'ADMINISTRATION_OFFICER')}")]
        self.workers = workers_pb2_grpc.WorkerServiceStub(self.channel)
        self.npps: list[str] = []
        self.serial = 0
        metadata = MetaData()
        self.tables = add_platform_tables(metadata)
        self.engines = {name: create_engine(url) for name, url in platform.urls.items()}

    event_type = EVENT_TYPE
    consumer = CONSUMER

    def prepare(self) -> None:
        self.register_employers()

    def register_employers(self) -> None:
        marketing = [("authorization", f"Bearer {token_for(BRANCH, 'MARKETING_OFFICER')}")]
        stub = employers_pb2_grpc.EmployerServiceStub(self.channel)
        for i in range(EMPLOYERS):
            self.npps.append(stub.RegisterEmployer(employers_pb2.RegisterEmployerRequest(
                request_id=f"bench-events-employer-{i}", branch_code=BRANCH, legal_name=f"PT Bench Peristiwa {i}",
                sector="Manufacturing", address=f"Jl. Bench {i}, Binjai", registration_date=_d(date(2020, 1, 1)),
                risk_group=1 + i % 5), metadata=marketing, timeout=30).employer.npp)
        self._wait_applied(self._outbox_ids(0, EMPLOYER_EVENT_TYPE), timeout=60)  # contributions knows them

    def _offer_calls(self, rate: int, count: int) -> list[Call]:
        """`count` enrolments, call n sent at start + n/rate; returns once all are answered."""
        requests = [self._enrol_request() for _ in range(count)]
        calls = [Call(0.0) for _ in range(count)]
        start = time.perf_counter() + 0.05
        pending: list[grpc.Future] = []
        for n, request in enumerate(requests):
            calls[n].scheduled = start + n / rate
            delay = calls[n].scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            future = self.workers.EnrolWorker.future(request, metadata=self.admin, timeout=60)
            future.add_done_callback(_answered(calls[n]))
            pending.append(future)
        for future in pending:
            try:
                future.result(timeout=120)
            except grpc.RpcError:
                pass  # counted from the Call
        return calls

    def offer(self, rate: int, seconds: float) -> dict[str, Any]:
        first_id = self._last_outbox_id()
        cpu_before = {name: _cpu_seconds(p.pid) for name, p in self.platform.processes.items()}
        count = max(1, int(rate * seconds))
        calls = self._offer_calls(rate, count)
        start = min(c.scheduled for c in calls)
        failures = [c.failed for c in calls if c.failed]
        if failures:
            raise RuntimeError(f"{len(failures)} of {count} enrolments failed, e.g. {failures[0]}")
        latencies = self._wait_applied(self._outbox_ids(first_id, self.event_type), timeout=120)
        time.sleep(0.5)  # let the last consumer commits and relay marks settle before the next rate
        relayed = sorted(self._commit_to_published(first_id))
        cpu = {name: _cpu_seconds(p.pid) - cpu_before[name] for name, p in self.platform.processes.items()}
        ordered = sorted(latencies)
        answered = sorted(c.answered - c.scheduled for c in calls if c.answered is not None)
        elapsed = max(c.answered for c in calls if c.answered is not None) - start
        return {
            "offered_per_second": rate, "events": len(ordered), "achieved_per_second": round(count / elapsed, 1),
            "p50_ms": percentile(ordered, 0.50), "p90_ms": percentile(ordered, 0.90),
            "p99_ms": percentile(ordered, 0.99), "max_ms": round(ordered[-1], 1),
            # the relay's share: commit -> the broker's acknowledgement (outbox published_at)
            "published_p50_ms": percentile(relayed, 0.50), "published_p99_ms": percentile(relayed, 0.99),
            "call_p50_ms": percentile([a * 1000 for a in answered], 0.50),
            "call_p99_ms": percentile([a * 1000 for a in answered], 0.99),
            # CPU of each service process over the run and its drain, per event (the enrolment
            # call included for membership; idle loops included for both)
            "cpu_ms_per_event": {name: round(used * 1000 / count, 2) for name, used in cpu.items()},
        }

    def _enrol_request(self) -> workers_pb2.EnrolWorkerRequest:
        self.serial += 1
        n = self.serial
        born = date(1970, 1, 1).toordinal() + n // 9999 % 9000
        birth = date.fromordinal(born)
        sex = Sex.FEMALE if n % 2 else Sex.MALE
        nik = make_nik(f"1275{n % 99 + 1:02d}", birth, sex, serial=n % 9999 + 1)
        return workers_pb2.EnrolWorkerRequest(
            request_id=f"bench-events-{n}", npp=self.npps[n % len(self.npps)], nik=nik, name=f"Pekerja {n}",
            birth_date=_d(birth), sex=workers_pb2.SEX_FEMALE if sex is Sex.FEMALE else workers_pb2.SEX_MALE,
            marital_status=workers_pb2.MARITAL_STATUS_MARRIED, monthly_wage=types_pb2.Money(rupiah=4_500_000 + n % 1000),
            start_date=_d(date(2024, 1, 2)))

    # ---- reading the two databases -------------------------------------------------------------
    def _last_outbox_id(self) -> int:
        outbox = self.tables["outbox"]
        with self.engines["membership"].connect() as connection:
            return int(connection.execute(select(func.coalesce(func.max(outbox.c.id), 0))).scalar_one())

    def _outbox_ids(self, after_id: int, event_type: str) -> dict[str, datetime]:
        """event_id -> created_at of membership's events of `event_type` after `after_id`."""
        outbox = self.tables["outbox"]
        with self.engines["membership"].connect() as connection:
            rows = connection.execute(select(outbox.c.event_id, outbox.c.created_at)
                                      .where(outbox.c.id > after_id, outbox.c.event_type == event_type)).all()
        return {event_id: _utc(created) for event_id, created in rows}

    def _commit_to_published(self, after_id: int) -> list[float]:
        outbox = self.tables["outbox"]
        with self.engines["membership"].connect() as connection:
            rows = connection.execute(select(outbox.c.created_at, outbox.c.published_at).where(
                outbox.c.id > after_id, outbox.c.event_type == self.event_type, outbox.c.published_at.is_not(None))).all()
        return [(_utc(published) - _utc(created)).total_seconds() * 1000 for created, published in rows]

    def _wait_applied(self, created: dict[str, datetime], timeout: float) -> list[float]:
        """Commit -> applied in ms of each event, once contributions applied them all."""
        inbox = self.tables["inbox"]
        wanted = set(created)
        applied: dict[str, datetime] = {}
        deadline = time.monotonic() + timeout
        while True:
            with self.engines["contributions"].connect() as connection:
                rows = connection.execute(select(inbox.c.event_id, inbox.c.applied_at)
                                          .where(inbox.c.consumer == self.consumer)).all()
            applied = {event_id: _utc(at) for event_id, at in rows if event_id in wanted}
            if len(applied) == len(wanted):
                return [(applied[e] - created[e]).total_seconds() * 1000 for e in wanted]
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(wanted) - len(applied)} of {len(wanted)} events not applied within {timeout} s; "
                                   f"see {self.platform.workdir}")
            time.sleep(0.2)


# ---- the chassis alone: a bare emitter and a bare applier ------------------------------------
CHASSIS_TOPIC = "jamsos.bench-events.events.v1"
CHASSIS_CONSUMER = "bench-applier"
CHASSIS_SIDES = {"membership": "emitter", "contributions": "applier"}  # in place of the two services


class ChassisLoad(Load):
    """Events committed by the emitter process on the same open-loop schedule (one thread
    committing a unit of work with one event each time): what the relay, the broker and the
    consumer cost, without the enrolment's and the read model's own work."""

    event_type = "google.protobuf.StringValue"
    consumer = CHASSIS_CONSUMER

    def prepare(self) -> None:
        pass  # the warm-up round lets the applier join its group

    def _offer_calls(self, rate: int, count: int) -> list[Call]:
        emitter = self.platform.processes["membership"]
        assert emitter.stdin is not None and emitter.stdout is not None
        emitter.stdin.write(f"{rate} {count}\n")
        emitter.stdin.flush()
        answer = emitter.stdout.readline()
        if not answer:
            raise RuntimeError(f"the emitter stopped; see {self.platform.workdir}")
        return [Call(n / rate, n / rate + late) for n, late in enumerate(json.loads(answer))]


def _widget_application(url: str) -> Any:
    from services.chassis.application import Application
    from services.chassis.database import make_engine, make_session_factory
    from tests.chassis import widget_service

    engine = make_engine(url)
    widget_service.metadata.create_all(engine)
    return Application("bench", engine, make_session_factory(engine), widget_service.platform)


def _emitter(bootstrap: str, url: str) -> None:
    """Relay on; per input line `rate count`: commit `count` one-event units of work on the
    schedule, then print each one's seconds from its scheduled time to its commit (JSON)."""
    from google.protobuf import wrappers_pb2

    from services.chassis.config import EventSettings
    from services.chassis.kafka_clients import ensure_topics, make_producer
    from services.chassis.outbox_relay import OutboxRelay

    app, events = _widget_application(url), EventSettings.from_env()
    ensure_topics(bootstrap, [CHASSIS_TOPIC])
    relay = OutboxRelay("bench", app.session_factory, app.tables["outbox"],
                        lambda: make_producer(bootstrap, "bench-relay", events),
                        batch_size=events.relay_batch_size, idle_interval=events.relay_poll_interval)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), name="bench-relay", daemon=True)
    thread.start()
    print("ready", flush=True)
    serial = 0
    for line in sys.stdin:
        rate, count = (int(word) for word in line.split())
        late: list[float] = []
        start = time.perf_counter()
        for n in range(count):
            due = start + n / rate
            if due > time.perf_counter():
                time.sleep(due - time.perf_counter())
            serial += 1
            with app.unit_of_work() as uow:
                uow.emit(CHASSIS_TOPIC, wrappers_pb2.StringValue(value=f"event-{serial}"), aggregate_type="widget",
                         aggregate_id=f"widget-{serial % 50}", branch_code=BRANCH)
                uow.commit()
            late.append(time.perf_counter() - due)
        print(json.dumps(late), flush=True)
    stop.set()
    thread.join(10)


def _applier(bootstrap: str, url: str) -> None:
    """One consumer whose handler inserts one row per event, until its input closes."""
    from google.protobuf import wrappers_pb2
    from sqlalchemy import insert

    from services.chassis.config import EventSettings
    from services.chassis.consumer import ConsumerRunner, EventApplier, HandlerRegistry
    from services.chassis.kafka_clients import ensure_topics, make_consumer, make_producer
    from tests.chassis import widget_service

    app, events = _widget_application(url), EventSettings.from_env()
    ensure_topics(bootstrap, [CHASSIS_TOPIC])
    registry = HandlerRegistry()
    registry.on(wrappers_pb2.StringValue, lambda uow, envelope, payload: uow.session.execute(
        insert(widget_service.widgets).values(name=payload.value, branch_code=envelope.branch_code)))
    runner = ConsumerRunner(
        EventApplier(CHASSIS_CONSUMER, "bench", registry, app.unit_of_work), [CHASSIS_TOPIC],
        lambda: make_consumer(bootstrap, CHASSIS_CONSUMER, [CHASSIS_TOPIC], CHASSIS_CONSUMER, events),
        lambda: make_producer(bootstrap, "bench-dlq", events),
        poll_timeout_ms=events.consumer_poll_timeout_ms, commit_interval=events.consumer_commit_interval_ms / 1000)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), name="bench-applier", daemon=True)
    thread.start()
    runner.ready.wait(60)  # partitions assigned: what is emitted from now on is read
    print("ready", flush=True)
    sys.stdin.read()
    stop.set()
    thread.join(15)


def _answered(call: Call) -> Any:
    def done(future: grpc.Future) -> None:
        call.answered = time.perf_counter()
        error = future.exception()
        if error is not None:
            call.failed = f"{error.code()}: {error.details()}" if isinstance(error, grpc.Call) else repr(error)
    return done


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _d(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


if __name__ == "__main__":  # a side of the chassis source: python -m bench.events emitter|applier BOOTSTRAP URL
    {"emitter": _emitter, "applier": _applier}[sys.argv[1]](sys.argv[2], sys.argv[3])
