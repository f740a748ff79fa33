"""A second `make run` next to a running one is refused at once with one line, and the first keeps serving."""
from __future__ import annotations

import socket
import time

import pytest

from services.chassis.http_side import HttpSide
from tests.e2e.platform_runs import (
    BANNER, SERVICES, grpc_serving, http_json, load_launcher, platform_env, run_platform_to_exit, start_platform,
)
from tests.harness.ports import free_port


@pytest.fixture(scope="module")
def running_platform(tmp_path_factory):
    platform = start_platform(tmp_path_factory.mktemp("first-platform"))
    try:
        platform.wait_for_banner()
        yield platform
    finally:
        platform.stop()


def _assert_refused_in_one_line(result, elapsed: float) -> str:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert elapsed < 20, output
    assert BANNER not in output and "head-office token" not in output, output
    assert "Traceback" not in output, output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("jamsos: "), output
    return lines[0]


def _assert_still_serving(platform) -> None:
    assert platform.process.poll() is None, platform.output()[-3000:]
    for name, (grpc_port, http_port) in platform.ports.items():
        assert grpc_serving(grpc_port), name
        assert http_json(http_port, "/healthz")["status"] == "ok", name


def test_a_second_platform_on_the_same_data_folder_is_refused_naming_the_folder(running_platform):
    started = time.monotonic()
    result = run_platform_to_exit(running_platform.env)
    line = _assert_refused_in_one_line(result, time.monotonic() - started)
    assert str(running_platform.data_dir.resolve()) in line and ".jamsos.lock" in line, line
    assert "already running" in line, line
    _assert_still_serving(running_platform)


def test_a_second_platform_on_another_data_folder_but_the_same_ports_is_refused_naming_the_port(running_platform, tmp_path):
    env = platform_env(tmp_path / "data", running_platform.ports, int(running_platform.env["BROKER_PORT"]))
    started = time.monotonic()
    result = run_platform_to_exit(env)
    line = _assert_refused_in_one_line(result, time.monotonic() - started)
    grpc_port = running_platform.ports[SERVICES[0]][0]
    assert f"127.0.0.1:{grpc_port}" in line and SERVICES[0] in line and "in use" in line, line
    assert not any(tmp_path.joinpath("data").glob("*.db")), "the refused platform started a service"
    _assert_still_serving(running_platform)


def test_a_stray_broker_on_the_broker_port_is_refused_not_joined(tmp_path, monkeypatch, capsys):
    """In-process (no platform start): the check comes before any broker or service is started."""
    run_platform = load_launcher()
    with socket.socket() as stray:
        stray.bind(("127.0.0.1", 0))
        stray.listen()
        broker_port = stray.getsockname()[1]
        env = platform_env(tmp_path / "data", {name: (free_port(), free_port()) for name in SERVICES}, broker_port)
        monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
        monkeypatch.delenv("DATABASE_URL", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(run_platform.subprocess, "Popen", _no_process)
        assert run_platform.main() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"broker port 127.0.0.1:{broker_port} is already in use" in err, err


def _no_process(*args, **kwargs):
    raise AssertionError(f"a refused start must not start processes: {args}")


def test_the_http_side_fails_its_start_naming_the_address_when_the_port_is_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"cannot bind HTTP port 127.0.0.1:{port}"):
            HttpSide("widgets", "127.0.0.1", port, {})
