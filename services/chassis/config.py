"""Process configuration from environment variables, with the embedded defaults.

Every service reads the same variable names; the service name selects the default
ports and the default SQLite file. Override anything with the environment:
`DATABASE_URL` switches to PostgreSQL, `KAFKA_BOOTSTRAP_SERVERS` to any Kafka.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("membership", "contributions", "benefits", "welfare")
DEFAULT_GRPC_PORTS = {"membership": 50051, "contributions": 50052, "benefits": 50053, "welfare": 50054}
DEFAULT_HTTP_PORTS = {"membership": 9101, "contributions": 9102, "benefits": 9103, "welfare": 9104}
DEFAULT_BROKER = "localhost:9092"
# Embedded mode only: production sets JWT_PUBLIC_KEY (RS256) and no secret.
DEV_JWT_SECRET = "jamsos-embedded-dev-secret-change-me-in-production"
# Signs service tokens in embedded mode; a key of its own, so a user token cannot pass as one.
DEV_SERVICE_JWT_SECRET = "jamsos-embedded-service-secret-change-me-in-production"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


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

    @property
    def grpc_address(self) -> str:
        return f"{self.grpc_host}:{self.grpc_port}"

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
        )


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
