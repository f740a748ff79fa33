"""Starting scripts/run_platform.py (what `make run` runs) as a subprocess, on private ports and data folder."""
from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.harness.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("membership", "contributions", "benefits", "welfare")
BANNER = "Jamsos is running"

Ports = dict[str, tuple[int, int]]  # service -> (gRPC port, HTTP port)


def free_ports() -> Ports:
    return {name: (free_port(), free_port()) for name in SERVICES}


def platform_env(data_dir: Path, ports: Ports, broker_port: int) -> dict[str, str]:
    """The environment of a platform on its own ports and data folder, with the bundled broker."""
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")}
    env.update({"JAMSOS_DATA_DIR": str(data_dir), "BROKER_PORT": str(broker_port)})
    for name, (grpc_port, http_port) in ports.items():
        env[f"{name.upper()}_GRPC_PORT"] = str(grpc_port)
        env[f"{name.upper()}_HTTP_PORT"] = str(http_port)
    return env


@dataclass
class PlatformRun:
    process: subprocess.Popen
    env: dict[str, str]
    ports: Ports
    data_dir: Path
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text()

    def wait_for_banner(self, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output()
            if "Ctrl-C stops everything" in text and "grpcurl" in text:
                return text
            if self.process.poll() is not None:
                raise AssertionError(f"run_platform exited early:\n{self.output()[-3000:]}")
            time.sleep(0.3)
        raise AssertionError(f"platform did not come up in {timeout}s:\n{self.output()[-3000:]}")

    def stop(self, timeout: float = 60) -> int:
        """Ctrl-C, as a user stops `make run`; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def start_platform(workdir: Path, *, new_session: bool = False) -> PlatformRun:
    """Starts run_platform.py with a data folder under `workdir`; output goes to `workdir/run.log`.

    `new_session`: in a session and process group of its own (its pid is the group id), so
    a test may signal the whole group (`os.killpg`) without hitting the test runner.
    """
    ports = free_ports()
    data_dir = workdir / "data"
    env = platform_env(data_dir, ports, free_port())
    log_path = workdir / "run.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "scripts/run_platform.py"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=new_session)
    return PlatformRun(process, env, ports, data_dir, log_path)


def run_platform_to_exit(env: dict[str, str], timeout: float = 20) -> subprocess.CompletedProcess:
    """Runs run_platform.py expecting it to end by itself (a refused start) within `timeout` seconds."""
    process = subprocess.Popen([sys.executable, "scripts/run_platform.py"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)  # it joined the running platform: stop it as a user would
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        raise AssertionError(
            f"run_platform did not exit within {timeout}s:\n{stdout[-3000:]}\n{stderr[-3000:]}") from None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def grpc_serving(port: int, timeout: float = 5) -> bool:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout).status
        except grpc.RpcError:
            return False
    return status == health_pb2.HealthCheckResponse.SERVING


def http_json(port: int, path: str, timeout: float = 5) -> dict:
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout))


def load_launcher():
    """scripts/run_platform.py as a module, for in-process checks of its parts."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_platform_under_test", ROOT / "scripts" / "run_platform.py")
    launcher = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = launcher  # its dataclasses look their module up there
    spec.loader.exec_module(launcher)
    return launcher


def child_pids(pid: int) -> list[int]:
    """The direct children of `pid` (Linux /proc); [] once it is gone."""
    pids: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids += [int(child) for child in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return sorted(set(pids))


def platform_children(launcher_pid: int) -> dict[str, int]:
    """The launcher's children by role: "broker" and each service name -> pid."""
    found: dict[str, int] = {}
    for pid in child_pids(launcher_pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        args = [arg.decode(errors="replace") for arg in argv if arg]
        if "--listener-url" in args:
            found["broker"] = pid
        elif len(args) >= 3 and args[-2] == "-m" and args[-1].startswith("services."):
            found[args[-1].removeprefix("services.")] = pid
    return found


def process_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def group_alive(pgid: int) -> bool:
    """True while any process is in process group `pgid`."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if a server could bind host:port now (nothing listens there; TIME_WAIT is no obstacle)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def wait_until(condition, timeout: float, interval: float = 0.2) -> bool:
    """Polls `condition()` until it is true (returns True) or `timeout` seconds passed (returns False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
