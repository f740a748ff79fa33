"""Fixtures for contributions service tests: the real service on SQLite and PostgreSQL."""
from __future__ import annotations

import grpc
import pytest

from services.contributions.bootstrap import definition
from tests.service_harness import Caller, start_service, token_for


@pytest.fixture
def contributions(database_url):
    runtime = start_service(definition(), database_url)
    yield runtime
    runtime.stop(grace=0)


@pytest.fixture
def contributions_channel(contributions):
    with grpc.insecure_channel(f"127.0.0.1:{contributions.grpc_port}") as channel:
        yield channel


@pytest.fixture
def as_user(contributions_channel):
    """`as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(SomeServiceStub).Method(req)`."""

    def make(office: str, *roles: str, user: str | None = None) -> Caller:
        return Caller(contributions_channel, token_for(office, *roles, user=user))

    return make


@pytest.fixture
def payments(contributions, as_user):
    """The branch finance officer's PaymentService, the KC-BINJAI employer known, on 30 June 2021."""
    from datetime import date

    from jamsos.contributions.v1 import payments_pb2_grpc
    from tests.contributions.service.money_fixtures import FINANCE, add_employer, set_today

    add_employer(contributions)
    set_today(contributions, date(2021, 6, 30))
    return as_user(*FINANCE)(payments_pb2_grpc.PaymentServiceStub)
