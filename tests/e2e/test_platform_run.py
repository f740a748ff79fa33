"""End to end: the platform started exactly as `make run` starts it (scripts/run_platform.py)."""
from __future__ import annotations

import grpc

from jamsos.membership.v1 import offices_pb2, offices_pb2_grpc
from tests.e2e.platform_runs import grpc_serving, http_json, start_platform


def test_the_platform_starts_all_four_services_serving_and_stops_cleanly_on_ctrl_c(tmp_path):
    platform = start_platform(tmp_path)
    ports = platform.ports
    try:
        banner = platform.wait_for_banner()
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
        code = platform.stop()
    assert code == 0, platform.output()[-3000:]
    for name, (grpc_port, _http) in ports.items():
        assert not grpc_serving(grpc_port, timeout=1), f"{name} is still serving after Ctrl-C"
