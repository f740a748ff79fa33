"""Steady offered load and health probes that run while a fault is injected.

`SteadyLoad` offers one call every 1/rate seconds whatever the answers take (a small pool
runs them, so a slow answer does not lower the offered rate) and records when each call
started, when it ended and how: the throughput of any window is read off afterwards.
`HealthProbe` asks each service's gRPC health every few hundred milliseconds.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


@dataclass(frozen=True)
class Outcome:
    started: float  # time.monotonic()
    ended: float
    error: str | None  # None: answered; else the gRPC status code name (or the exception)
    result: object = None


class SteadyLoad:
    def __init__(self, call: Callable[[int], object], per_second: float, concurrency: int = 4):
        self.call = call
        self.interval = 1.0 / per_second
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fault-load")
        self._thread = threading.Thread(target=self._offer, name="fault-load-offer", daemon=True)

    def start(self) -> SteadyLoad:
        self._thread.start()
        return self

    def stop(self) -> list[Outcome]:
        """Stop offering, wait for the calls in flight; returns every outcome in start order."""
        self._stop.set()
        self._thread.join(30)
        self._pool.shutdown(wait=True)
        return sorted(self.outcomes, key=lambda o: o.started)

    def _offer(self) -> None:
        began, n = time.monotonic(), 0
        while not self._stop.is_set():
            self._pool.submit(self._one, n)
            n += 1
            self._stop.wait(max(0.0, began + n * self.interval - time.monotonic()))

    def _one(self, n: int) -> None:
        started = time.monotonic()
        try:
            result, error = self.call(n), None
        except grpc.RpcError as exc:
            result, error = None, exc.code().name
        except Exception as exc:  # recorded, never lost: the test asserts there is none
            result, error = None, repr(exc)
        with self._lock:
            self.outcomes.append(Outcome(started, time.monotonic(), error, result))


def answered_per_second(outcomes: list[Outcome], start: float, end: float) -> float:
    """Calls started in [start, end) that were answered, per second of the window."""
    answered = sum(1 for o in outcomes if start <= o.started < end and o.error is None)
    return round(answered / (end - start), 1)


class HealthProbe:
    """gRPC health of every address, every `interval` seconds, with a 1 s deadline."""

    def __init__(self, addresses: dict[str, str], interval: float = 0.25):
        self.channels = {name: grpc.insecure_channel(address) for name, address in addresses.items()}
        self.interval = interval
        self.answers: list[tuple[float, str, str]] = []  # (when, service, SERVING / other status / error)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-health", daemon=True)

    def start(self) -> HealthProbe:
        self._thread.start()
        return self

    def stop(self) -> list[tuple[float, str, str]]:
        self._stop.set()
        self._thread.join(10)
        for channel in self.channels.values():
            channel.close()
        return self.answers

    def _run(self) -> None:
        stubs = {name: health_pb2_grpc.HealthStub(channel) for name, channel in self.channels.items()}
        while not self._stop.is_set():
            for name, stub in stubs.items():
                try:
                    status = stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                    answer = health_pb2.HealthCheckResponse.ServingStatus.Name(status)
                except grpc.RpcError as exc:
                    answer = exc.code().name
                self.answers.append((time.monotonic(), name, answer))
            self._stop.wait(self.interval)
