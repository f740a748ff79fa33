"""The one wrapper around every RPC: authentication, caller scope, edge checks, metrics,
logs, errors.

Health checking and reflection stay open (probes and grpcurl need no token); every
other method needs a valid bearer token. A service token is accepted only on the methods
its service declares for calls between services. Request bodies that do not decode, and
requests that fail the edge checks (`request_guard`), are refused as INVALID_ARGUMENT
before any handler runs. Accesses refused by the branch scope are audited after the call.
Every call is counted and timed (grpc_server_*); failed and slow calls are also logged.
A stream holds a pool thread until it ends: at most `max_streams` are open at once (the
calls keep the rest of the pool); one more is refused RESOURCE_EXHAUSTED, to be retried.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeAlias, cast

import grpc
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet
from grpc_status import rpc_status

from . import context, metrics
from .auth import TokenVerifier
from .errors import DomainError, InvalidArgument, PermissionDenied, shown
from .grpc_errors import TooManyStreams, to_status
from .request_guard import check_request

log = logging.getLogger("jamsos.rpc")

OPEN_SERVICES = frozenset({"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"})

# Writes the refused accesses of one call to the audit log: (principal, rpc, refusals).
RefusalSink = Callable[[context.Principal, str, list[context.Refusal]], None]
# A method handler of any request and response types (the wrapper passes them through).
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"


class Undecodable:
    """Stands in for a request body that is not a message of the method's input type."""

    def __init__(self, reason: str):
        self.reason = reason


class PlatformInterceptor(grpc.ServerInterceptor):
    def __init__(self, verifier: TokenVerifier, *, service_methods: Iterable[str] = (),
                 refusal_sink: RefusalSink | None = None, slow_call_seconds: float = 0.25,
                 log_every_call: bool = False, max_streams: int | None = None):
        self._verifier = verifier
        self._stream_slots = threading.BoundedSemaphore(max_streams) if max_streams else None
        self._service_methods = frozenset(service_methods)
        self._refusal_sink = refusal_sink
        self.slow_call_seconds = slow_call_seconds
        self.log_every_call = log_every_call
        # The wrapped handler of each method, built on its first call: grpc asks the
        # interceptor on every call, and building handlers and metric children per call
        # was a fixed cost of every lookup.
        self._wrapped: dict[str, Handler] = {}

    def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], Handler | None],
                          handler_call_details: grpc.HandlerCallDetails) -> Handler | None:
        wrapped = self._wrapped.get(handler_call_details.method)
        if wrapped is not None:
            return wrapped
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        wrapped = self._wrap(handler_call_details.method, handler)
        self._wrapped[handler_call_details.method] = wrapped
        return wrapped

    def _wrap(self, full_method: str, handler: Handler) -> Handler:
        grpc_service, _, grpc_method = full_method.lstrip("/").partition("/")
        call = _Method(self, full_method, grpc_service, grpc_method, _rpc_type(handler))
        deserialize = _tolerant(handler.request_deserializer) if not call.open else handler.request_deserializer
        serialize = _bytes_as_they_are(handler.response_serializer)
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(call.unary_response(handler.unary_unary), deserialize, serialize)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(call.unary_response(handler.stream_unary), deserialize, serialize)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(call.stream_response(handler.unary_stream), deserialize, serialize)
        stream_stream = cast(Callable[[Any, grpc.ServicerContext], Iterator[Any]], handler.stream_stream)  # the one left
        return grpc.stream_stream_rpc_method_handler(call.stream_response(stream_stream), deserialize, serialize)


def _metadata(servicer_context: grpc.ServicerContext) -> dict[str, str]:
    """The two headers the wrapper reads (binary `-bin` values are bytes: never a token)."""
    found: dict[str, str] = {}
    for key, value in servicer_context.invocation_metadata() or ():
        if key in _READ_HEADERS and isinstance(value, str):
            found[key] = value
    return found


def _correlation(metadata: dict[str, str]) -> str:
    given = metadata.get("x-correlation-id")
    return shown(given, 100) if given else context.NEW_CORRELATION


_READ_HEADERS = frozenset({"authorization", "x-correlation-id"})


def _rpc_type(handler: Handler) -> str:
    if handler.unary_unary:
        return "unary"
    if handler.stream_unary:
        return "client_stream"
    if handler.unary_stream:
        return "server_stream"
    return "bidi_stream"


def _bytes_as_they_are(serialize: Callable[[Any], bytes] | None) -> Callable[[Any], bytes] | None:
    """A handler may answer with its response already serialised (GetBill joins kept parts);
    any other answer is serialised as the method's response type."""
    if serialize is None:
        return None

    def serialized(response: Any) -> bytes:
        return response if type(response) is bytes else serialize(response)
    return serialized


def _tolerant(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """grpc answers a body its deserializer rejects with INTERNAL and a traceback; hand the
    failure to the wrapper instead, which answers INVALID_ARGUMENT."""
    if deserialize is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            message = deserialize(data)
        except Exception as exc:  # noqa: BLE001 - any decoding failure is the client's
            return Undecodable(str(exc))
        if data and (_first_field_number(data) == 0 or _has_field_number_zero(message)):
            return Undecodable("field number 0 is not valid protobuf")
        return message
    return parse


def _first_field_number(data: bytes) -> int:
    """The field number of the body's first tag (a varint): a body of zeros shows itself
    here at once, before a megabyte of it is listed as unknown fields."""
    tag, shift = 0, 0
    for byte in data[:10]:
        tag |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
        shift += 7
    return tag >> 3


def _has_field_number_zero(message: Message) -> bool:
    """upb keeps the bytes of a message type without fields as unknown fields unchecked,
    so a body of zeros "decodes"; field number 0 never exists on the wire."""
    unknown = UnknownFieldSet(message)  # a sequence (no __iter__ in its stub): index it
    return any(unknown[index].field_number == 0 for index in range(len(unknown)))


class _Method:
    """One method's wrapper: its labels and metric children bound once, the per-call
    work (token, scope context, edge checks, error mapping) in `unary_response` and
    `stream_response`."""

    def __init__(self, owner: PlatformInterceptor, full_method: str, grpc_service: str, grpc_method: str,
                 rpc_type: str):
        self.owner = owner
        self.full_method = full_method
        self.rpc = f"{grpc_service}/{grpc_method}"
        self.labels = {"grpc_type": rpc_type, "grpc_service": grpc_service, "grpc_method": grpc_method}
        self.open = grpc_service in OPEN_SERVICES
        self.client_streams = rpc_type in ("client_stream", "bidi_stream")
        self._slots = owner._stream_slots if rpc_type != "unary" else None
        self._started = metrics.GRPC_STARTED.labels(**self.labels)
        self._seconds = metrics.GRPC_HANDLING_SECONDS.labels(**self.labels)
        self._handled: dict[grpc.StatusCode, Any] = {}

    def _principal(self, metadata: dict[str, str]) -> context.Principal | None:
        if self.open:
            return None
        principal = self.owner._verifier.principal_from_metadata(metadata)
        if principal.kind == context.SERVICE and self.full_method not in self.owner._service_methods:
            raise PermissionDenied(f"{self.rpc} is not a call between services; it takes a user token")
        return principal

    def _checked(self, request: Any) -> Any:
        """The request after the edge checks; a client stream is checked item by item."""
        if self.open:
            return request
        if self.client_streams:
            return self._checked_stream(request)
        self._check_one(request)
        return request

    def _checked_stream(self, requests: Iterator[Any]) -> Iterator[Any]:
        for index, request in enumerate(requests):
            self._check_one(request, f"message {index}: ", shapes=False)  # rows of a batch answer per row
            yield request

    def _check_one(self, request: Message | Undecodable, where: str = "", *, shapes: bool = True) -> None:
        if isinstance(request, Undecodable):
            log.warning("undecodable request body", extra={"rpc": self.rpc, "reason": shown(request.reason, 200)})
            raise InvalidArgument.field("request", f"{where}the body is not a valid message of this method's request type")
        check_request(request, shapes=shapes)

    def unary_response(self, behavior: Callable[[Any, grpc.ServicerContext], Any]
                       ) -> Callable[[Any, grpc.ServicerContext], Any]:
        def wrapped(request: Any, servicer_context: grpc.ServicerContext) -> Any:
            outcome = [grpc.StatusCode.OK]
            start = self._start()
            refusals: list[context.Refusal] = []
            principal = None
            slot = False
            try:
                metadata = _metadata(servicer_context)
                principal = self._principal(metadata)
                slot = self._take_slot()
                with context.request_context(principal, _correlation(metadata), refusals=refusals):
                    return behavior(self._checked(request), servicer_context)
            except Exception as exc:  # noqa: BLE001 - the one place errors are mapped
                self._fail(exc, servicer_context, outcome)
            finally:
                self._release(slot)
                self._finish(start, outcome[0], principal, refusals)
        return wrapped

    def stream_response(self, behavior: Callable[[Any, grpc.ServicerContext], Iterator[Any]]
                        ) -> Callable[[Any, grpc.ServicerContext], Iterator[Any]]:
        def wrapped(request: Any, servicer_context: grpc.ServicerContext) -> Iterator[Any]:
            outcome = [grpc.StatusCode.OK]
            start = self._start()
            refusals: list[context.Refusal] = []
            principal = None
            slot = False
            try:
                metadata = _metadata(servicer_context)
                principal = self._principal(metadata)
                slot = self._take_slot()
                with context.request_context(principal, _correlation(metadata), refusals=refusals):
                    yield from behavior(self._checked(request), servicer_context)
            except Exception as exc:  # noqa: BLE001
                self._fail(exc, servicer_context, outcome)
            finally:
                self._release(slot)
                self._finish(start, outcome[0], principal, refusals)
        return wrapped

    def _take_slot(self) -> bool:
        """A stream's place among the open streams (after the token: a caller without one
        learns nothing of the load); a unary call needs none."""
        if self._slots is None:
            return False
        if not self._slots.acquire(blocking=False):
            raise TooManyStreams(f"{self.rpc}: the server has as many streams open as it serves at once; retry later")
        return True

    def _release(self, slot: bool) -> None:
        if slot and self._slots is not None:
            self._slots.release()

    def _start(self) -> float:
        self._started.inc()
        return time.perf_counter()

    def _finish(self, start: float, code: grpc.StatusCode, principal: context.Principal | None,
                refusals: list[context.Refusal]) -> None:
        elapsed = time.perf_counter() - start
        handled = self._handled.get(code)
        if handled is None:
            handled = self._handled[code] = metrics.GRPC_HANDLED.labels(**self.labels, grpc_code=code.name)
        handled.inc()
        self._seconds.observe(elapsed)
        if not self.open and (code != grpc.StatusCode.OK or elapsed >= self.owner.slow_call_seconds
                              or self.owner.log_every_call):
            # Failed and slow calls always; the others are in grpc_server_handled_total
            # (a line per lookup cost more than the lookup's own mapping).
            log.info("rpc", extra={"rpc": self.rpc, "code": code.name, "ms": round(elapsed * 1000, 2)})
        if refusals and principal is not None and self.owner._refusal_sink is not None:
            try:
                self.owner._refusal_sink(principal, self.rpc, refusals)
            except Exception:  # noqa: BLE001 - the reply is already decided; the log line stays
                log.warning("could not audit a refused access", exc_info=True, extra={"rpc": self.rpc})

    def _fail(self, exc: Exception, servicer_context: grpc.ServicerContext, outcome: list[grpc.StatusCode]) -> None:
        """Record the status for the metrics, then abort the RPC with it (raises)."""
        already = servicer_context.code() if hasattr(servicer_context, "code") else None
        if already is not None and not isinstance(exc, DomainError):
            outcome[0] = already  # the handler aborted by itself: keep its status
            raise exc
        code, status = to_status(exc)
        if code == grpc.StatusCode.INTERNAL:
            log.exception("unexpected error in %s", self.rpc)
        elif not isinstance(exc, (DomainError, TooManyStreams)):  # the latter: its rpc line says enough
            log.warning("%s failed: %s", self.rpc, code.name, exc_info=True)
        outcome[0] = code
        servicer_context.abort_with_status(rpc_status.to_status(status))
