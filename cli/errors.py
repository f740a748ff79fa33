"""One line per failed call and an exit code that says what happened.

The line names the field (INVALID_ARGUMENT's BadRequest detail) or the rule id
(FAILED_PRECONDITION's ErrorInfo `reason`, with its machine code) decoded from the rich
status details the services send (`services/chassis/grpc_errors.py`), never parsed from
the English message; no stack trace reaches the operator.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import grpc
import typer
from google.rpc import error_details_pb2
from grpc_status import rpc_status

OK = 0
OTHER = 1
BAD_INPUT = 2
NOT_FOUND = 3
RULE_NOT_MET = 4
DENIED = 5
ALREADY_EXISTS = 6
UNAVAILABLE = 7
DIFFERENCES = 8  # the call succeeded and its answer reports what must be looked at

EXIT_CODES_HELP = """\b
Exit codes:
  0  ok
  1  anything else
  2  bad usage or INVALID_ARGUMENT (the field is named)
  3  NOT_FOUND (also another branch's record)
  4  FAILED_PRECONDITION: a rule not met (the rule id is named)
  5  PERMISSION_DENIED or UNAUTHENTICATED
  6  ALREADY_EXISTS
  7  UNAVAILABLE or timed out
  8  the answer reports differences to look at (billing coverage: UNEXPLAINED)"""

_EXIT_OF = {
    grpc.StatusCode.INVALID_ARGUMENT: BAD_INPUT,
    grpc.StatusCode.OUT_OF_RANGE: BAD_INPUT,
    grpc.StatusCode.NOT_FOUND: NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION: RULE_NOT_MET,
    grpc.StatusCode.PERMISSION_DENIED: DENIED,
    grpc.StatusCode.UNAUTHENTICATED: DENIED,
    grpc.StatusCode.ALREADY_EXISTS: ALREADY_EXISTS,
    grpc.StatusCode.UNAVAILABLE: UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: UNAVAILABLE,
}


@dataclass
class Failure:
    """What a failed call said, decoded: the status, its message, the fields or the rule."""

    code: str
    message: str
    exit_code: int
    fields: list[dict[str, str]] = field(default_factory=list)
    rule_id: str | None = None
    violation_code: str | None = None
    rule_reason: str | None = None

    def line(self) -> str:
        if self.fields:
            named = "; ".join(f"{f['field']}: {f['reason']}" for f in self.fields)
            return f"invalid argument: {named}"
        if self.rule_id:
            code = f" [{self.violation_code}]" if self.violation_code else ""
            return f"rule {self.rule_id} not met{code}: {self.rule_reason or self.message}"
        return f"{self.code.lower().replace('_', ' ')}: {self.message}"

    def as_json(self) -> dict[str, object]:
        shown: dict[str, object] = {"code": self.code, "message": self.message, "exit_code": self.exit_code}
        if self.fields:
            shown["fields"] = self.fields
        if self.rule_id:
            shown["rule_id"] = self.rule_id
            shown["violation_code"] = self.violation_code
        return {"error": shown}


def decode(error: grpc.RpcError, service: str = "", target: str = "") -> Failure:
    """The failure a gRPC error carries, from its status code and rich details."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = (error.details() if hasattr(error, "details") else None) or ""
    failure = Failure(code=code.name, message=message, exit_code=_EXIT_OF.get(code, OTHER))
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED) and service:
        what = "did not answer in time" if code is grpc.StatusCode.DEADLINE_EXCEEDED else "cannot be reached"
        failure.message = f"{service} at {target} {what} (is the platform running? `make run`)"
    for detail in _details(error):
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            failure.fields += [{"field": v.field, "reason": v.description} for v in bad.field_violations]
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            failure.rule_id = info.metadata.get("rule_id") or info.reason
            failure.violation_code = info.metadata.get("code") or None
        elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            precondition = error_details_pb2.PreconditionFailure()
            detail.Unpack(precondition)
            failure.rule_reason = next((v.description for v in precondition.violations if v.description), None)
    return failure


def _details(error: grpc.RpcError) -> list:  # type: ignore[type-arg]
    try:
        status = rpc_status.from_call(error)
    except (AttributeError, ValueError):
        return []
    return list(status.details) if status is not None else []


def report(failure: Failure, as_json: bool) -> None:
    """The one line on stderr: plain text, or a JSON object for scripts."""
    text = json.dumps(failure.as_json(), ensure_ascii=False) if as_json else f"jamsos: {failure.line()}"
    print(text, file=sys.stderr)


def fail(message: str, exit_code: int, as_json: bool = False, code: str = "CLIENT") -> typer.Exit:
    """Reports a failure found before any call (missing token, unreadable file); raise the result."""
    report(Failure(code=code, message=message, exit_code=exit_code), as_json)
    return typer.Exit(exit_code)


@contextmanager
def reported(as_json: bool, service: str = "", target: str = "") -> Iterator[None]:
    """Turns a gRPC error raised inside into its one line and exit code."""
    try:
        yield
    except grpc.RpcError as error:
        failure = decode(error, service, target)
        report(failure, as_json)
        raise typer.Exit(failure.exit_code) from None
