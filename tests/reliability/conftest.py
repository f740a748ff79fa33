"""The four services in-process on SQLite, one set per test module, started on first use.

No broker: `start_service` without a bootstrap turns the relay and the consumers off.
Each module gets fresh databases, so what one module writes (the fuzzer's accepted
requests, the isolation tests' members) never leaks into another's expectations.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import grpc
import pytest

from services.chassis.runtime import ServiceRuntime
from tests.reliability.row_counts import RowCounter
from tests.reliability.rpc_catalogue import Outcome, Rpc, bearer, call, call_message
from tests.service_harness import start_service


@dataclass
class RunningService:
    name: str
    runtime: ServiceRuntime
    channel: grpc.Channel
    rows: RowCounter
    extra: dict = field(default_factory=dict)

    @property
    def service_methods(self) -> frozenset[str]:
        """Full method names that accept service tokens (empty until the chassis declares them)."""
        return frozenset(getattr(self.runtime.definition, "service_methods", frozenset()))

    def call(self, rpc: Rpc, bodies, token: str | None) -> Outcome:
        return call(self.channel, rpc, bodies, bearer(token))

    def call_message(self, rpc: Rpc, messages, token: str | None) -> Outcome:
        return call_message(self.channel, rpc, messages, bearer(token))


class Platform:
    """`platform["membership"]` starts membership (once) and returns it as a RunningService."""

    def __init__(self, tmp_path_factory):
        self._tmp = tmp_path_factory
        self._running: dict[str, RunningService] = {}

    def __getitem__(self, name: str) -> RunningService:
        if name not in self._running:
            definition = importlib.import_module(f"services.{name}.bootstrap").definition()
            url = f"sqlite:///{self._tmp.mktemp(name)}/{name}.db"
            runtime = start_service(definition, url)
            channel = grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}")
            self._running[name] = RunningService(name, runtime, channel, RowCounter(runtime))
        return self._running[name]

    def stop(self) -> None:
        for running in self._running.values():
            running.channel.close()
            running.rows.close()
            running.runtime.stop(grace=0)
        self._running.clear()


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    started = Platform(tmp_path_factory)
    yield started
    started.stop()
