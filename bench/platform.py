"""The platform under the request-path bench, in production shape, and the conditions it ran in.

A tansu broker, then membership and contributions (and benefits, for the claims bench) as
processes of their own (`python -m services.<name>`, as `make run` starts them) with their outbox relays, consumers and jobs
on; each on its own SQLite file, or its own database of a throwaway PostgreSQL. The
durability settings the databases really ran with are read back from them (SHOW fsync...,
PRAGMA synchronous), never assumed.
"""
from __future__ import annotations

import os
import platform as host
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench import processes
from bench.reference import service_pool_size
from services.chassis.config import DEV_JWT_SECRET, dead_letter_topic_of, topic_of
from tests.harness.ports import free_port

SERVICES = ("membership", "contributions")
#: The claims bench's platform: benefits learns members from membership's events.
WITH_BENEFITS = ("membership", "contributions", "benefits")
#: PostgreSQL's production durability, set with --requests-pg-durable (the harness turns it off).
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
SQLITE_SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


@dataclass
class ServiceProcess:
    name: str
    process: subprocess.Popen[bytes]
    grpc_port: int
    log: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def pid(self) -> int:
        return self.process.pid


class Platform:
    """Broker, databases and the services (`names`, started in that order); `stop()` always
    leaves nothing running."""

    def __init__(self, db: str, workdir: Path, pg_durable: bool = False, names: tuple[str, ...] = SERVICES) -> None:
        self.db, self.workdir, self.pg_durable, self.names = db, workdir, pg_durable, names
        self.broker: Any = None
        self.postgres: Any = None
        self.urls: dict[str, str] = {}
        self.services: list[ServiceProcess] = []

    def start(self) -> Platform:
        from services.chassis.kafka_clients import ensure_topics
        from tests.harness.broker import TansuBroker

        self.broker = TansuBroker().start()
        ensure_topics(self.broker.bootstrap_servers,
                      [t for s in self.names for t in (topic_of(s), dead_letter_topic_of(topic_of(s)))])
        if self.db == "postgres":
            from tests.harness.postgres import ThrowawayPostgres

            self.postgres = ThrowawayPostgres().start()
            if self.pg_durable:
                self._make_durable()
            self.urls = {name: self.postgres.create_database(f"bench_{name}") for name in self.names}
        else:
            self.urls = {name: f"sqlite:///{self.workdir / name}.db" for name in self.names}
        for name in self.names:
            self.start_service(name)
        return self

    def start_service(self, name: str, replica: int = 0) -> ServiceProcess:
        """One more process of `name` on its database (a second replica shares the first's)."""
        upper, port = name.upper(), free_port()
        env = {f"{upper}_DATABASE_URL": self.urls[name], f"{upper}_GRPC_PORT": str(port),
               f"{upper}_HTTP_PORT": str(free_port()), "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
               "JAMSOS_DATA_DIR": str(self.workdir), "OUTBOX_RELAY_ENABLED": "1", "CONSUMERS_ENABLED": "1",
               "JOBS_ENABLED": "1", "JWT_SECRET": DEV_JWT_SECRET, "JWT_PUBLIC_KEY": "", "JWT_PUBLIC_KEY_FILE": ""}
        log = self.workdir / f"{name}-{replica}.log"
        with open(log, "ab") as out:
            process = processes.start_python(f"services.{name}", [], env, log=out)
        service = ServiceProcess(name, process, port, log)
        self.services.append(service)
        _wait_serving(service)
        return service

    def stop_service(self, service: ServiceProcess) -> None:
        processes.stop(service.process)
        self.services.remove(service)

    def service(self, name: str) -> ServiceProcess:
        return next(s for s in self.services if s.name == name)

    def stop(self) -> None:
        for service in list(reversed(self.services)):
            try:
                self.stop_service(service)
            except Exception as exc:  # keep stopping the rest
                print(f"could not stop {service.name}: {exc}")
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None
        if self.broker is not None:
            self.broker.close()
            self.broker = None

    def _make_durable(self) -> None:
        import psycopg

        with psycopg.connect(self.postgres.conninfo("postgres"), autocommit=True) as conn:
            for name, value in DURABLE.items():
                conn.execute(f"ALTER SYSTEM SET {name} = {value}")
            conn.execute("SELECT pg_reload_conf()")
        time.sleep(0.5)  # the postmaster signals its backends; new connections see the settings

    def database_conditions(self) -> dict[str, Any]:
        """The database and the durability settings it runs with, read from it."""
        if self.postgres is not None:
            import psycopg

            with psycopg.connect(self.postgres.conninfo("bench_membership")) as conn:
                shown = {name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                         for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level",
                                      "shared_buffers")}
            return {"database": "postgres", "durability": shown, "throwaway_harness": True,
                    "durable_flag": self.pg_durable}
        from sqlalchemy import text

        from services.chassis.database import make_engine

        engine = make_engine(self.urls["membership"])
        try:
            with engine.connect() as conn:  # the chassis' own connect hook sets the pragmas the services run with
                journal = conn.execute(text("PRAGMA journal_mode")).scalar()
                synchronous = conn.execute(text("PRAGMA synchronous")).scalar()
                version = conn.execute(text("SELECT sqlite_version()")).scalar()
        finally:
            engine.dispose()
        return {"database": "sqlite", "durability": {"journal_mode": journal,
                                                     "synchronous": SQLITE_SYNCHRONOUS.get(int(synchronous or 0))},
                "sqlite_version": version}


def host_conditions() -> dict[str, Any]:
    """What the figures depend on besides the code: machine, versions, revision, pool size."""
    import sqlalchemy

    return {"cpu_count": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
            "load_average_at_start": [round(v, 2) for v in os.getloadavg()], "platform": host.platform(),
            "python": host.python_version(), "grpcio": grpc.__version__, "sqlalchemy": sqlalchemy.__version__,
            "git": git_revision(), "service_thread_pool_size": service_pool_size()}


def git_revision() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=processes.ROOT, capture_output=True, text=True, timeout=10).stdout.strip()

    try:
        return {"revision": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.SubprocessError):
        return {"revision": None, "dirty": None}


def _wait_serving(service: ServiceProcess, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(service.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                break
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                time.sleep(0.2)
    tail = "\n".join(service.log.read_text(errors="replace").splitlines()[-30:]) if service.log.exists() else ""
    raise RuntimeError(f"{service.name} did not become SERVING (exit {service.process.poll()}):\n{tail}")
