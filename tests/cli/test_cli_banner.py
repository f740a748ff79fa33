"""`make run`'s banner, followed word for word from another shell when the ports are moved:
its export line points `jamsos` at the services and its branch token registers an employer."""
from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

from cli.main import app

ROOT = Path(__file__).resolve().parents[2]


def run_platform_script():
    spec = importlib.util.spec_from_file_location("jamsos_run_platform", ROOT / "scripts" / "run_platform.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def banner(monkeypatch, capsys, ports: dict[str, int]) -> str:
    for name, port in ports.items():
        monkeypatch.setenv(f"{name.upper()}_GRPC_PORT", str(port))
    run_platform_script().print_banner("127.0.0.1:9092", ROOT / "data")
    return capsys.readouterr().out


def test_with_the_default_ports_the_banner_asks_for_no_export(monkeypatch, capsys):
    for name in ("MEMBERSHIP", "CONTRIBUTIONS", "BENEFITS", "WELFARE"):
        monkeypatch.delenv(f"{name}_GRPC_PORT", raising=False)
        monkeypatch.delenv(f"{name}_GRPC_HOST", raising=False)
    monkeypatch.delenv("GRPC_HOST", raising=False)
    printed = banner(monkeypatch, capsys, {})
    assert "Ports moved" not in printed and "127.0.0.1:50051 list" in printed


def test_with_moved_ports_the_banners_lines_reach_the_services_from_a_shell_without_them(platform, monkeypatch,
                                                                                          capsys):
    membership_port = platform.membership.grpc_port
    printed = banner(monkeypatch, capsys, {"membership": membership_port, "contributions": 61052})
    exports = re.search(r"in another shell first:\s+export (.+)", printed).group(1)
    shell = dict(word.split("=", 1) for word in shlex.split(exports))
    assert shell == {"JAMSOS_MEMBERSHIP": f"127.0.0.1:{membership_port}", "JAMSOS_CONTRIBUTIONS": "127.0.0.1:61052"}
    branch_token = printed.split("KC-BINJAI branch token (8 h)")[1].split("there:")[1].split()[0]

    # The other shell: none of make run's variables, only what the banner said to export.
    for name in ("MEMBERSHIP", "CONTRIBUTIONS"):
        monkeypatch.delenv(f"{name}_GRPC_PORT")
    registered = platform.runner.invoke(app, ["--json", "employer", "register", "--branch", "KC-BINJAI", "--name",
                                              "PT Spanduk Baru", "--sector", "Jasa", "--address", "Jl. Tiga 3",
                                              "--registered", "2021-05-06", "--risk-group", "1"],
                                        env={**shell, "JAMSOS_TOKEN": branch_token})
    assert registered.exit_code == 0, registered.stderr
    found = platform.runner.invoke(app, ["--json", "employer", "search", "Spanduk"],
                                   env={**shell, "JAMSOS_TOKEN": branch_token})
    assert found.exit_code == 0 and "PT Spanduk Baru" in found.stdout, found.stderr
