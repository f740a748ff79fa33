"""SIGKILL for the broker and for a service run as its own OS process.

`TansuBroker.stop()` asks politely (SIGTERM); a fault is not polite. `sigkill_broker` kills
the broker outright and `ServiceProcess` runs `python -m services.<name>` as
`scripts/run_platform.py` does, on ports and a database of the test's own, so it can be
killed mid-work and started again on the same database and ports.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from services.chassis.config import DEV_JWT_SECRET, DEV_SERVICE_JWT_SECRET
from tests.e2e.platform_runs import grpc_serving, process_alive
from tests.harness.broker import TansuBroker, _die_with_parent
from tests.harness.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


def sigkill_broker(broker: TansuBroker) -> None:
    """SIGKILL the broker (no flush, no goodbye to its clients); `broker.start()` brings it
    back on the same port, empty (memory storage)."""
    process = broker._proc
    assert process is not None and process.poll() is None, "the broker is not running"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    broker.stop()  # forgets the dead process and closes its log; the port is kept


# Inherited settings that would change what is tested: another database or broker, keys
# the test's tokens are not signed with, billing jobs run inline instead of over the topic.
NOT_INHERITED = ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "JWT_PUBLIC_KEY", "JWT_PUBLIC_KEY_FILE",
                 "SERVICE_JWT_PUBLIC_KEY", "SERVICE_JWT_PUBLIC_KEY_FILE", "BILLING_JOBS_INLINE")


class ServiceProcess:
    """One service as an OS process: fixed ports across restarts, output (JSON logs, level
    WARNING or $JAMSOS_FAULTS_LOG_LEVEL) appended to `workdir/<service>.log`."""

    def __init__(self, service: str, database_url: str, bootstrap: str, workdir: Path, **extra_env: str):
        self.service = service
        self.grpc_port, self.http_port = free_port(), free_port()
        self.log_path = workdir / f"{service}.log"
        upper = service.upper()
        self.env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        self.env.update({
            f"{upper}_DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            f"{upper}_GRPC_PORT": str(self.grpc_port), f"{upper}_HTTP_PORT": str(self.http_port),
            "JAMSOS_DATA_DIR": str(workdir / "data"), "JWT_SECRET": DEV_JWT_SECRET,
            "SERVICE_JWT_SECRET": DEV_SERVICE_JWT_SECRET, "LOG_LEVEL": os.environ.get("JAMSOS_FAULTS_LOG_LEVEL", "WARNING"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "gen")]), **extra_env,
        })
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def start(self, timeout: float = 60) -> ServiceProcess:
        """Start it and return once it answers SERVING (migrated, relay and consumers started)."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.service}"], cwd=ROOT, env=self.env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while not grpc_serving(self.grpc_port, timeout=1):
            if self.process.poll() is not None:
                raise AssertionError(f"{self.service} exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.service} not SERVING after {timeout} s:\n{self.log_tail()}")
            time.sleep(0.1)
        return self

    def sigkill(self) -> None:
        """Kill it outright, mid-transaction if it is in one."""
        assert self.process is not None and self.process.poll() is None, f"{self.service} is not running"
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        assert not process_alive(self.process.pid)

    def stop(self) -> None:
        """At the end of a test: killed too (a graceful stop only costs time here)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "<no log>"
