"""Every RPC of every service, from the generated descriptors, and one way to call any of them.

The catalogue is built at collection time from the file descriptors of each service's
generated protos (`jamsos.<service>.v1.*_pb2`), so every RPC gets a readable test id
(`WorkerService.GetWorker`); `test_rpc_catalogue.py` checks it against the gRPC services
the running servers actually registered (`runtime._service_names`). Health checking and
reflection are open by design and never in it.

Calls go through `channel.unary_unary(path)` and its streaming siblings with no
serializers: bodies are raw bytes in and out, so a test can send anything at all.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import grpc
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor, MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

SERVICES = ("membership", "contributions", "benefits", "welfare")
OPEN_SERVICES = frozenset({"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"})
CALL_TIMEOUT = 30.0


@dataclass(frozen=True)
class Rpc:
    service: str  # the Jamsos service that serves it: "membership", ...
    grpc_service: str  # "jamsos.membership.v1.WorkerService"
    name: str  # "GetWorker"
    input: Descriptor = field(compare=False, repr=False)
    output: Descriptor = field(compare=False, repr=False)
    client_streaming: bool = False
    server_streaming: bool = False

    @property
    def path(self) -> str:
        """The full method name on the wire: "/jamsos.membership.v1.WorkerService/GetWorker"."""
        return f"/{self.grpc_service}/{self.name}"

    @property
    def id(self) -> str:
        return f"{self.grpc_service.rsplit('.', 1)[-1]}.{self.name}"

    @property
    def kind(self) -> str:
        return {(False, False): "unary", (True, False): "client_stream", (False, True): "server_stream",
                (True, True): "bidi_stream"}[(self.client_streaming, self.server_streaming)]

    def request_class(self) -> type[Message]:
        return GetMessageClass(self.input)

    def empty_request(self) -> bytes:
        return self.request_class()().SerializeToString()


def _rpc(service: str, method: MethodDescriptor) -> Rpc:
    return Rpc(service, method.containing_service.full_name, method.name, method.input_type, method.output_type,
               method.client_streaming, method.server_streaming)


def _generated_modules(service: str) -> list:
    """Every `jamsos.<service>.v1.*_pb2` module, imported (so its descriptors are in the default pool)."""
    try:
        package = importlib.import_module(f"jamsos.{service}.v1")
    except ModuleNotFoundError:  # a service without protos of its own yet (benefits, welfare)
        return []
    return [importlib.import_module(f"{package.__name__}.{m.name}")
            for m in pkgutil.iter_modules(package.__path__) if m.name.endswith("_pb2")]


def declared_service_names(service: str) -> list[str]:
    """Full names of the gRPC services declared in the service's own protos."""
    return sorted(s.full_name for module in _generated_modules(service) for s in module.DESCRIPTOR.services_by_name.values())


def rpcs_of_services(service: str, grpc_services: Iterable[str]) -> list[Rpc]:
    pool = descriptor_pool.Default()
    return [_rpc(service, m) for name in grpc_services if name not in OPEN_SERVICES
            for m in pool.FindServiceByName(name).methods]


def catalogue(services: Sequence[str] = SERVICES) -> list[Rpc]:
    """Every RPC of the given services, as declared by their protos (collection time)."""
    return [rpc for service in services for rpc in rpcs_of_services(service, declared_service_names(service))]


def registered_rpcs(service: str, runtime) -> list[Rpc]:
    """Every RPC the running server registered (its servicers' gRPC services)."""
    _generated_modules(service)
    return rpcs_of_services(service, runtime._service_names)


ALL_RPCS = catalogue()


def rpc_params(rpcs: Iterable[Rpc] = ALL_RPCS):
    """`pytest.mark.parametrize("rpc", rpc_params())` with the method as the test id."""
    import pytest

    return [pytest.param(rpc, id=rpc.id) for rpc in rpcs]


@dataclass
class Outcome:
    """What one call came back with: its status, detail text and the raw responses received."""

    code: grpc.StatusCode
    details: str
    responses: list[bytes]
    error: grpc.RpcError | None = None

    def __str__(self) -> str:
        return f"{self.code.name}: {self.details!r} ({len(self.responses)} response(s))"


def call(channel: grpc.Channel, rpc: Rpc, bodies: bytes | Sequence[bytes], metadata: Sequence[tuple[str, str]] = (),
         timeout: float = CALL_TIMEOUT) -> Outcome:
    """Call `rpc` with raw request bytes (a list of bodies for a client stream)."""
    if isinstance(bodies, (bytes, bytearray)):
        bodies = [bytes(bodies)]
    responses: list[bytes] = []
    kwargs = dict(metadata=tuple(metadata), timeout=timeout)
    try:
        if rpc.client_streaming and rpc.server_streaming:
            for reply in channel.stream_stream(rpc.path)(iter(bodies), **kwargs):
                responses.append(reply)
        elif rpc.client_streaming:
            responses.append(channel.stream_unary(rpc.path)(iter(bodies), **kwargs))
        elif rpc.server_streaming:
            for reply in channel.unary_stream(rpc.path)(bodies[0], **kwargs):
                responses.append(reply)
        else:
            responses.append(channel.unary_unary(rpc.path)(bodies[0], **kwargs))
    except grpc.RpcError as error:
        return Outcome(error.code(), error.details() or "", responses, error)
    return Outcome(grpc.StatusCode.OK, "", responses)


def call_message(channel: grpc.Channel, rpc: Rpc, messages: Message | Sequence[Message],
                 metadata: Sequence[tuple[str, str]] = (), timeout: float = CALL_TIMEOUT) -> Outcome:
    if isinstance(messages, Message):
        messages = [messages]
    return call(channel, rpc, [m.SerializeToString() for m in messages], metadata, timeout)


def bearer(token: str | None) -> list[tuple[str, str]]:
    return [] if token is None else [("authorization", f"Bearer {token}")]
