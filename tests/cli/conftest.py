"""Membership and contributions started in-process (real gRPC servers, SQLite), and the
`jamsos` Typer app run against them with typer's CliRunner.

Between the two services, membership's published events (its outbox) are handed to
contributions' own consumers (`sync()`), the code a broker would feed, so the tests need
no broker and wait for nothing; tests/e2e/test_demo.py runs the same commands over the
real platform and broker.
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from services.chassis.consumer import EventApplier
from services.chassis.events import parse_envelope
from services.contributions.bootstrap import definition as contributions_definition
from services.membership.bootstrap import definition as membership_definition
from services.membership.domain.nik import make_nik
from services.membership.domain.person import Sex
from tests.service_harness import start_service, token_for

# The contributions clock in these tests: periods up to May 2024 are billable, payments up to today.
TODAY = date(2024, 6, 28)
_people = itertools.count(1)


def new_nik(born: date, female: bool = False) -> str:
    n = next(_people)
    return make_nik(f"3174{n // 9999 % 99 + 1:02d}", born, Sex.FEMALE if female else Sex.MALE, n % 9999 + 1)


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):  # noqa: ANN201 - the command's JSON answer
        return json.loads(self.stdout)


@dataclass
class Platform:
    membership: object
    contributions: object
    runner: CliRunner = field(default_factory=CliRunner)
    _published: int = 0

    def address(self, runtime) -> str:  # noqa: ANN001
        return f"127.0.0.1:{runtime.grpc_port}"

    def jamsos(self, office: str, role: str, *args: str, as_json: bool = True, user: str | None = None,
               token: str | None = None) -> Outcome:
        """Runs `jamsos --json <args>` as the officer `role` of `office`."""
        head = ["--membership", self.address(self.membership), "--contributions", self.address(self.contributions),
                "--token", token or token_for(office, role, user=user), *(["--json"] if as_json else [])]
        result = self.runner.invoke(app, [*head, *args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Outcome(result.exit_code, result.stdout, result.stderr)

    def sync(self) -> int:
        """Hands membership's new events to contributions' consumers of membership; returns how many."""
        outbox = self.membership.app.ctx.base.tables["outbox"]
        with self.membership.app.ctx.base.read_session() as session:
            rows = session.execute(select(outbox.c.id, outbox.c.envelope).where(outbox.c.id > self._published)
                                   .order_by(outbox.c.id)).all()
        appliers = [EventApplier(spec.name, "contributions", spec.registry, self.contributions.app.ctx.base.unit_of_work)
                    for spec in self.contributions.app.consumers() if "membership" in spec.source_services]
        for row in rows:
            envelope = parse_envelope(row.envelope)
            for applier in appliers:
                applier.apply(envelope)
            self._published = row.id
        return len(rows)


@pytest.fixture(scope="package")
def platform(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    membership = start_service(membership_definition(), f"sqlite:///{folder}/membership.db")
    contributions = start_service(contributions_definition(), f"sqlite:///{folder}/contributions.db")
    contributions.app.ctx.today = lambda: TODAY
    running = Platform(membership, contributions)
    running.sync()  # the office tree
    yield running
    contributions.stop(grace=0)
    membership.stop(grace=0)


def register_employer(platform: Platform, branch: str = "KC-BINJAI", risk_group: int = 1,
                      name: str = "PT Kopi Sejahtera") -> str:
    result = platform.jamsos(branch, "MARKETING_OFFICER", "employer", "register", "--branch", branch, "--name",
                             f"{name} {next(_people)}", "--sector", "Perdagangan", "--address", "Jl. Merdeka 5",
                             "--registered", "2019-03-01", "--risk-group", str(risk_group))
    assert result.exit_code == 0, result.stderr
    return result.json()["employer"]["npp"]


def enrol_worker(platform: Platform, npp: str, wage: int, branch: str = "KC-BINJAI", marital: str = "single",
                 born: date = date(1990, 5, 17)) -> str:
    result = platform.jamsos(branch, "ADMINISTRATION_OFFICER", "worker", "enrol", "--npp", npp, "--nik",
                             new_nik(born), "--name", "Andi Wijaya", "--born", born.isoformat(), "--sex", "male",
                             "--marital", marital, "--wage", str(wage), "--start", "2020-01-06")
    assert result.exit_code == 0, result.stderr
    return result.json()["worker"]["kpj"]
