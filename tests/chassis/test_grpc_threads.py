"""GRPC_THREADS: the size of a service's gRPC thread pool, and what it bounds.

A call holds its thread until it ends, so the pool is the number of calls served at once: a
stream (WatchBillingRun, Health/Watch) holds one for as long as it is open, and calls beyond
the pool wait for a thread.
"""
from __future__ import annotations

import dataclasses

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.chassis.config import DEFAULT_GRPC_THREADS, Settings
from services.chassis.runtime import ServiceRuntime
from tests.chassis import widget_service
from tests.chassis.conftest import create_schema, settings_for


def test_the_pool_size_is_read_from_grpc_threads(monkeypatch):
    monkeypatch.delenv("GRPC_THREADS", raising=False)
    assert Settings.from_env("membership").grpc_threads == DEFAULT_GRPC_THREADS
    monkeypatch.setenv("GRPC_THREADS", "6")
    assert Settings.from_env("membership").grpc_threads == 6


@pytest.mark.parametrize("value", ["0", "-4"])
def test_a_pool_without_threads_is_refused_at_start(monkeypatch, value):
    monkeypatch.setenv("GRPC_THREADS", value)
    with pytest.raises(ValueError, match="GRPC_THREADS must be at least 1"):
        Settings.from_env("membership")


def test_the_server_serves_as_many_calls_at_once_as_the_pool_has_threads(database_url):
    create_schema(database_url)
    settings = dataclasses.replace(settings_for(database_url), grpc_threads=2)
    runtime = ServiceRuntime(widget_service.definition(), settings).start(migrate=False, http=False)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            watches = [health.Watch(health_pb2.HealthCheckRequest(), timeout=30) for _ in range(2)]
            for watch in watches:  # each stream has its thread: its first answer came from it
                assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
            with pytest.raises(grpc.RpcError) as waited:
                health.Check(health_pb2.HealthCheckRequest(), timeout=1)
            assert waited.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            watches[0].cancel()  # a thread comes free
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == health_pb2.HealthCheckResponse.SERVING
            watches[1].cancel()
    finally:
        runtime.stop(grace=0)
