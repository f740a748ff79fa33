"""Starting a real service in-process for service tests, and calling it as a given user."""
from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.chassis.auth import mint_service_token, mint_token
from services.chassis.config import DEV_JWT_SECRET, DEV_SERVICE_JWT_SECRET, Settings
from services.chassis.runtime import ServiceDefinition, ServiceRuntime


def test_settings(service: str, database_url: str, bootstrap: str | None = None) -> Settings:
    """Ports picked by the OS; relay and consumers only when a broker is given."""
    return dataclasses.replace(
        Settings.from_env(service),
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap or "127.0.0.1:1",
        grpc_port=0,
        http_port=0,
        relay_enabled=bootstrap is not None,
        consumers_enabled=bootstrap is not None,
        jobs_enabled=False,  # tests run a service's jobs themselves, on their own clock
        jwt_secret=DEV_JWT_SECRET,
        jwt_public_key=None,
        service_jwt_secret=DEV_SERVICE_JWT_SECRET,
        service_jwt_public_key=None,
    )


def start_service(definition: ServiceDefinition, database_url: str, bootstrap: str | None = None, *, http: bool = False) -> ServiceRuntime:
    return ServiceRuntime(definition, test_settings(definition.name, database_url, bootstrap)).start(http=http)


def token_for(office: str, *roles: str, user: str | None = None) -> str:
    level = "HEAD" if office == "KP" else "REGIONAL" if office.startswith("KW") else "BRANCH"
    return mint_token(user_id=user or f"{office.lower()}-{'-'.join(r.lower() for r in roles) or 'none'}",
                      office_code=office, office_level=level, roles=roles, secret=DEV_JWT_SECRET)


def service_token_for(service: str) -> str:
    """A service token of `service` (embedded key), for the calls services make to each other."""
    return mint_service_token(service, secret=DEV_SERVICE_JWT_SECRET)


@dataclass
class Caller:
    """A gRPC stub plus the metadata of one user: `caller.stub.Method(request)` runs as that user."""

    channel: grpc.Channel
    token: str

    def __call__(self, stub_cls):
        return _AuthStub(stub_cls(self.channel), [("authorization", f"Bearer {self.token}")])


class _AuthStub:
    def __init__(self, stub, metadata):
        self._stub = stub
        self._metadata = metadata

    def __getattr__(self, name):
        method = getattr(self._stub, name)

        def call(request, **kwargs):
            kwargs.setdefault("timeout", 30)
            return method(request, metadata=self._metadata, **kwargs)

        return call


def shared_runtime(definition: ServiceDefinition, request, tmp_path_factory):
    """Generator body of a module-scoped fixture parametrised over ["sqlite", "postgres"]:
    one service per test module and backend, for many small tests that each make their
    own rows. Yields the runtime with an open `channel` attribute."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp(definition.name)}/shared.db", None
    else:
        server, name = request.getfixturevalue("postgres_server"), f"test_{uuid.uuid4().hex[:16]}"
        url, drop = server.create_database(name), lambda: server.drop_database(name)
    runtime = start_service(definition, url)
    with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
        runtime.channel = channel
        yield runtime
    runtime.stop(grace=0)
    if drop is not None:
        drop()


def error_details(error: grpc.RpcError, message_cls) -> list:
    """The rich status details of type `message_cls` carried by a failed call."""
    status = rpc_status.from_call(error)
    assert status is not None, "no rich status details"
    found = []
    for detail in status.details:
        message = message_cls()
        if detail.Unpack(message):
            found.append(message)
    return found


def violated_fields(error: grpc.RpcError) -> set[str]:
    """The fields named by the BadRequest detail of an INVALID_ARGUMENT error."""
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (error.code(), error.details())
    return {v.field for bad in error_details(error, error_details_pb2.BadRequest) for v in bad.field_violations}


def rule_of(error: grpc.RpcError) -> str:
    """The rule id (ErrorInfo.reason) of a FAILED_PRECONDITION error."""
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, (error.code(), error.details())
    return error_details(error, error_details_pb2.ErrorInfo)[0].reason


def violation_code_of(error: grpc.RpcError) -> str | None:
    """The machine-readable code beside the rule id (ErrorInfo.metadata["code"]), if any."""
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, (error.code(), error.details())
    return error_details(error, error_details_pb2.ErrorInfo)[0].metadata.get("code")
