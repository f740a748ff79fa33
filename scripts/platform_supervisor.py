"""The launcher's supervisor: starts the platform's processes, restarts those that exit
with back-off, stops them all in order whatever signals arrive (see `Supervisor`), and
on Linux its children die with it even when it is SIGKILLed (`die_with_parent`).
Used by `run_platform.py` (`make run`)."""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# See `Supervisor`.
RESTART_DELAY = 0.5
MAX_RESTART_DELAY = 10.0
STABLE_AFTER = 60.0  # a child that ran this long restarts after RESTART_DELAY again
CRASH_LOOP_RESTARTS = 5
CRASH_LOOP_WINDOW = 60.0
SERVICE_STOP_TIMEOUT = 15.0  # for all the services at once, from their SIGTERM to a SIGKILL
BROKER_STOP_TIMEOUT = 10.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def say(message: str) -> None:
    """One line of the launcher's own on stderr (the services log JSON there too)."""
    print(f"jamsos: {message}", file=sys.stderr, flush=True)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signals the process group a child leads (each child is started in a session of its own)."""
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone already


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` by which the kernel sends the child SIGTERM once the launcher is gone,
    however it went (a SIGKILL runs none of the launcher's own stopping). Linux only
    (prctl PR_SET_PDEATHSIG); None elsewhere. libc is loaded here, before the fork: the
    child only makes the call."""
    if not sys.platform.startswith("linux"):
        return None
    # The process's own symbols, libc among them: no ctypes.util.find_library (it runs ldconfig).
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    launcher = os.getpid()

    def in_child() -> None:
        if prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != launcher:  # the launcher died between the fork and the call
            os.kill(os.getpid(), signal.SIGTERM)
    return in_child


@dataclass
class Child:
    """One supervised process: a service or the broker."""

    name: str
    argv: list[str]
    options: dict[str, Any]  # Popen keyword arguments (cwd, env, stdout, ...)
    delay: float
    stop_last: bool = False
    where: str = ""  # in its restart line: " on 127.0.0.1:9092"
    restart_note: str = ""  # at the end of its restart line
    # After a restart, called once per supervision pass until it returns True (the broker: topics made again).
    after_restart: Callable[[], bool] | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    restarts: deque[float] = field(default_factory=deque)  # when it was restarted, within the crash-loop window
    after_restart_pending: bool = False


class Supervisor:
    """Starts the platform's processes, restarts those that exit, and stops them all.

    A child that exits while the platform runs (any exit code or signal) is started again
    after a back-off: `restart_delay`, doubling per restart up to `max_restart_delay`, back to
    `restart_delay` once the child had run `stable_after` seconds. A child that exits again
    after `crash_loop_restarts` restarts within `crash_loop_window` seconds is a crash loop:
    `supervise()` returns 1 and the platform stops.

    SIGINT and SIGTERM only record the signal (`install_signal_handlers`); the main loop acts
    on it: the first starts the orderly stop, later ones are logged once as "already
    stopping" and otherwise ignored, so a second signal (make and the launcher both get the
    group's SIGTERM; a double Ctrl-C) cannot break the stop half-way.
    """

    def __init__(self, *, restart_delay: float = RESTART_DELAY, max_restart_delay: float = MAX_RESTART_DELAY,
                 stable_after: float = STABLE_AFTER, crash_loop_restarts: int = CRASH_LOOP_RESTARTS,
                 crash_loop_window: float = CRASH_LOOP_WINDOW):
        self.restart_delay = restart_delay
        self.max_restart_delay = max_restart_delay
        self.stable_after = stable_after
        self.crash_loop_restarts = crash_loop_restarts
        self.crash_loop_window = crash_loop_window
        self.children: dict[str, Child] = {}
        self.signals: list[int] = []  # appended by the signal handler, read by the main loop
        self._signals_noted = 0
        self._stopping = False
        self._told_already_stopping = False
        self._die_with_parent = die_with_parent()  # children never outlive the launcher (Linux)

    # -- signals ---------------------------------------------------------------------------
    def install_signal_handlers(self) -> Callable[[], None]:
        """SIGINT/SIGTERM request the stop; returns what puts the previous handlers back."""
        previous = {signum: signal.signal(signum, self._on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}

        def restore() -> None:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return restore

    def _on_signal(self, signum: int, _frame: object) -> None:
        # Only this: no print (it could re-enter a print the main thread is in), no exception.
        self.signals.append(signum)

    @property
    def stop_requested(self) -> bool:
        return bool(self.signals)

    def note_signals(self) -> None:
        """Logs, from the main loop, the signals received since the last call."""
        while self._signals_noted < len(self.signals):
            name = signal.Signals(self.signals[self._signals_noted]).name
            self._signals_noted += 1
            if not self._stopping:
                self._stopping = True
                say(f"{name} received; stopping the platform")
            elif not self._told_already_stopping:
                self._told_already_stopping = True
                say(f"{name} received: already stopping (further SIGINT/SIGTERM are ignored until the stop is done)")

    # -- running ---------------------------------------------------------------------------
    def add(self, name: str, argv: list[str], *, stop_last: bool = False, where: str = "", restart_note: str = "",
            **options: Any) -> Child:
        """Starts `argv` in a session (and process group) of its own and supervises it from now
        on; on Linux it gets SIGTERM when the launcher dies (`die_with_parent`)."""
        child = Child(name, argv, options, self.restart_delay, stop_last=stop_last, where=where,
                      restart_note=restart_note)
        self.children[name] = child
        self._start(child)
        return child

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(child.argv, start_new_session=True, preexec_fn=self._die_with_parent,
                                         **child.options)
        child.started_at = time.monotonic()
        child.restart_at = None

    def check(self) -> str | None:
        """One supervision pass: notes exits, restarts children whose back-off is over.

        Returns why the platform must stop (a crash loop), else None.
        """
        now = time.monotonic()
        for child in self.children.values():
            process = child.process
            code = process.poll() if process is not None else None
            if process is not None and code is not None:
                child.process = None
                ran = now - child.started_at
                if ran >= self.stable_after:
                    child.delay = self.restart_delay
                while child.restarts and now - child.restarts[0] > self.crash_loop_window:
                    child.restarts.popleft()
                if len(child.restarts) >= self.crash_loop_restarts:
                    return (f"{child.name} (pid {process.pid}) {describe_exit(code)} again after {len(child.restarts)} "
                            f"restarts within {self.crash_loop_window:g} s: crash loop, stopping the platform")
                child.restarts.append(now)
                child.restart_at = now + child.delay
                say(f"{child.name} (pid {process.pid}) {describe_exit(code)} after {ran:.1f} s; restarting it"
                    f"{child.where} in {child.delay:g} s (restart {len(child.restarts)} within "
                    f"{self.crash_loop_window:g} s){child.restart_note}")
                child.delay = min(child.delay * 2, self.max_restart_delay)
            if child.process is None and child.restart_at is not None and now >= child.restart_at:
                self._start(child)
                child.after_restart_pending = child.after_restart is not None
            if child.after_restart_pending and child.process is not None and child.after_restart is not None:
                child.after_restart_pending = not child.after_restart()
        return None

    def supervise(self, poll: float = 0.2) -> int:
        """Keeps the children running until a signal (returns 0) or a crash loop (returns 1)."""
        while True:
            self.note_signals()
            if self.stop_requested:
                return 0
            reason = self.check()
            if reason is not None:
                say(reason)
                return 1
            time.sleep(poll)

    # -- stopping --------------------------------------------------------------------------
    def stop(self, timeout: float = SERVICE_STOP_TIMEOUT, last_timeout: float = BROKER_STOP_TIMEOUT) -> None:
        """Orderly stop: SIGTERM to every child's process group at once, SIGKILL to those still
        running after `timeout`; the `stop_last` ones (the broker) after the others. Returns
        when no child (nor anything left in its process group) runs. Signals meanwhile are ignored."""
        self.note_signals()
        self._stopping = True
        if not any(child.process is not None for child in self.children.values()):
            return
        self._stop_all([c for c in self.children.values() if not c.stop_last], timeout)
        self._stop_all([c for c in self.children.values() if c.stop_last], last_timeout)
        self.note_signals()
        say("stopped")

    def _stop_all(self, children: list[Child], timeout: float) -> None:
        running = [(child, child.process) for child in children if child.process is not None]
        for _child, process in running:
            if process.poll() is None:
                signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(process.poll() is None for _child, process in running):
            self.note_signals()
            time.sleep(0.05)
        for child, process in running:
            if process.poll() is None:
                say(f"{child.name} (pid {process.pid}) did not stop within {timeout:.0f} s of SIGTERM; killing it")
                signal_group(process, signal.SIGKILL)
                process.wait()
            signal_group(process, signal.SIGKILL)  # anything it left behind in its process group
            child.process = None
