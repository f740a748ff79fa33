"""Wiring of one service process: database, gRPC server, relay, consumers, HTTP side.

`ServiceRuntime(definition, settings).start()` is what both `python -m services.<name>`
and the in-process test servers call; nothing connects at import time.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from datetime import timedelta
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field, replace
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import MetaData, Table

from .application import Application
from .auth import TokenVerifier
from .config import Settings, dead_letter_topic_of, topic_of
from .consumer import ConsumerRunner, EventApplier, HandlerRegistry
from .context import request_context, system_principal
from .database import BACKGROUND_CONNECTIONS, make_engine, make_session_factory, ping
from .http_side import HttpSide, broker_reachable
from .interceptor import PlatformInterceptor
from .kafka_clients import EndOffsetReader, ensure_topics, make_consumer, make_producer
from .migrations import upgrade_to_head
from .outbox_relay import OutboxRelay
from .retention import RetentionJob

log = logging.getLogger("jamsos.runtime")


@dataclass(frozen=True)
class ConsumerSpec:
    """One consumer group of a service: which services' topics and which handlers.

    `topics`, when given, replaces the source services' event topics: a topic of its own
    that the group shares out among replicas (no service uses one today: billing's branch
    jobs are rows claimed by job workers, `contributions/application/billing/job_workers.py`).
    """

    name: str
    source_services: tuple[str, ...]
    registry: HandlerRegistry
    topics: tuple[str, ...] = ()
    # A group no caller waits on (what it applies is read later, not in the same breath)
    # may fetch less often (`PATIENT_FETCH_WAIT_MS`): every empty fetch costs the service
    # CPU, on tansu some 40 ms/s a group at the service's 100 ms and 14 at 500.
    patient: bool = False


#: The fetch wait of a `patient` consumer group (EventSettings.consumer_fetch_max_wait_ms
#: for the others): at most this much later to see an event, about a third of the idle CPU.
PATIENT_FETCH_WAIT_MS = 500


@dataclass
class ServiceDefinition:
    name: str
    metadata: MetaData
    tables: dict[str, Table]
    migrations: Path
    # Builds the application (use cases) for this service.
    make_application: Callable[[Settings, Application], object]
    # Adds the servicers to the server; returns the full names of the gRPC services.
    register: Callable[[grpc.Server, object], list[str]]
    consumers: Callable[[object], list[ConsumerSpec]] = field(default=lambda app: [])
    # Full method names ("/pkg.Service/Method") that other services call with service tokens;
    # every other method refuses a service token.
    service_methods: frozenset[str] = frozenset()
    # The service's periodic jobs: (name, run(stop_event)) for the built application; each
    # runs in its own thread until the runtime stops (JOBS_ENABLED=0 turns them off).
    jobs: Callable[[object], list[tuple[str, Callable[[threading.Event], None]]]] = field(default=lambda app: [])


def _as_system(name: str, run: Callable[[threading.Event], None], stop: threading.Event) -> None:
    with request_context(system_principal(name), None):
        run(stop)


# How long stop() waits for the relay, consumers and jobs, all together (after the gRPC
# server's grace): within the launcher's 15 s.
THREADS_STOP_SECONDS = 6.0


class ServiceRuntime:
    def __init__(self, definition: ServiceDefinition, settings: Settings, *, max_workers: int | None = None):
        self.definition = definition
        self.settings = settings
        self.max_workers = max_workers if max_workers is not None else settings.rpc_threads
        self.max_streams = settings.grpc_max_streams or max(1, self.max_workers // 2)
        self.stop_event = threading.Event()
        self._threads: list[threading.Thread] = []
        self.consumer_runners: list[ConsumerRunner] = []
        self.relay: OutboxRelay | None = None
        self.grpc_port: int | None = None
        self.http: HttpSide | None = None
        self.app: object = None

    def start(self, *, migrate: bool = True, http: bool = True) -> ServiceRuntime:
        s, d = self.settings, self.definition
        self.engine = make_engine(s.database_url, pool_size=self.max_workers + BACKGROUND_CONNECTIONS)
        if migrate:
            upgrade_to_head(self.engine, d.migrations)
        base = self._base = Application(d.name, self.engine, make_session_factory(self.engine), d.tables)
        self.app = d.make_application(s, base)
        self._start_grpc()
        if s.relay_enabled:
            # Woken by the commits of this database's outbox rows (outbox_signal); the poll is the safety net.
            self.relay = OutboxRelay(d.name, base.session_factory, d.tables["outbox"], self._relay_producer,
                                     batch_size=s.events.relay_batch_size, idle_interval=s.events.relay_poll_interval,
                                     end_offsets=EndOffsetReader(s.kafka_bootstrap_servers, f"{d.name}-relay-offsets"))
            self._spawn(f"{d.name}-relay", self.relay.run)
        if s.consumers_enabled:
            self._start_consumers(base)
        if s.relay_enabled or s.consumers_enabled:
            retention = RetentionJob(d.name, base.session_factory, d.tables, window=timedelta(days=s.event_retention_days))
            self._spawn(f"{d.name}-retention", retention.run)
        if s.jobs_enabled:
            for name, run in d.jobs(self.app):
                # A job acts for the platform: its transactions take row security's system path.
                self._spawn(f"{d.name}-{name}", functools.partial(_as_system, f"job:{name}", run))
        if http:
            checks = {"database": lambda: ping(self.engine), "broker": lambda: broker_reachable(s.kafka_bootstrap_servers)}
            self.http = HttpSide(d.name, s.http_host, s.http_port, checks)
            self.http.start()
        self.health.set("", health_pb2.HealthCheckResponse.SERVING)
        for name in self._service_names:
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("service started", extra={"grpc_port": self.grpc_port, "http_port": self.http.port if self.http else None})
        return self

    def _start_grpc(self) -> None:
        s, d = self.settings, self.definition
        verifier = TokenVerifier(secret=s.jwt_secret, public_key=s.jwt_public_key, issuer=s.jwt_issuer,
                                 service_secret=s.service_jwt_secret, service_public_key=s.service_jwt_public_key)
        interceptor = PlatformInterceptor(verifier, service_methods=d.service_methods,
                                          refusal_sink=self._base.record_refusals,
                                          slow_call_seconds=s.rpc_log_slow_ms / 1000,
                                          log_every_call=s.rpc_log_every_call, max_streams=self.max_streams)
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix=f"{d.name}-rpc"),
            interceptors=[interceptor],
            # No SO_REUSEPORT: a second process on a port in use fails instead of sharing it.
            options=[("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.so_reuseport", 0)],
        )
        self._service_names = d.register(server, self.app)
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection(
            (*self._service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server
        )
        try:
            self.grpc_port = server.add_insecure_port(f"{s.grpc_host}:{s.grpc_port}")
        except RuntimeError:
            self.grpc_port = 0
        if not self.grpc_port:
            raise RuntimeError(f"cannot bind gRPC port {s.grpc_address}: is it in use?")
        server.start()
        self.server = server

    def _start_consumers(self, base: Application) -> None:
        s, d = self.settings, self.definition
        for spec in d.consumers(self.app):
            topics = list(spec.topics) or [topic_of(name) for name in spec.source_services]
            applier = EventApplier(spec.name, d.name, spec.registry, base.unit_of_work)
            runner = ConsumerRunner(
                applier,
                topics,
                functools.partial(self._consumer, spec.name, topics, spec.patient),
                lambda: make_producer(s.kafka_bootstrap_servers, f"{d.name}-dlq", s.events),
                poll_timeout_ms=s.events.consumer_poll_timeout_ms,
                commit_interval=s.events.consumer_commit_interval_ms / 1000,
                # a patient group keeps its one long wait: nobody waits on what it applies
                busy_fetch_wait_ms=None if spec.patient else s.events.consumer_busy_fetch_max_wait_ms,
            )
            self.consumer_runners.append(runner)
            self._spawn(f"{d.name}-consumer-{spec.name}", runner.run)

    def _relay_producer(self) -> KafkaProducer:
        topic = self.settings.topic
        ensure_topics(self.settings.kafka_bootstrap_servers, [topic, dead_letter_topic_of(topic)])
        return make_producer(self.settings.kafka_bootstrap_servers, f"{self.definition.name}-relay", self.settings.events)

    def _consumer(self, group: str, topics: list[str], patient: bool = False) -> KafkaConsumer:
        ensure_topics(self.settings.kafka_bootstrap_servers, topics + [dead_letter_topic_of(t) for t in topics])
        events = self.settings.events
        if patient:
            events = replace(
                events, consumer_fetch_max_wait_ms=max(events.consumer_fetch_max_wait_ms, PATIENT_FETCH_WAIT_MS))
        return make_consumer(self.settings.kafka_bootstrap_servers, group, topics, f"{self.definition.name}-{group}",
                             events)

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=target, args=(self.stop_event,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, grace: float = 5.0) -> None:
        if hasattr(self, "health"):
            self.health.enter_graceful_shutdown()
        self.stop_event.set()
        if hasattr(self, "server"):
            self.server.stop(grace).wait(grace + 1)
        # One deadline for all: the threads stop together (stop_event), and joined one by
        # one with 10 s each, a few consumers slow to leave their group (a rejoin under way)
        # outlasted the launcher's 15 s and were killed. Daemon threads: what is left dies
        # with the process.
        deadline = time.monotonic() + THREADS_STOP_SECONDS
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        left = [thread.name for thread in self._threads if thread.is_alive()]
        if left:  # said, not silent: a consumer or job still working when the process goes
            log.warning("%s stopped with threads still running after %.0f s: %s", self.definition.name,
                        THREADS_STOP_SECONDS, ", ".join(left))
        if self.http is not None:
            self.http.stop()
        self.engine.dispose()
