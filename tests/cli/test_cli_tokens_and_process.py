"""`jamsos token` refuses tokens the platform would refuse or that grant nothing (reserved
roles, unknown roles, office codes that do not say their level, offices the running office
tree does not have), and the installed `jamsos` command works as a process: env defaults,
JSON, exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import app

JAMSOS = Path(sys.executable).parent / "jamsos"


def token_command(platform, *args: str, membership: str | None = None):
    """`jamsos token ...` against the test's membership (or `membership`)."""
    address = membership or platform.address(platform.membership)
    return platform.runner.invoke(app, ["--membership", address, "token", *args])


@pytest.mark.rule("O-3")
def test_o3_a_reserved_role_is_refused_with_exit_2_and_no_token_printed(platform):
    for role in ("SERVICE", "SYSTEM", "ADMINISTRATION_OFFICER,SYSTEM"):
        result = token_command(platform, "--office", "KC-BINJAI", "--roles", role)
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.startswith("jamsos: invalid argument: token refused: roles") and "reserved" in result.stderr


@pytest.mark.rule("O-3")
def test_o3_an_unknown_role_or_no_role_is_refused(platform):
    unknown = token_command(platform, "--office", "KC-BINJAI", "--roles", "ADMINISTRATION_OFFICER,KING")
    assert unknown.exit_code == 2 and "unknown roles KING" in unknown.stderr and unknown.stdout == ""
    empty = token_command(platform, "--office", "KC-BINJAI", "--roles", " , ")
    assert empty.exit_code == 2 and "no role" in empty.stderr


@pytest.mark.rule("O-1")
def test_o1_an_office_code_of_the_wrong_shape_or_level_is_refused(platform):
    for office, level in (("KC-BINJAI", "HEAD"), ("KW-SUMBAGUT", "BRANCH"), ("kc-binjai", None), ("BINJAI", None),
                          ("KC-", None), ("KP", "BRANCH"), ("KC-BINJAI", "CITY")):
        result = token_command(platform, "--office", office, "--roles", "ADMINISTRATION_OFFICER",
                               *(["--level", level] if level else []))
        assert result.exit_code == 2 and result.stdout == "", (office, level, result.stdout)


@pytest.mark.rule("O-1")
def test_o1_an_office_the_running_office_tree_does_not_have_is_refused_until_it_is_added(platform):
    unknown = token_command(platform, "--office", "KC-TIDAK-ADA", "--roles", "ADMINISTRATION_OFFICER")
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert unknown.stderr.startswith("jamsos: invalid argument: token refused: office KC-TIDAK-ADA is not a branch office")
    assert "KC-BINJAI" in unknown.stderr  # the branches it does have are named
    added = platform.jamsos("KP", "HEAD_OFFICE_ADMIN", "office", "upsert", "KC-TIDAK-ADA", "--name", "Kantor Cabang Baru",
                            "--level", "branch", "--parent", "KW-SUMBAGUT", "--class", "3")
    assert added.exit_code == 0, added.stderr
    known = token_command(platform, "--office", "KC-TIDAK-ADA", "--roles", "ADMINISTRATION_OFFICER")
    assert known.exit_code == 0 and known.stdout.count(".") == 2, known.stderr  # one JWT: header.claims.signature


def test_without_membership_the_office_cannot_be_checked_exit_7_unless_offline(platform):
    nowhere = "127.0.0.1:1"
    unchecked = token_command(platform, "--office", "KC-BINJAI", "--roles", "SERVICE_OFFICER", membership=nowhere)
    assert unchecked.exit_code == 7 and unchecked.stdout == ""
    assert "cannot check office KC-BINJAI: membership at 127.0.0.1:1 cannot be reached" in unchecked.stderr
    assert "--offline" in unchecked.stderr
    offline = token_command(platform, "--office", "KC-ANYWHERE", "--roles", "SERVICE_OFFICER", "--offline",
                            membership=nowhere)
    assert offline.exit_code == 0 and offline.stdout.count(".") == 2, offline.stderr
    shape = token_command(platform, "--office", "KC-", "--roles", "SERVICE_OFFICER", "--offline", membership=nowhere)
    assert shape.exit_code == 2  # offline still checks the code's shape


def test_a_minted_token_is_accepted_by_the_running_service(platform):
    minted = platform.runner.invoke(app, ["--membership", platform.address(platform.membership), "--json", "token", "--office", "KC-BINJAI", "--roles", "marketing_officer",
                                          "--user", "mkt-sari"])
    assert minted.exit_code == 0, minted.stderr
    claims = json.loads(minted.stdout)
    assert (claims["office"], claims["office_level"], claims["roles"]) == ("KC-BINJAI", "BRANCH", ["MARKETING_OFFICER"])
    registered = platform.jamsos("KC-BINJAI", "MARKETING_OFFICER", "employer", "register", "--branch", "KC-BINJAI",
                                 "--name", "PT Token Benar", "--sector", "Jasa", "--address", "Jl. Satu 1",
                                 "--registered", "2020-02-03", "--risk-group", "2", token=claims["token"])
    assert registered.exit_code == 0, registered.stderr


def test_the_installed_command_runs_as_a_process_with_env_defaults(platform):
    env = {**os.environ, "JAMSOS_MEMBERSHIP": platform.address(platform.membership)}
    env.pop("JAMSOS_TOKEN", None)
    minted = subprocess.run([str(JAMSOS), "token", "--office", "KC-BINJAI", "--roles", "MARKETING_OFFICER"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert minted.returncode == 0, minted.stderr
    env["JAMSOS_TOKEN"] = minted.stdout.strip()
    registered = subprocess.run([str(JAMSOS), "--json", "employer", "register", "--branch", "KC-BINJAI", "--name",
                                 "PT Proses Nyata", "--sector", "Jasa", "--address", "Jl. Dua 2", "--registered",
                                 "2020-02-03", "--risk-group", "1"], capture_output=True, text=True, env=env, timeout=60)
    assert registered.returncode == 0, registered.stderr
    npp = json.loads(registered.stdout)["employer"]["npp"]
    other = subprocess.run([str(JAMSOS), "--membership", platform.address(platform.membership), "--token",
                            platform_token("KC-MEDAN"), "employer", "show", npp], capture_output=True, text=True,
                           env=env, timeout=60)
    assert other.returncode == 3 and other.stdout == ""
    assert other.stderr == f"jamsos: not found: employer {npp} not found\n"  # one line, no stack trace
    refused = subprocess.run([str(JAMSOS), "token", "--roles", "SERVICE"], capture_output=True, text=True, env=env,
                             timeout=60)
    assert refused.returncode == 2 and "reserved" in refused.stderr and refused.stdout == ""
    helped = subprocess.run([str(JAMSOS), "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert helped.returncode == 0 and "Exit codes:" in helped.stdout and "4  FAILED_PRECONDITION" in helped.stdout


def platform_token(office: str) -> str:
    from tests.service_harness import token_for

    return token_for(office, "ADMINISTRATION_OFFICER")


def test_make_token_refuses_an_unknown_role_too():
    result = subprocess.run([sys.executable, "-m", "services.chassis.devtoken", "--office", "KC-BINJAI", "--roles",
                             "KING"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "unknown roles KING" in result.stderr and not result.stdout
