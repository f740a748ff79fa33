"""GRPC_THREADS: the size of a service's gRPC thread pool, and what it bounds.

A call holds its thread until it ends, so the pool is the number of calls served at once: a
stream (WatchBillingRun, Health/Watch) holds one for as long as it is open, and calls beyond
the pool wait for a thread. Unset, the size follows the database (SQLite 4, PostgreSQL 16);
at most GRPC_MAX_STREAMS streams (default half the pool) are open at once, so streams never
take every thread.
"""
from __future__ import annotations

import dataclasses
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.chassis.config import DEFAULT_GRPC_THREADS, SQLITE_GRPC_THREADS, Settings
from services.chassis.runtime import ServiceRuntime
from tests.chassis import widget_service
from tests.chassis.conftest import create_schema, settings_for


SQLITE_URL = "sqlite:///data/membership.db"
POSTGRES_URL = "postgresql+psycopg://jamsos@db/membership"


def test_the_pool_size_follows_the_database_unless_grpc_threads_is_set(monkeypatch):
    monkeypatch.delenv("GRPC_THREADS", raising=False)
    settings = Settings.from_env("membership")
    assert dataclasses.replace(settings, database_url=SQLITE_URL).rpc_threads == SQLITE_GRPC_THREADS
    assert dataclasses.replace(settings, database_url=POSTGRES_URL).rpc_threads == DEFAULT_GRPC_THREADS
    monkeypatch.setenv("GRPC_THREADS", "6")
    settings = Settings.from_env("membership")
    assert dataclasses.replace(settings, database_url=SQLITE_URL).rpc_threads == 6
    assert dataclasses.replace(settings, database_url=POSTGRES_URL).rpc_threads == 6


@pytest.mark.parametrize("name", ["GRPC_THREADS", "GRPC_MAX_STREAMS"])
@pytest.mark.parametrize("value", ["0", "-4"])
def test_a_pool_without_threads_is_refused_at_start(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name} must be at least 1"):
        Settings.from_env("membership")


def test_the_server_serves_as_many_calls_at_once_as_the_pool_has_threads(database_url):
    create_schema(database_url)
    settings = dataclasses.replace(settings_for(database_url), grpc_threads=2, grpc_max_streams=2)
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


def test_streams_take_at_most_half_the_pool_and_the_calls_keep_the_rest(database_url):
    create_schema(database_url)
    settings = dataclasses.replace(settings_for(database_url), grpc_threads=4)  # GRPC_MAX_STREAMS unset: 2
    runtime = ServiceRuntime(widget_service.definition(), settings).start(migrate=False, http=False)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            watches = [health.Watch(health_pb2.HealthCheckRequest(), timeout=30) for _ in range(2)]
            for watch in watches:
                assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
            refused = health.Watch(health_pb2.HealthCheckRequest(), timeout=10)
            with pytest.raises(grpc.RpcError) as error:
                next(refused)
            assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "retry later" in error.value.details()
            for _ in range(3):  # the two threads streams may not take still answer calls
                assert health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == health_pb2.HealthCheckResponse.SERVING
            watches[0].cancel()  # its place comes free once its thread has left the stream
            deadline = time.monotonic() + 10
            while True:
                again = health.Watch(health_pb2.HealthCheckRequest(), timeout=30)
                try:
                    assert next(again).status == health_pb2.HealthCheckResponse.SERVING
                    break
                except grpc.RpcError as retry:
                    assert retry.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and time.monotonic() < deadline
                    time.sleep(0.1)
            again.cancel()
            watches[1].cancel()
    finally:
        runtime.stop(grace=0)
