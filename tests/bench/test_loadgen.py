"""The measuring instrument: the open-loop load generator against the bare reference server.

What must hold for its figures to mean anything: the offered rate is kept, latency counts
from the intended send time (a stalled sender does not hide the wait), slow answers show in
p99, the reference answers the captured bytes. Rates are low and runs about a second; no
figure of the services is asserted here (they are measured by `make bench`, not tested).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
import pytest

from bench.loadgen import ClosedLoop, Cycle, LoadGenerator, OpenLoop, Target, calls_for, run_here
from bench.reference import ReferenceServer

METHOD = "/bench.v1.Echo/Answer"
ANSWER = b"\x0a\x05hello"  # any bytes: the reference serves them as they are


@pytest.fixture(scope="module")
def slow_tenth():
    """Every 10th call sleeps 50 ms."""
    with ReferenceServer({METHOD: ANSWER}, pool_size=16, delay_every=10, delay_s=0.05) as server:
        yield server


@pytest.fixture(scope="module")
def quick():
    with ReferenceServer({METHOD: ANSWER}, pool_size=16) as server:
        yield server


def test_open_loop_from_two_processes_keeps_the_rate_and_slow_calls_show_in_p99(slow_tenth):
    with LoadGenerator(processes=2) as generator:
        figures = generator.run(Target(slow_tenth.address, METHOD), Cycle((b"request",)), OpenLoop(rate=100, seconds=1))
    assert figures["sent"] == 100 and figures["ok"] == 100 and figures["errors"] == {}  # 100/s for 1 s
    assert figures["processes"] == 2
    assert 85 <= figures["achieved_per_s"] <= 101
    assert figures["sent_per_s"] >= 90
    # 10 of 100 calls took >= 50 ms: p99 (the 99th slowest) is one of them, p50 is not.
    assert figures["latency_ms"]["p99"] >= 50
    assert figures["latency_ms"]["p50"] < 45


@dataclass(frozen=True)
class StallingSource:
    """The sender stalls 200 ms fetching request 10, as a GC pause or a busy core would stall it."""

    reusable: bool = True

    def build(self, process: int, processes: int, count: int) -> Sequence[bytes]:
        return _Stalling(count)


class _Stalling(Sequence[bytes]):
    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        if index == 10:
            time.sleep(0.2)
        return b"request"


def test_latency_counts_from_the_intended_send_time_not_from_a_late_send(quick):
    figures = run_here(Target(quick.address, METHOD), StallingSource(), OpenLoop(rate=100, seconds=1))
    assert figures["sent"] == 100 and figures["errors"] == {}
    # Calls 10..29 were due every 10 ms during the 200 ms stall and went out at its end:
    # from their intended times they waited 200, 190, ..., 10 ms. The 10th slowest of 100
    # (p90) waited about 110 ms; measured from the late send they would look instant.
    assert figures["send_lag_ms"]["max"] >= 190
    assert figures["latency_ms"]["p90"] >= 80
    assert figures["service_time_ms"]["p90"] < figures["latency_ms"]["p90"] - 50


def test_the_schedule_shares_the_calls_among_the_processes():
    load = OpenLoop(rate=100, seconds=1)  # 100 calls: process 0 at 0, 20, 40 ms ..., process 1 at 10, 30 ms ...
    assert [calls_for(load, p, 2) for p in range(2)] == [50, 50]
    assert sum(calls_for(OpenLoop(rate=500, seconds=2), p, 3) for p in range(3)) == 1000  # 500/s * 2 s


def test_closed_loop_reports_throughput_and_stops_when_distinct_requests_run_out(quick):
    figures = run_here(Target(quick.address, METHOD), Cycle((b"request",)), ClosedLoop(concurrency=4, seconds=0.5))
    assert figures["mode"] == "closed" and figures["errors"] == {} and figures["achieved_per_s"] > 0
    assert not figures["exhausted"]

    five = Cycle(tuple(b"request %d" % i for i in range(5)), reusable=False)
    figures = run_here(Target(quick.address, METHOD), five, ClosedLoop(concurrency=2, seconds=2, max_calls=5))
    assert figures["sent"] == 5 and figures["exhausted"]


def test_errors_are_counted_by_grpc_code(quick):
    figures = run_here(Target(quick.address, "/bench.v1.Echo/Missing"), Cycle((b"request",)), OpenLoop(rate=50, seconds=0.2))
    assert figures["ok"] == 0 and figures["errors"] == {"UNIMPLEMENTED": 10}  # 50/s * 0.2 s


def test_the_reference_answers_the_captured_bytes_with_the_services_pool_size(quick):
    with grpc.insecure_channel(quick.address) as channel:
        call = channel.unary_unary(METHOD, request_serializer=None, response_deserializer=None)
        assert call(b"whatever the request", timeout=5) == ANSWER
    from services.chassis.config import grpc_threads_from_env

    for database in ("sqlite", "postgres"):  # the services' GRPC_THREADS, or the database's default
        assert ReferenceServer({METHOD: ANSWER}, database=database).pool_size == grpc_threads_from_env(database)
