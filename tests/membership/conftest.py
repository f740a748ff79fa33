"""Fixtures for membership service tests: the real service on SQLite and PostgreSQL."""
from __future__ import annotations

import grpc
import pytest

from services.membership.bootstrap import definition
from tests.service_harness import Caller, start_service, token_for


@pytest.fixture
def membership(database_url):
    runtime = start_service(definition(), database_url)
    yield runtime
    runtime.stop(grace=0)


@pytest.fixture
def membership_channel(membership):
    with grpc.insecure_channel(f"127.0.0.1:{membership.grpc_port}") as channel:
        yield channel


@pytest.fixture
def as_user(membership_channel):
    """`as_user("KC-BINJAI", "MARKETING_OFFICER")(EmployerServiceStub).RegisterEmployer(req)`."""

    def make(office: str, *roles: str, user: str | None = None) -> Caller:
        return Caller(membership_channel, token_for(office, *roles, user=user))

    return make
