"""End to end: the platform started exactly as `make run` starts it (scripts/run_platform.py)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from jamsos.membership.v1 import offices_pb2, offices_pb2_grpc
from tests.harness.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("membership", "contributions", "benefits", "welfare")


def test_the_platform_starts_all_four_services_serving_and_stops_cleanly_on_ctrl_c(tmp_path):
    ports = {name: (free_port(), free_port()) for name in SERVICES}
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")}
    env.update({"JAMSOS_DATA_DIR": str(tmp_path / "data"), "BROKER_PORT": str(free_port())})
    for name, (grpc_port, http_port) in ports.items():
        env[f"{name.upper()}_GRPC_PORT"] = str(grpc_port)
        env[f"{name.upper()}_HTTP_PORT"] = str(http_port)
    log = open(tmp_path / "run.log", "w+")
    platform = subprocess.Popen([sys.executable, "scripts/run_platform.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_banner(tmp_path / "run.log", platform)
        banner = (tmp_path / "run.log").read_text()
        token = banner.split("A head-office token (8 h):")[1].split()[0]
        for name, (grpc_port, http_port) in ports.items():
            assert f"127.0.0.1:{grpc_port}" in banner
            with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
                status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5).status
                assert status == health_pb2.HealthCheckResponse.SERVING, name
            ready = json.load(urllib.request.urlopen(f"http://127.0.0.1:{http_port}/readyz", timeout=5))
            assert ready["ready"] is True, (name, ready)
        # The printed token works against the membership API.
        with grpc.insecure_channel(f"127.0.0.1:{ports['membership'][0]}") as channel:
            offices = offices_pb2_grpc.OfficeServiceStub(channel).ListOffices(
                offices_pb2.ListOfficesRequest(), metadata=[("authorization", f"Bearer {token}")], timeout=10).offices
            assert any(o.code == "KP" for o in offices)
    finally:
        platform.send_signal(signal.SIGINT)
        code = platform.wait(timeout=60)
    assert code == 0, (tmp_path / "run.log").read_text()[-3000:]
    for _name, (grpc_port, _http) in ports.items():
        with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            try:
                health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
                raise AssertionError("a service is still serving after Ctrl-C")
            except grpc.RpcError:
                pass


def _wait_for_banner(path: Path, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Ctrl-C stops everything" in path.read_text() and "grpcurl" in path.read_text():
            return
        if process.poll() is not None:
            raise AssertionError(f"run_platform exited early:\n{path.read_text()[-3000:]}")
        time.sleep(0.3)
    raise AssertionError(f"platform did not come up in {timeout}s:\n{path.read_text()[-3000:]}")
