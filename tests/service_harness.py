"""Starting a real service in-process for service tests, and calling it as a given user."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import grpc

from services.chassis.auth import mint_token
from services.chassis.config import DEV_JWT_SECRET, Settings
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
        jwt_secret=DEV_JWT_SECRET,
        jwt_public_key=None,
    )


def start_service(definition: ServiceDefinition, database_url: str, bootstrap: str | None = None, *, http: bool = False) -> ServiceRuntime:
    return ServiceRuntime(definition, test_settings(definition.name, database_url, bootstrap)).start(http=http)


def token_for(office: str, *roles: str, user: str | None = None) -> str:
    level = "HEAD" if office == "KP" else "REGIONAL" if office.startswith("KW") else "BRANCH"
    return mint_token(user_id=user or f"{office.lower()}-{'-'.join(r.lower() for r in roles) or 'none'}",
                      office_code=office, office_level=level, roles=roles, secret=DEV_JWT_SECRET)


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
