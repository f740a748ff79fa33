"""End to end: the platform started exactly as `make run` starts it (scripts/run_platform.py)."""
from __future__ import annotations

import os
import signal
import subprocess

import grpc

from jamsos.membership.v1 import offices_pb2, offices_pb2_grpc
from tests.e2e.platform_runs import (
    SERVICES, grpc_serving, group_alive, http_json, platform_children, port_free, process_alive, start_platform,
)


def test_the_platform_starts_all_four_services_serving_and_stops_cleanly_on_ctrl_c(tmp_path):
    platform = start_platform(tmp_path, new_session=True)  # its own group: Ctrl-C reaches the whole group
    ports = platform.ports
    children: dict[str, int] = {}
    try:
        banner = platform.wait_for_banner()
        children = platform_children(platform.process.pid)
        assert set(children) == {"broker", *SERVICES}, children
        head = banner.split("Head-office token (8 h)")[1].split("every branch:")[1].split()[0]
        branch = banner.split("KC-BINJAI branch token (8 h)")[1].split("there:")[1].split()[0]
        for name, (grpc_port, http_port) in ports.items():
            assert f"127.0.0.1:{grpc_port}" in banner
            assert grpc_serving(grpc_port), name
            ready = http_json(http_port, "/readyz")
            assert ready["ready"] is True, (name, ready)
        assert f"127.0.0.1:{ports['membership'][0]} list" in banner  # the Try line names the real port
        # Both printed tokens work against the membership API.
        with grpc.insecure_channel(f"127.0.0.1:{ports['membership'][0]}") as channel:
            for token in (head, branch):
                offices = offices_pb2_grpc.OfficeServiceStub(channel).ListOffices(
                    offices_pb2.ListOfficesRequest(), metadata=[("authorization", f"Bearer {token}")], timeout=10).offices
                assert any(o.code == "KP" for o in offices)
    finally:
        if platform.process.poll() is None:
            os.killpg(platform.process.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends: to the group
        try:
            code = platform.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            code = None
        group_left = group_alive(platform.process.pid)
        still = {name: pid for name, pid in children.items() if process_alive(pid) or group_alive(pid)}
        every_port = [port for pair in ports.values() for port in pair] + [int(platform.env["BROKER_PORT"])]
        taken = [port for port in every_port if not port_free(port)]
        for pid in still.values():  # only if a check below fails: leave nothing of ours running
            os.killpg(pid, signal.SIGKILL)
        if platform.process.poll() is None:
            platform.process.kill()
            platform.process.wait()
    assert code == 0, platform.output()[-3000:]
    assert not still, f"left running after Ctrl-C: {still}"
    assert not group_left, "a process of the launcher's group is still running"
    assert taken == [], "a port is still taken after Ctrl-C"
