"""The soak: mixed lookups and enrolments at a steady rate for a long while (15 minutes at
full size), with the broker SIGKILLed once and membership SIGKILLed once (M-3, C-5).

Membership and contributions run as OS processes of their own on the test's broker. Half the
calls enrol a worker, half look up one enrolled before. Outside the two fault windows (from
a kill until a few seconds after the victim is back) no call fails; inside them only
membership's own outage may refuse calls (a broker outage refuses none). At the end every
worker membership holds is in contributions' read model once, and each WorkerEnrolled of
membership's outbox is in contributions' inbox once: none lost, none doubled. The resident
memory of contributions (never killed) grows less than MEMORY_GROWTH_BOUND_MB between the
first window and the last. Latency p50/p99 and each service's memory are printed per window.
"""
from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from sqlalchemy import select

from jamsos.membership.v1 import events_pb2, workers_pb2
from services.contributions.adapters.tables import platform as contributions_tables, rm_employments, rm_workers
from services.contributions.application.read_model import CONSUMER as MEMBERSHIP_CONSUMER
from services.membership.adapters.tables import platform as membership_tables, workers
from tests.chassis.eventing import eventually
from tests.faults import sizes
from tests.faults.load import Outcome, SteadyLoad
from tests.faults.processes import ServiceProcess, sigkill_broker
from tests.faults.test_broker_killed_mid_enrolment import rows
from tests.membership.service.workers_fixtures import enrol_request, register_employer, workers_of
from tests.service_harness import Caller, token_for

pytestmark = pytest.mark.kafka

BRANCHES = ("KC-BINJAI", "KC-MEDAN")
CALLS_PER_SECOND = 10  # half enrolments, half lookups
RECOVERY_GRACE_SECONDS = 3.0  # after the victim is back: clients reconnect, the relay catches up
MEMORY_GROWTH_BOUND_MB = 100  # contributions' resident memory, first window to last
ENROLLED = events_pb2.WorkerEnrolled.DESCRIPTOR.full_name
FAST_RECONNECT = [("grpc.initial_reconnect_backoff_ms", 100), ("grpc.max_reconnect_backoff_ms", 500)]


@dataclass(frozen=True)
class FaultWindow:
    fault: str
    start: float
    end: float  # the victim back, plus the grace

    def holds(self, call: Outcome) -> bool:
        """The call was under way at some moment of the window (one in flight at the kill too)."""
        return call.started < self.end and call.ended >= self.start


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise AssertionError(f"no VmRSS for pid {pid}")


class MemorySampler:
    """Each process's resident memory every `interval` seconds: (when, service, pid, MB)."""

    def __init__(self, processes: list[ServiceProcess], interval: float):
        self.processes, self.interval = processes, interval
        self.samples: list[tuple[float, str, int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-memory", daemon=True)

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def stop(self) -> list[tuple[float, str, int, float]]:
        self._stop.set()
        self._thread.join(10)
        return self.samples

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for process in self.processes:
                running = process.process
                if running is not None and running.poll() is None:
                    try:
                        self.samples.append((time.monotonic(), process.service, running.pid, resident_mb(running.pid)))
                    except (OSError, AssertionError):
                        pass  # it died between the check and the read: the kill is in its window


def percentile_ms(durations: list[float], q: int) -> float:
    if len(durations) < 2:
        return round(1000 * durations[0], 1) if durations else 0.0
    return round(1000 * statistics.quantiles(durations, n=100, method="inclusive")[q - 1], 1)


def per_window(outcomes: list[Outcome], began: float, ended: float, window: float) -> list[dict]:
    """Calls by the window they started in; the last window takes the few moments past its end."""
    count = max(1, round((ended - began) / window))
    lines = []
    for n in range(count):
        start, end = began + n * window, ended if n == count - 1 else began + (n + 1) * window
        inside = [o for o in outcomes if start <= o.started < end]
        answered = [o.ended - o.started for o in inside if o.error is None]
        lines.append({"window": n + 1, "calls": len(inside), "errors": len(inside) - len(answered),
                      "p50_ms": percentile_ms(answered, 50), "p99_ms": percentile_ms(answered, 99)})
    return lines


def last_sample(samples: list[tuple[float, str, int, float]], service: str, until: float) -> float | None:
    taken = [mb for when, name, _, mb in samples if name == service and when <= until]
    return taken[-1] if taken else None


@pytest.mark.rule("M-3", "C-5")
def test_soak_mixed_load_across_a_broker_kill_and_a_service_kill_loses_and_doubles_nothing(
        tmp_path, broker, service_processes, size):
    membership_url, contributions_url = f"sqlite:///{tmp_path}/membership.db", f"sqlite:///{tmp_path}/contributions.db"
    membership = service_processes("membership", membership_url, broker.bootstrap_servers, tmp_path)
    contributions = service_processes("contributions", contributions_url, broker.bootstrap_servers, tmp_path)
    channel = grpc.insecure_channel(membership.address, options=FAST_RECONNECT)

    def as_user(office: str, *roles: str) -> Caller:
        return Caller(channel, token_for(office, *roles))

    employers = [(register_employer(as_user, branch), branch) for branch in BRANCHES]
    officers = {branch: workers_of(as_user, branch) for branch in BRANCHES}
    known: list[tuple[str, str]] = []  # (KPJ, branch) answered so far: what the lookups ask for

    def call(n: int) -> str:
        if n % 2 == 0 or not known:
            npp, branch = employers[n % len(employers)]
            kpj = officers[branch].EnrolWorker(enrol_request(npp), timeout=5).worker.kpj
            known.append((kpj, branch))
            return kpj
        kpj, branch = known[n % len(known)]
        return officers[branch].GetWorker(workers_pb2.GetWorkerRequest(kpj=kpj), timeout=5).worker.kpj

    third = size.soak_seconds / 3
    memory = MemorySampler([membership, contributions], size.soak_window_seconds).start()
    load = SteadyLoad(call, CALLS_PER_SECOND).start()
    began = time.monotonic()
    try:
        time.sleep(third)
        broker_killed = time.monotonic()  # before the kill: a call may fail the instant it lands
        sigkill_broker(broker)
        time.sleep(min(size.outage_seconds, third / 2))
        broker.start()
        broker_window = FaultWindow("broker", broker_killed, time.monotonic() + RECOVERY_GRACE_SECONDS)
        time.sleep(max(0.0, began + 2 * third - time.monotonic()))
        membership_killed = time.monotonic()
        membership.sigkill()
        membership.start()
        membership_window = FaultWindow("membership", membership_killed, time.monotonic() + RECOVERY_GRACE_SECONDS)
        time.sleep(max(0.0, began + size.soak_seconds - time.monotonic()))
    finally:
        outcomes = load.stop()
        ended = time.monotonic()
        samples = memory.stop()
        channel.close()
    windows = (broker_window, membership_window)

    outside = [o for o in outcomes if o.error is not None and not any(w.holds(o) for w in windows)]
    assert outside == [], (f"calls failed outside the fault windows {windows}: {outside[:5]}\n"
                           f"{membership.log_tail()}")
    in_broker_outage = [o for o in outcomes if o.error is not None and broker_window.holds(o)
                        and not membership_window.holds(o)]
    assert in_broker_outage == [], f"calls failed while only the broker was down: {in_broker_outage[:5]}"

    held = sorted(kpj for (kpj,) in rows(membership_url, select(workers.c.kpj)))
    answered = sorted({o.result for o in outcomes if o.error is None})
    assert set(answered) <= set(held) and len(held) > len(outcomes) // 3, (len(held), len(outcomes))
    eventually(lambda: len(rows(contributions_url, select(rm_workers.c.kpj))) >= len(held), timeout=120, interval=0.5)
    time.sleep(1.0)  # anything late (a duplicate applied twice) would land now
    assert sorted(kpj for (kpj,) in rows(contributions_url, select(rm_workers.c.kpj))) == held, \
        "contributions' read model differs from membership's workers"
    assert sorted(kpj for (kpj,) in rows(contributions_url, select(rm_employments.c.kpj))) == held, \
        "an enrolment applied twice or not at all"
    outbox, inbox = membership_tables["outbox"], contributions_tables["inbox"]
    published = sorted(e for (e,) in rows(membership_url, select(outbox.c.event_id).where(outbox.c.event_type == ENROLLED)))
    applied = sorted(e for (e,) in rows(contributions_url, select(inbox.c.event_id).where(
        inbox.c.consumer == MEMBERSHIP_CONSUMER, inbox.c.event_type == ENROLLED)))
    assert len(published) == len(held) and applied == published, "a WorkerEnrolled lost or applied twice"

    steady = [mb for _, service, _, mb in samples if service == "contributions"]
    assert len(steady) >= 2, samples
    growth = round(steady[-1] - steady[0], 1)
    assert growth < MEMORY_GROWTH_BOUND_MB, f"contributions grew {growth} MB: {steady}"

    lines = per_window(outcomes, began, ended, size.soak_window_seconds)
    print()
    for line in lines:
        until = began + line["window"] * size.soak_window_seconds
        mb = {service: last_sample(samples, service, until) for service in ("membership", "contributions")}
        print(f"window {line['window']:>3} ({size.soak_window_seconds:.0f} s): {line['calls']} calls, "
              f"{line['errors']} errors, p50 {line['p50_ms']} ms, p99 {line['p99_ms']} ms, resident MB {mb}")
    answered_durations = [o.ended - o.started for o in outcomes if o.error is None]
    sizes.report("soak", {
        "seconds": round(ended - began), "calls_per_second": CALLS_PER_SECOND, "calls": len(outcomes),
        "errors_in_fault_windows": sum(o.error is not None for o in outcomes),
        "workers_enrolled": len(held), "p50_ms": percentile_ms(answered_durations, 50),
        "p99_ms": percentile_ms(answered_durations, 99),
        "worst_window_p99_ms": max(line["p99_ms"] for line in lines),
        "contributions_resident_mb_first": steady[0], "contributions_resident_mb_last": steady[-1],
        "memory_growth_bound_mb": MEMORY_GROWTH_BOUND_MB,
    }, tmp_path)
