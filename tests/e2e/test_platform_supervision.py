"""The launcher supervises its children and always stops them all.

One platform (scripts/run_platform.py, started in a session of its own) serves three checks
in order: a SIGKILLed service comes back, a SIGKILLed broker comes back, and SIGTERM sent
twice to the launcher's process group stops everything, freeing every port. A second one,
once the first has stopped, is SIGKILLed itself: its children stop with it. The back-off,
the crash loop and the signal bookkeeping are checked in-process on the launcher's
Supervisor with throwaway child processes.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.platform_runs import (
    SERVICES, PlatformRun, grpc_serving, group_alive, http_json, load_launcher, platform_children, port_free,
    process_alive, start_platform, wait_until,
)
from tests.harness.ports import port_accepts

VICTIM = "contributions"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    run = start_platform(tmp_path_factory.mktemp("supervised-platform"), new_session=True)
    try:
        run.wait_for_banner()
        yield run
    finally:
        leftovers = platform_children(run.process.pid)
        if run.process.poll() is None:
            try:
                run.stop()
            except subprocess.TimeoutExpired:
                pass
        for pid in leftovers.values():  # only if a check failed: leave nothing of ours running
            if process_alive(pid):
                os.killpg(pid, signal.SIGKILL)


def _tail(platform: PlatformRun) -> str:
    return platform.output()[-4000:]


def _launcher_lines(platform: PlatformRun, starting: str) -> list[str]:
    return [line for line in platform.output().splitlines() if line.startswith(f"jamsos: {starting}")]


def test_a_killed_service_is_restarted_on_its_port_while_the_others_keep_serving(platform):
    launcher = platform.process.pid
    before = platform_children(launcher)
    assert set(before) == {"broker", *SERVICES}, before
    others = [name for name in SERVICES if name != VICTIM]
    misses = dict.fromkeys(others, 0)  # health checks failed in a row (one may time out on a busy machine)
    not_serving: set[str] = set()

    def victim_back() -> bool:
        for name in others:
            misses[name] = 0 if grpc_serving(platform.ports[name][0], timeout=1) else misses[name] + 1
            if misses[name] >= 2:
                not_serving.add(name)
        pid = platform_children(launcher).get(VICTIM)
        return pid not in (None, before[VICTIM]) and grpc_serving(platform.ports[VICTIM][0], timeout=1)

    os.kill(before[VICTIM], signal.SIGKILL)
    killed = time.monotonic()
    assert wait_until(victim_back, timeout=20), f"{VICTIM} did not come back SERVING in 20 s:\n{_tail(platform)}"
    print(f"{VICTIM} SERVING again {time.monotonic() - killed:.1f} s after its SIGKILL")
    assert not not_serving, f"{sorted(not_serving)} stopped serving while {VICTIM} was down"
    after = platform_children(launcher)
    assert {name: after[name] for name in others} == {name: before[name] for name in others}, "others restarted"
    assert after["broker"] == before["broker"]
    lines = _launcher_lines(platform, VICTIM)
    assert len(lines) == 1, _tail(platform)
    assert f"(pid {before[VICTIM]}) was killed by SIGKILL" in lines[0] and "restarting it in 0.5 s" in lines[0], lines
    assert platform.process.poll() is None


def test_a_killed_broker_is_restarted_on_its_port(platform):
    launcher = platform.process.pid
    broker_port = int(platform.env["BROKER_PORT"])
    before = platform_children(launcher)

    def broker_back() -> bool:
        pid = platform_children(launcher).get("broker")
        return pid not in (None, before["broker"]) and port_accepts(broker_port)

    os.kill(before["broker"], signal.SIGKILL)
    killed = time.monotonic()
    assert wait_until(broker_back, timeout=20), f"the broker did not come back in 20 s:\n{_tail(platform)}"
    print(f"broker listening again {time.monotonic() - killed:.1f} s after its SIGKILL")
    lines = _launcher_lines(platform, "broker")
    assert len(lines) == 1, _tail(platform)
    assert f"(pid {before['broker']}) was killed by SIGKILL" in lines[0], lines
    assert f"restarting it on 127.0.0.1:{broker_port}" in lines[0], lines
    after = platform_children(launcher)
    assert {name: after[name] for name in SERVICES} == {name: before[name] for name in SERVICES}
    for name, (grpc_port, http_port) in platform.ports.items():
        assert grpc_serving(grpc_port), name
        assert wait_until(lambda port=http_port: http_json(port, "/readyz").get("ready") is True, timeout=20), name
    assert platform.process.poll() is None


def test_sigterm_twice_to_the_process_group_stops_everything_and_frees_every_port(platform):
    pgid = platform.process.pid
    assert os.getpgid(pgid) == pgid, "the launcher must lead a process group of its own"
    children = platform_children(pgid)
    assert set(children) == {"broker", *SERVICES}, children
    ports = [port for pair in platform.ports.values() for port in pair] + [int(platform.env["BROKER_PORT"])]
    assert not any(port_free(port) for port in ports)

    started = time.monotonic()
    os.killpg(pgid, signal.SIGTERM)
    time.sleep(0.1)
    os.killpg(pgid, signal.SIGTERM)
    try:
        code = platform.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the launcher did not exit within 30 s of SIGTERM:\n{_tail(platform)}")
    print(f"launcher exited {time.monotonic() - started:.1f} s after the first SIGTERM")
    output = platform.output()
    assert code == 0, output[-4000:]
    assert not group_alive(pgid), "a process of the launcher's group is still running"
    still = {name: pid for name, pid in children.items() if process_alive(pid) or group_alive(pid)}
    assert not still, f"left running: {still}"
    assert [port for port in ports if not port_free(port)] == []
    assert output.count("already stopping") == 1, output[-4000:]
    for name in SERVICES:
        assert re.search(rf'"service": "{name}".*"msg": "service stopped"', output), f"{name} did not log its stop"
    assert "did not stop within" not in output, output[-4000:]


def test_a_sigkilled_launcher_takes_every_child_with_it_and_frees_every_port(tmp_path):
    """SIGKILL runs none of the launcher's stopping: its children stop by themselves, on the
    SIGTERM the kernel sends them once their parent is gone (Linux, PR_SET_PDEATHSIG)."""
    run = start_platform(tmp_path, new_session=True)  # after the shared platform has stopped: one at a time
    children: dict[str, int] = {}
    try:
        run.wait_for_banner()
        children = platform_children(run.process.pid)
        assert set(children) == {"broker", *SERVICES}, children
        ports = [port for pair in run.ports.values() for port in pair] + [int(run.env["BROKER_PORT"])]
        assert not any(port_free(port) for port in ports)

        run.process.kill()
        assert run.process.wait(timeout=10) == -signal.SIGKILL
        killed = time.monotonic()

        def all_gone() -> bool:
            return not any(process_alive(pid) or group_alive(pid) for pid in children.values())
        assert wait_until(all_gone, timeout=30), (
            f"left running after the launcher's SIGKILL: "
            f"{ {name: pid for name, pid in children.items() if process_alive(pid) or group_alive(pid)} }")
        print(f"every child gone {time.monotonic() - killed:.1f} s after the launcher's SIGKILL")
        assert wait_until(lambda: all(port_free(port) for port in ports), timeout=10), \
            [port for port in ports if not port_free(port)]
        output = run.output()
        for name in SERVICES:  # a stop of their own on SIGTERM, not a kill
            assert re.search(rf'"service": "{name}".*"msg": "service stopped"', output), f"{name} did not log its stop"
    finally:
        for pid in children.values():  # only if a check failed: leave nothing of ours running
            if process_alive(pid) or group_alive(pid):
                os.killpg(pid, signal.SIGKILL)
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


# -- the Supervisor in-process, with throwaway children ----------------------------------

def _exits(code: int, after: float = 0.0) -> list[str]:
    return [sys.executable, "-c", f"import sys, time; time.sleep({after}); sys.exit({code})"]


def test_a_crash_loop_stops_the_platform_with_one_clear_line(capsys):
    supervisor = load_launcher().Supervisor(restart_delay=0.01, max_restart_delay=0.04, stable_after=60,
                                            crash_loop_restarts=3, crash_loop_window=60)
    supervisor.add("flaky", _exits(3))
    steady = supervisor.add("steady", [sys.executable, "-c", "import time; time.sleep(60)"])
    steady_pid = steady.process.pid
    try:
        assert supervisor.supervise(poll=0.01) == 1
    finally:
        supervisor.stop(timeout=5, last_timeout=5)
    lines = capsys.readouterr().err.splitlines()
    restarts = [line for line in lines if line.startswith("jamsos: flaky (pid ") and "restarting it" in line]
    assert len(restarts) == 3, lines
    assert all("exited with code 3" in line for line in restarts), restarts
    assert [re.search(r"restarting it in ([\d.]+) s", line)[1] for line in restarts] == ["0.01", "0.02", "0.04"]
    loop = [line for line in lines if "crash loop" in line]
    assert len(loop) == 1 and loop[0].startswith("jamsos: flaky") and "exited with code 3 again after 3 restarts" in loop[0]
    assert not process_alive(steady_pid) and steady.process is None
    assert lines[-1] == "jamsos: stopped"


def test_the_back_off_starts_over_once_a_child_has_run_long_enough(capsys):
    supervisor = load_launcher().Supervisor(restart_delay=0.01, max_restart_delay=1, stable_after=0.2,
                                            crash_loop_restarts=10, crash_loop_window=60)
    supervisor.add("slow", _exits(0, after=0.3))
    try:
        def restarted_thrice() -> bool:
            assert supervisor.check() is None
            return len(supervisor.children["slow"].restarts) == 3
        assert wait_until(restarted_thrice, timeout=10, interval=0.01)
    finally:
        supervisor.stop(timeout=5)
    restarts = [line for line in capsys.readouterr().err.splitlines() if line.startswith("jamsos: slow")]
    assert [re.search(r"restarting it in ([\d.]+) s", line)[1] for line in restarts] == ["0.01", "0.01", "0.01"]
    assert all("exited with code 0" in line for line in restarts)


def test_only_the_first_stop_signal_counts_and_later_ones_are_logged_once(capsys):
    supervisor = load_launcher().Supervisor()
    restore = supervisor.install_signal_handlers()
    try:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGTERM):
            os.kill(os.getpid(), signum)
            wait_until(lambda n=signum: n in supervisor.signals, timeout=2, interval=0.01)
    finally:
        restore()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert supervisor.stop_requested
    supervisor.note_signals()
    supervisor.stop()
    supervisor.note_signals()
    assert capsys.readouterr().err.splitlines() == [
        "jamsos: SIGTERM received; stopping the platform",
        "jamsos: SIGINT received: already stopping (further SIGINT/SIGTERM are ignored until the stop is done)",
    ]
