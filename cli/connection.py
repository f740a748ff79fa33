"""Where the services are and who is calling: endpoints, token, timeout, request ids.

Each service's address comes from `--<service> host:port`, else `JAMSOS_<SERVICE>`, else
`127.0.0.1:<SERVICE>_GRPC_PORT` (the variable `make run` reads), else the `make run`
default port. Every call carries the bearer token (`--token` / `JAMSOS_TOKEN`).
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc

from . import errors

DEFAULT_PORTS = {"membership": 50051, "contributions": 50052, "benefits": 50053, "welfare": 50054}
SERVICES = tuple(DEFAULT_PORTS)
DEFAULT_TIMEOUT = 30.0


def default_address(service: str) -> str:
    """The address of `service` when no option says: JAMSOS_<SERVICE>, <SERVICE>_GRPC_PORT, the default."""
    upper = service.upper()
    explicit = os.environ.get(f"JAMSOS_{upper}")
    if explicit:
        return explicit
    host = os.environ.get(f"{upper}_GRPC_HOST") or os.environ.get("GRPC_HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"{host}:{os.environ.get(f'{upper}_GRPC_PORT') or DEFAULT_PORTS[service]}"


def new_request_id(given: str | None) -> str:
    """The request id a mutation sends: the caller's (`--request-id`, safe to retry) or a fresh one."""
    return given or f"cli-{uuid.uuid4().hex}"


@dataclass
class Session:
    """One command's connection settings and its open channels (closed when the command ends)."""

    addresses: dict[str, str]
    token: str | None
    as_json: bool = False
    timeout: float = DEFAULT_TIMEOUT
    _channels: dict[str, grpc.Channel] = field(default_factory=dict)

    def stub(self, service: str, stub_class: Callable[[grpc.Channel], Any]) -> CallingStub:
        if not self.token:
            raise errors.fail("no token: pass --token or set JAMSOS_TOKEN (mint one with `jamsos token`)",
                              errors.DENIED, self.as_json, code="UNAUTHENTICATED")
        target = self.addresses[service]
        if service not in self._channels:
            self._channels[service] = grpc.insecure_channel(target)
        return CallingStub(stub_class(self._channels[service]), self, service, target)

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()


class CallingStub:
    """`stub.Method(request)`: with the token and timeout; a failure becomes its line and exit code.

    A streaming method's responses are read inside the same translation (`stream(...)`).
    """

    def __init__(self, stub: Any, session: Session, service: str, target: str):
        self._stub, self._session, self._service, self._target = stub, session, service, target

    def _metadata(self) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {self._session.token}")]

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._stub, name)

        def call(request: Any) -> Any:
            with errors.reported(self._session.as_json, self._service, self._target):
                return method(request, metadata=self._metadata(), timeout=self._session.timeout)

        return call

    def stream(self, name: str, requests: Any, timeout: float | None = None, *, ends_at_deadline: bool = False) -> Any:
        """Yields the responses of a streaming method, reporting a failure as any call does.
        With `ends_at_deadline`, the deadline passing ends the stream quietly: the caller
        stopped watching (a run still going), the service did not fail to answer."""
        method = getattr(self._stub, name)
        with errors.reported(self._session.as_json, self._service, self._target):
            try:
                yield from method(requests, metadata=self._metadata(), timeout=timeout or self._session.timeout * 20)
            except grpc.RpcError as error:
                if not (ends_at_deadline and error.code() == grpc.StatusCode.DEADLINE_EXCEEDED):
                    raise
