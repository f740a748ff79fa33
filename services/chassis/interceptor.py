"""The one wrapper around every RPC: authentication, caller scope, metrics, logs, errors.

Health checking and reflection stay open (probes and grpcurl need no token); every
other method needs a valid bearer token.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

import grpc
from grpc_status import rpc_status

from . import context, metrics
from .auth import TokenVerifier
from .errors import DomainError
from .grpc_errors import to_status
from .ids import uuid7

log = logging.getLogger("jamsos.rpc")

OPEN_SERVICES = frozenset({"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"})


class PlatformInterceptor(grpc.ServerInterceptor):
    def __init__(self, verifier: TokenVerifier):
        self._verifier = verifier

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        grpc_service, _, grpc_method = handler_call_details.method.lstrip("/").partition("/")
        metadata = {k: v for k, v in (handler_call_details.invocation_metadata or ()) if isinstance(v, str)}
        call = _Call(self._verifier, grpc_service, grpc_method, metadata, _rpc_type(handler))
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(call.unary_response(handler.unary_unary), handler.request_deserializer, handler.response_serializer)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(call.unary_response(handler.stream_unary), handler.request_deserializer, handler.response_serializer)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(call.stream_response(handler.unary_stream), handler.request_deserializer, handler.response_serializer)
        return grpc.stream_stream_rpc_method_handler(call.stream_response(handler.stream_stream), handler.request_deserializer, handler.response_serializer)


def _rpc_type(handler) -> str:
    if handler.unary_unary:
        return "unary"
    if handler.stream_unary:
        return "client_stream"
    if handler.unary_stream:
        return "server_stream"
    return "bidi_stream"


class _Call:
    def __init__(self, verifier, grpc_service, grpc_method, metadata, rpc_type):
        self.verifier = verifier
        self.labels = {"grpc_type": rpc_type, "grpc_service": grpc_service, "grpc_method": grpc_method}
        self.metadata = metadata
        self.open = grpc_service in OPEN_SERVICES

    def _principal(self):
        return None if self.open else self.verifier.principal_from_metadata(self.metadata)

    def unary_response(self, behavior: Callable):
        def wrapped(request, servicer_context):
            outcome = [grpc.StatusCode.OK]
            start = self._start()
            correlation = self.metadata.get("x-correlation-id") or uuid7()
            try:
                with context.request_context(self._principal(), correlation):
                    return behavior(request, servicer_context)
            except Exception as exc:  # noqa: BLE001 - the one place errors are mapped
                self._fail(exc, servicer_context, outcome)
            finally:
                self._finish(start, outcome[0])
        return wrapped

    def stream_response(self, behavior: Callable):
        def wrapped(request, servicer_context):
            outcome = [grpc.StatusCode.OK]
            start = self._start()
            correlation = self.metadata.get("x-correlation-id") or uuid7()
            try:
                with context.request_context(self._principal(), correlation):
                    yield from behavior(request, servicer_context)
            except Exception as exc:  # noqa: BLE001
                self._fail(exc, servicer_context, outcome)
            finally:
                self._finish(start, outcome[0])
        return wrapped

    def _start(self) -> float:
        metrics.GRPC_STARTED.labels(**self.labels).inc()
        return time.perf_counter()

    def _finish(self, start: float, code: grpc.StatusCode) -> None:
        elapsed = time.perf_counter() - start
        metrics.GRPC_HANDLED.labels(**self.labels, grpc_code=code.name).inc()
        metrics.GRPC_HANDLING_SECONDS.labels(**self.labels).observe(elapsed)
        if not self.open:
            log.info("rpc", extra={"rpc": f"{self.labels['grpc_service']}/{self.labels['grpc_method']}", "code": code.name, "ms": round(elapsed * 1000, 2)})

    def _fail(self, exc: Exception, servicer_context, outcome: list) -> None:
        """Record the status for the metrics, then abort the RPC with it (raises)."""
        already = servicer_context.code() if hasattr(servicer_context, "code") else None
        if already is not None and not isinstance(exc, DomainError):
            outcome[0] = already  # the handler aborted by itself: keep its status
            raise exc
        if not isinstance(exc, DomainError):
            log.exception("unexpected error in %s/%s", self.labels["grpc_service"], self.labels["grpc_method"])
        code, status = to_status(exc)
        outcome[0] = code
        servicer_context.abort_with_status(rpc_status.to_status(status))
