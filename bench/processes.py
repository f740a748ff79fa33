"""Child processes of a bench (services, the reference server) and their CPU, read from /proc.

Children get PR_SET_PDEATHSIG, so a bench killed outright does not leave servers behind.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
_TICKS = os.sysconf("SC_CLK_TCK")


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        except OSError:
            pass


def python_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a child `python -m ...` of this repository (its root and gen/ importable)."""
    path = os.pathsep.join([str(ROOT), str(ROOT / "gen"), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, **extra}


def start_python(module: str, args: list[str], env: dict[str, str], log: IO[bytes] | int | None,
                 stdout: IO[bytes] | int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=python_env(env),
                            stdin=subprocess.DEVNULL, stdout=stdout if stdout is not None else log, stderr=log,
                            preexec_fn=_die_with_parent)


def stop(process: subprocess.Popen[bytes] | None, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout`. Idempotent."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process (all its threads) so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of stat)


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU of some processes and of the whole machine between start() and stop()."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def start(self) -> CpuMeter:
        self._process = sum(cpu_seconds(p) for p in self.pids)
        self._machine = machine_ticks()
        self._wall = time.monotonic()
        return self

    def stop(self) -> dict[str, float]:
        busy, total = machine_ticks()
        elapsed = max(1e-9, time.monotonic() - self._wall)
        spent = sum(cpu_seconds(p) for p in self.pids) - self._process
        machine = (busy - self._machine[0]) / max(1, total - self._machine[1])
        return {"server_cpu_s": round(spent, 3), "server_cores": round(spent / elapsed, 3),
                "machine_busy": round(machine, 3)}


def cores_used(pids: list[int], seconds: float) -> float:
    """The processes' CPU over the next `seconds`, in cores."""
    before = sum(cpu_seconds(p) for p in pids)
    time.sleep(seconds)
    return (sum(cpu_seconds(p) for p in pids) - before) / seconds


def wait_idle(pids: list[int], below: float = 0.15, sample_s: float = 0.25, timeout_s: float = 30) -> float:
    """Waits until the processes together use less than `below` of a core; returns the seconds waited.

    Between rate points: a backlog of calls (or events) left by the last point is worked off
    before the next one is measured. `below` is their idle use (relay and consumer polling)
    plus a margin.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if cores_used(pids, sample_s) < below:
            break
    return round(time.monotonic() - started, 2)
