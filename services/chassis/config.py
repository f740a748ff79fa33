"""Process configuration from environment variables, with the embedded defaults.

Every service reads the same variable names; the service name selects the default
ports and the default SQLite file. Override anything with the environment:
`DATABASE_URL` switches to PostgreSQL, `KAFKA_BOOTSTRAP_SERVERS` to any Kafka.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SERVICES = ("membership", "contributions", "benefits", "welfare")
DEFAULT_GRPC_PORTS = {"membership": 50051, "contributions": 50052, "benefits": 50053, "welfare": 50054}
DEFAULT_HTTP_PORTS = {"membership": 9101, "contributions": 9102, "benefits": 9103, "welfare": 9104}
DEFAULT_BROKER = "localhost:9092"
# Embedded mode only: production sets JWT_PUBLIC_KEY (RS256) and no secret.
DEV_JWT_SECRET = "jamsos-embedded-dev-secret-change-me-in-production"
# Signs service tokens in embedded mode; a key of its own, so a user token cannot pass as one.
DEV_SERVICE_JWT_SECRET = "jamsos-embedded-service-secret-change-me-in-production"
# Threads answering gRPC calls (GRPC_THREADS): the calls a process serves at once; the
# database pool keeps a connection for each. Unset, it follows the database. Probes on 2
# shared cores (issue 14, 32 calls in flight): on SQLite, where a query is short and holds
# no lock the others wait for, 4 threads answered the lookups 1.2-1.5x faster than 16 at less
# CPU per call (fewer threads re-taking the interpreter lock); on PostgreSQL, where a call
# waits on the database, 4 threads were 0.7x of 16 for GetWorker and slower for EnrolWorker.
SQLITE_GRPC_THREADS = 4
DEFAULT_GRPC_THREADS = 16  # PostgreSQL (and the database pool's size, database.py)


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class EventSettings:
    """How fast events go from a commit to their consumers, and what that costs. Figures
    from probes of each setting on 2 shared cores, tansu and kafka-python 3.0.12 (issue 14;
    the end-to-end figure is `python -m bench events`):

    - The relay is woken by the commit that wrote outbox rows (`outbox_signal`); the poll is
      only the safety net for rows no wake announces (another process or replica), so it
      can be slower than the 0.2 s that used to set every event's latency.
    - tansu holds a fetch until about `fetch_max_wait_ms` is up even when `fetch_min_bytes`
      has arrived: send -> receipt was p50 135 / max 250 ms at kafka-python's default 500 ms;
      published -> applied p99 was 470 ms at 500, 275 at 200, 115 at 100, 34 at 50. Each
      fetch costs the consumer CPU even when empty: idle, per consumer, 14 ms/s at 500 ms,
      37-47 at 100, 75 at 50, 132 at 25. 100 ms keeps a caught-up consumer's share of an
      event's latency near 100 ms at ~40 ms/s of CPU per consumer (a service runs 1-4). A
      real Kafka answers once `fetch_min_bytes` are there; with it the wait only paces idle fetches.
    - The consumer commits its offsets every `consumer_commit_interval_ms`, once it has
      caught up and before it stops, not after each event: that commit was a broker round
      trip the next event waited for (draining 2,000 events: 87-117 events/s and 5.5 ms CPU
      each committing per event, 291-301 events/s and 1.7-1.8 ms batching). A crash replays at
      most the window since, which the inbox drops.
    - The relay flushes the producer after each batch, so `linger_ms` only delays sends that
      are not flushed (dead letters). At 0 the producer's network thread sent a cycle's first
      record alone and the rest after its acknowledgement (one request in flight): a few ms
      make the cycle's records wait for the flush and go in one request (a cycle of 3 records
      on tansu: 1.1 against 1.75 ms of CPU, send -> acknowledged p50 1.6-2.2 against 2.5 ms, p99
      11-18 against 79-129 ms): 5. The batch size made no difference to draining a backlog of
      5,000 rows (2,750-2,900 rows/s at 16, 64 and 256 KiB): Kafka's default.
    """

    relay_poll_interval: float = 0.5  # OUTBOX_RELAY_POLL_INTERVAL, seconds
    relay_batch_size: int = 500  # OUTBOX_RELAY_BATCH_SIZE, rows per relay cycle
    producer_linger_ms: int = 5  # KAFKA_PRODUCER_LINGER_MS
    producer_batch_size: int = 16_384  # KAFKA_PRODUCER_BATCH_SIZE, bytes per partition batch
    consumer_fetch_max_wait_ms: int = 100  # CONSUMER_FETCH_MAX_WAIT_MS: a caught-up consumer's
    consumer_busy_fetch_max_wait_ms: int = 50  # CONSUMER_BUSY_FETCH_MAX_WAIT_MS: right after a poll handed records over
    consumer_fetch_min_bytes: int = 1  # CONSUMER_FETCH_MIN_BYTES
    consumer_poll_timeout_ms: int = 500  # CONSUMER_POLL_TIMEOUT_MS: how long poll() blocks with nothing to hand over
    consumer_max_poll_records: int = 200  # CONSUMER_MAX_POLL_RECORDS
    consumer_commit_interval_ms: int = 200  # CONSUMER_COMMIT_INTERVAL_MS

    @classmethod
    def from_env(cls) -> EventSettings:
        d = cls()
        return cls(
            relay_poll_interval=float(_env("OUTBOX_RELAY_POLL_INTERVAL", str(d.relay_poll_interval))),
            relay_batch_size=int(_env("OUTBOX_RELAY_BATCH_SIZE", str(d.relay_batch_size))),
            producer_linger_ms=int(_env("KAFKA_PRODUCER_LINGER_MS", str(d.producer_linger_ms))),
            producer_batch_size=int(_env("KAFKA_PRODUCER_BATCH_SIZE", str(d.producer_batch_size))),
            consumer_fetch_max_wait_ms=int(_env("CONSUMER_FETCH_MAX_WAIT_MS", str(d.consumer_fetch_max_wait_ms))),
            consumer_busy_fetch_max_wait_ms=int(
                _env("CONSUMER_BUSY_FETCH_MAX_WAIT_MS", str(d.consumer_busy_fetch_max_wait_ms))),
            consumer_fetch_min_bytes=int(_env("CONSUMER_FETCH_MIN_BYTES", str(d.consumer_fetch_min_bytes))),
            consumer_poll_timeout_ms=int(_env("CONSUMER_POLL_TIMEOUT_MS", str(d.consumer_poll_timeout_ms))),
            consumer_max_poll_records=int(_env("CONSUMER_MAX_POLL_RECORDS", str(d.consumer_max_poll_records))),
            consumer_commit_interval_ms=int(_env("CONSUMER_COMMIT_INTERVAL_MS", str(d.consumer_commit_interval_ms))),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Settings:
    service: str
    grpc_host: str
    grpc_port: int
    http_host: str
    http_port: int
    database_url: str
    kafka_bootstrap_servers: str
    jwt_secret: str | None
    jwt_public_key: str | None
    jwt_issuer: str
    data_dir: Path
    service_jwt_secret: str | None = None
    service_jwt_public_key: str | None = None
    event_retention_days: int = 7
    relay_enabled: bool = True
    consumers_enabled: bool = True
    # The service's periodic jobs (benefits' daily payout, ...): off in tests that run them by hand.
    jobs_enabled: bool = True
    log_level: str = "INFO"
    # The per-call log line: failed calls always, the others when at least this slow, or
    # every call with RPC_LOG_EVERY_CALL=1 (grpc_server_handled_total counts them all).
    rpc_log_slow_ms: float = 250.0
    rpc_log_every_call: bool = False
    # None: by the database (`rpc_threads`). A stream (WatchBillingRun, BulkEnrolWorkers,
    # Health/Watch) holds a thread until it ends: at most GRPC_MAX_STREAMS are open at once
    # (None: half the threads, so the calls keep the other half; the runtime applies it).
    grpc_threads: int | None = None
    grpc_max_streams: int | None = None
    events: EventSettings = field(default_factory=EventSettings)

    @property
    def grpc_address(self) -> str:
        return f"{self.grpc_host}:{self.grpc_port}"

    @property
    def rpc_threads(self) -> int:
        """The gRPC pool's size: GRPC_THREADS, or the default of the database."""
        return self.grpc_threads or default_grpc_threads(self.database_url)

    @property
    def topic(self) -> str:
        """The service's own event topic (one per service, keyed by aggregate)."""
        return topic_of(self.service)

    @classmethod
    def from_env(cls, service: str) -> Settings:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        upper = service.upper()
        data_dir = Path(_env("JAMSOS_DATA_DIR", "data")).resolve()
        public_key = _key_from_env("JWT_PUBLIC_KEY")
        service_public_key = _key_from_env("SERVICE_JWT_PUBLIC_KEY")
        return cls(
            service=service,
            grpc_host=_env(f"{upper}_GRPC_HOST", _env("GRPC_HOST", "127.0.0.1")),
            grpc_port=int(_env(f"{upper}_GRPC_PORT", str(DEFAULT_GRPC_PORTS[service]))),
            http_host=_env(f"{upper}_HTTP_HOST", _env("HTTP_HOST", "127.0.0.1")),
            http_port=int(_env(f"{upper}_HTTP_PORT", str(DEFAULT_HTTP_PORTS[service]))),
            database_url=_env(f"{upper}_DATABASE_URL", _env("DATABASE_URL", f"sqlite:///{data_dir / (service + '.db')}")),
            kafka_bootstrap_servers=_env("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BROKER),
            jwt_secret=None if public_key else _env("JWT_SECRET", DEV_JWT_SECRET),
            jwt_public_key=public_key,
            jwt_issuer=_env("JWT_ISSUER", "jamsos"),
            data_dir=data_dir,
            # The embedded service secret only in embedded mode: production names its service key.
            service_jwt_secret=None if service_public_key else (
                os.environ.get("SERVICE_JWT_SECRET") or (None if public_key else DEV_SERVICE_JWT_SECRET)),
            service_jwt_public_key=service_public_key,
            event_retention_days=int(_env("EVENT_RETENTION_DAYS", "7")),
            relay_enabled=_env("OUTBOX_RELAY_ENABLED", "1") == "1",
            consumers_enabled=_env("CONSUMERS_ENABLED", "1") == "1",
            jobs_enabled=_env("JOBS_ENABLED", "1") == "1",
            log_level=_env("LOG_LEVEL", "INFO"),
            rpc_log_slow_ms=float(_env("RPC_LOG_SLOW_MS", "250")),
            rpc_log_every_call=_env("RPC_LOG_EVERY_CALL", "0") == "1",
            grpc_threads=_positive("GRPC_THREADS", _env("GRPC_THREADS", "")),
            grpc_max_streams=_positive("GRPC_MAX_STREAMS", _env("GRPC_MAX_STREAMS", "")),
            events=EventSettings.from_env(),
        )


def default_grpc_threads(database: str) -> int:
    """The pool size for a database (its URL, or "sqlite" / "postgres")."""
    return SQLITE_GRPC_THREADS if database.startswith("sqlite") else DEFAULT_GRPC_THREADS


def grpc_threads_from_env(database: str) -> int:
    """GRPC_THREADS, else the default of `database` (the bench's reference server reads it too)."""
    return _positive("GRPC_THREADS", _env("GRPC_THREADS", "")) or default_grpc_threads(database)


def _positive(name: str, value: str) -> int | None:
    """A count read from the environment variable `name` (read by the caller, so the
    configuration table's test sees the name), at least 1; None when unset."""
    if not value:
        return None
    number = int(value)
    if number < 1:
        raise ValueError(f"{name} must be at least 1, not {number}")
    return number


def _key_from_env(name: str) -> str | None:
    """A PEM key from `NAME` or from the file named by `NAME_FILE`."""
    value = os.environ.get(name) or None
    if value is None and os.environ.get(f"{name}_FILE"):
        value = Path(os.environ[f"{name}_FILE"]).read_text()
    return value


def topic_of(service: str) -> str:
    return f"jamsos.{service}.events.v1"


def dead_letter_topic_of(topic: str) -> str:
    return f"{topic}.dlq"
