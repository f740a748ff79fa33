"""Open-loop load generator: calls sent on a fixed schedule from processes of their own.

Why open loop: a closed-loop client (N threads, each waiting for its answer before the next
call) slows down with the server, so a slow server is asked less and its queueing never
shows (coordinated omission). Here call i of a rate point has an intended send time fixed
in advance; its latency is measured from that time, so a call sent late because the
client or the server fell behind counts the whole wait. Each process has its own channel
and keeps many calls in flight with grpc's future API; how far behind schedule the sends
themselves were (send lag) and the client's CPU are recorded, so a run where the client was
the limit says so.

Requests and answers are raw bytes (no (de)serialisation in the client): the same sender
calls a real service or the bare reference server (bench/reference.py).

    with LoadGenerator(processes=2) as load:
        figures = load.run(Target("127.0.0.1:50051", "/pkg.Service/Method", metadata), Cycle((b"...",)),
                           OpenLoop(rate=200, seconds=5))
"""
from __future__ import annotations

import functools
import math
import multiprocessing
import os
import threading
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import grpc

from bench.stats import latency_figures

#: Open loop: a run whose sends went out at less than this share of the offered rate was
#: limited by the client (its send lag is recorded either way).
SEND_RATE_LIMIT = 0.95
#: A load generator process busier than this fraction of one core was (near) the limit.
CLIENT_CPU_LIMIT = 0.9


@dataclass(frozen=True)
class Target:
    """Where the calls go: `address` is a grpc target ("127.0.0.1:P" or "ipv4:A:P1,A:P2")."""

    address: str
    method: str  # full method name, "/jamsos.membership.v1.WorkerService/GetWorker"
    metadata: tuple[tuple[str, str], ...] = ()
    round_robin: bool = False  # client-side round robin over the addresses (scale-out)
    timeout_s: float = 10.0


class RequestSource(Protocol):
    """Serialized requests for one process; `reusable` sources are cycled, others never repeat."""

    @property
    def reusable(self) -> bool: ...

    def build(self, process: int, processes: int, count: int) -> Sequence[bytes]: ...


@dataclass(frozen=True)
class Cycle:
    """The same requests over and over (lookups)."""

    requests: tuple[bytes, ...]
    reusable: bool = True

    def build(self, process: int, processes: int, count: int) -> Sequence[bytes]:
        return self.requests


@dataclass(frozen=True)
class OpenLoop:
    """`rate` calls per second over all processes, for `seconds`, on a fixed schedule."""

    rate: float
    seconds: float


@dataclass(frozen=True)
class ClosedLoop:
    """`concurrency` calls in flight over all processes for `seconds`: maximum throughput.

    `max_calls` bounds the requests a source of distinct (non-reusable) requests builds.
    """

    concurrency: int
    seconds: float
    max_calls: int = 100_000


Load = OpenLoop | ClosedLoop
if TYPE_CHECKING:  # generic in the stubs only
    #: A raw-bytes unary method of a channel.
    Call = grpc.UnaryUnaryMultiCallable[bytes, bytes]
else:
    Call = grpc.UnaryUnaryMultiCallable


def calls_for(load: Load, process: int, processes: int) -> int:
    """How many requests process `process` needs for `load`."""
    if isinstance(load, OpenLoop):
        offset, interval = process / load.rate, processes / load.rate
        return max(0, math.ceil((load.seconds - offset) / interval))
    return math.ceil(load.max_calls / processes)


def open_channel(target: Target) -> grpc.Channel:
    options = [("grpc.lb_policy_name", "round_robin")] if target.round_robin else []
    return grpc.insecure_channel(target.address, options=options)


class _Recorder:
    """Per-call send and completion times of one process; callbacks run on grpc's thread."""

    def __init__(self, call: Call, target: Target, on_done: Any = None) -> None:
        self.call, self.target, self.on_done = call, target, on_done
        self.intended: list[float] = []
        self.sent: list[float] = []
        self.ends: list[float | None] = []
        self.codes: list[str | None] = []
        # Held until done: grpc cancels a call whose future is garbage-collected.
        self.in_flight: dict[int, Any] = {}
        self.completed = 0
        self.condition = threading.Condition()

    def launch(self, request: bytes, intended: float) -> None:
        index = len(self.sent)
        self.intended.append(intended)
        self.ends.append(None)
        self.codes.append(None)
        self.sent.append(time.monotonic())
        future = self.call.future(request, metadata=self.target.metadata, timeout=self.target.timeout_s)
        self.in_flight[index] = future
        future.add_done_callback(functools.partial(self._done, index))

    def _done(self, index: int, future: Any) -> None:
        end = time.monotonic()
        try:
            code = future.code().name
        except Exception:  # not an RPC outcome (e.g. a client-side failure): counted, not lost
            code = "CLIENT_ERROR"
        self.ends[index], self.codes[index] = end, code
        self.in_flight.pop(index, None)
        with self.condition:
            self.completed += 1
            self.condition.notify_all()
        if self.on_done is not None:
            self.on_done()

    def wait_all(self, timeout: float) -> None:
        with self.condition:
            self.condition.wait_for(lambda: self.completed >= len(self.sent), timeout)

    def raw(self) -> dict[str, Any]:
        return {"intended": self.intended, "sent": self.sent, "ends": list(self.ends), "codes": list(self.codes)}


def send(channel: grpc.Channel, target: Target, requests: Sequence[bytes], reusable: bool, load: Load,
         start_at: float, process: int, processes: int) -> dict[str, Any]:
    """Runs this process's share of `load` from `start_at` (time.monotonic(), system-wide)."""
    call: Call = channel.unary_unary(target.method, request_serializer=None, response_deserializer=None)
    cpu_before, wall_before = _cpu_seconds(), time.monotonic()
    if isinstance(load, OpenLoop):
        recorder = _send_open_loop(call, target, requests, reusable, load, start_at, process, processes)
        exhausted = False
    else:
        recorder, exhausted = _send_closed_loop(call, target, requests, reusable, load, start_at, processes)
    recorder.wait_all(target.timeout_s + 5)
    wall = time.monotonic() - max(wall_before, start_at)
    return {**recorder.raw(), "cpu_s": _cpu_seconds() - cpu_before, "wall_s": wall, "exhausted": exhausted,
            "pid": os.getpid()}


def _send_open_loop(call: Call, target: Target, requests: Sequence[bytes], reusable: bool,
                    load: OpenLoop, start_at: float, process: int, processes: int) -> _Recorder:
    recorder = _Recorder(call, target)
    count = calls_for(load, process, processes)
    if not reusable and len(requests) < count:
        raise ValueError(f"the source built {len(requests)} distinct requests, the schedule needs {count}")
    first, interval = start_at + process / load.rate, processes / load.rate
    for i in range(count):
        intended = first + i * interval
        delay = intended - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        # Behind schedule: sent at once, and its latency still counts from `intended`.
        recorder.launch(requests[i % len(requests)], intended)
    return recorder


def _send_closed_loop(call: Call, target: Target, requests: Sequence[bytes], reusable: bool,
                      load: ClosedLoop, start_at: float, processes: int) -> tuple[_Recorder, bool]:
    slots = threading.Semaphore(max(1, math.ceil(load.concurrency / processes)))
    recorder = _Recorder(call, target, on_done=slots.release)
    end = start_at + load.seconds
    delay = start_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    i = 0
    while True:
        slots.acquire()
        now = time.monotonic()
        if now >= end:
            return recorder, False
        if not reusable and i >= len(requests):
            return recorder, True
        recorder.launch(requests[i % len(requests)], now)
        i += 1


def summarise(load: Load, raws: list[dict[str, Any]], start_at: float) -> dict[str, Any]:
    """One figure set from the processes' raw records (latencies from intended send times)."""
    calls = [call for r in raws for call in zip(r["intended"], r["sent"], r["ends"], r["codes"], strict=True)]
    finished = [(i, s, e, c) for i, s, e, c in calls if e is not None]
    codes = Counter("UNFINISHED" if c is None else c for *_, c in calls)
    ok = codes.get("OK", 0)
    figures: dict[str, Any] = {"sent": len(calls), "ok": ok, "seconds": load.seconds,
                               "errors": {c: n for c, n in sorted(codes.items()) if c != "OK"}}
    if isinstance(load, OpenLoop):
        last = max((e for _, _, e, _ in finished), default=start_at)
        last_sent = max((s for _, s, _, _ in calls), default=start_at)
        figures.update(mode="open", offered_per_s=load.rate,
                       achieved_per_s=round(ok / max(load.seconds, last - start_at), 1),
                       sent_per_s=round(len(calls) / max(load.seconds, last_sent - start_at), 1))
    else:
        end = start_at + load.seconds
        in_window = sum(1 for _, _, e, c in finished if e <= end and c == "OK")
        figures.update(mode="closed", concurrency=load.concurrency, achieved_per_s=round(in_window / load.seconds, 1),
                       exhausted=any(r["exhausted"] for r in raws))
    figures["latency_ms"] = latency_figures(e - i for i, _, e, _ in finished)
    figures["service_time_ms"] = latency_figures(e - s for _, s, e, _ in finished)
    figures["send_lag_ms"] = latency_figures(s - i for i, s, _, _ in calls)
    figures["client_cpu"] = round(max((r["cpu_s"] / r["wall_s"] for r in raws if r["wall_s"] > 0), default=0.0), 3)
    figures["client_limited"] = _client_limited(load, figures)
    return figures


def _client_limited(load: Load, figures: dict[str, Any]) -> bool:
    """The sender could not keep the schedule (or was near a core's worth of CPU)."""
    if figures["client_cpu"] > CLIENT_CPU_LIMIT:
        return True
    return isinstance(load, OpenLoop) and bool(figures["sent_per_s"] < SEND_RATE_LIMIT * load.rate)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def run_here(target: Target, source: RequestSource, load: Load) -> dict[str, Any]:
    """The same run in this process, one sender (tests; small checks)."""
    channel = open_channel(target)
    try:
        grpc.channel_ready_future(channel).result(timeout=30)
        requests = source.build(0, 1, calls_for(load, 0, 1))
        start_at = time.monotonic() + 0.05
        return summarise(load, [send(channel, target, requests, source.reusable, load, start_at, 0, 1)], start_at)
    finally:
        channel.close()


def _serve_jobs(conn: Any, process: int, processes: int) -> None:
    """A load generator process: prepare a job (channel ready, requests built), then run it at the time given."""
    channels: dict[tuple[str, bool], grpc.Channel] = {}
    prepared: tuple[Any, ...] | None = None
    conn.send(("hello", os.getpid()))
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:  # the parent went away
                return
            try:
                if message[0] == "stop":
                    return
                if message[0] == "prepare":
                    target, source, load = message[1]
                    key = (target.address, target.round_robin)
                    if key not in channels:
                        channels[key] = open_channel(target)
                    grpc.channel_ready_future(channels[key]).result(timeout=30)
                    requests = source.build(process, processes, calls_for(load, process, processes))
                    prepared = (channels[key], target, requests, source.reusable, load)
                    conn.send(("ready", None))
                elif message[0] == "go" and prepared is not None:
                    channel, target, requests, reusable, load = prepared
                    conn.send(("done", send(channel, target, requests, reusable, load, message[1], process, processes)))
                    prepared = None
            except Exception:
                conn.send(("error", traceback.format_exc()))
    finally:
        for channel in channels.values():
            channel.close()


class LoadGenerator:
    """`processes` spawned sender processes kept for many runs (their start-up is paid once)."""

    def __init__(self, processes: int = 2) -> None:
        self.processes = processes
        self._workers: list[tuple[Any, Any]] = []
        self.pids: list[int] = []

    def __enter__(self) -> LoadGenerator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> LoadGenerator:
        context = multiprocessing.get_context("spawn")
        for index in range(self.processes):
            parent, child = context.Pipe()
            process = context.Process(target=_serve_jobs, args=(child, index, self.processes), daemon=True,
                                      name=f"bench-loadgen-{index}")
            process.start()
            child.close()
            self._workers.append((process, parent))
        self.pids = [self._receive(parent, "hello", 60) for _, parent in self._workers]
        return self

    def run(self, target: Target, source: RequestSource, load: Load) -> dict[str, Any]:
        """One rate point (or closed-loop run) over every process; returns its figures."""
        for _, conn in self._workers:
            conn.send(("prepare", (target, source, load)))
        for _, conn in self._workers:
            self._receive(conn, "ready", 60)
        start_at = time.monotonic() + 0.05
        for _, conn in self._workers:
            conn.send(("go", start_at))
        wait = load.seconds + target.timeout_s + 30
        raws = [self._receive(conn, "done", wait) for _, conn in self._workers]
        figures = summarise(load, raws, start_at)
        figures["processes"] = self.processes
        return figures

    def _receive(self, conn: Any, expected: str, timeout: float) -> Any:
        if not conn.poll(timeout):
            raise TimeoutError(f"load generator process sent no {expected!r} within {timeout:.0f} s")
        kind, payload = conn.recv()
        if kind == "error":
            raise RuntimeError(f"load generator process failed:\n{payload}")
        if kind != expected:
            raise RuntimeError(f"load generator process answered {kind!r}, expected {expected!r}")
        return payload

    def close(self) -> None:
        workers, self._workers = self._workers, []
        for _, conn in workers:
            try:
                conn.send(("stop", None))
            except OSError:
                pass
        for process, conn in workers:
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join(5)
            conn.close()
