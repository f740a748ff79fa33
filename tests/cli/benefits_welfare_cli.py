"""`jamsos` run in-process against one benefits or welfare service of a test module (the
service and its read-model feed come from tests/benefits/service and tests/welfare/service)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from typer.testing import CliRunner

from cli.main import app
from tests.service_harness import token_for


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):  # noqa: ANN201 - the command's JSON answer
        return json.loads(self.stdout)


class Jamsos:
    """`jamsos(office, roles, *args)`: the CLI as a user of `office` with `roles` (one, or a tuple)."""

    def __init__(self, service: str, grpc_port: int):
        self.head = [f"--{service}", f"127.0.0.1:{grpc_port}"]
        self.runner = CliRunner()

    def __call__(self, office: str, roles: str | tuple[str, ...], *args: str, as_json: bool = True,
                 user: str | None = None) -> Outcome:
        token = token_for(office, *((roles,) if isinstance(roles, str) else roles), user=user)
        result = self.runner.invoke(app, [*self.head, "--token", token, *(["--json"] if as_json else []), *args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Outcome(result.exit_code, result.stdout, result.stderr)
