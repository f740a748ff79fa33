"""Helpers for the employer and PWBD service tests: requests, callers, error details."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, pwbd_pb2_grpc
from services.membership.bootstrap import definition
from tests.service_harness import (  # noqa: F401 - error helpers re-exported for the tests
    Caller, error_details, rule_of, shared_runtime, start_service, token_for, violated_fields,
)

_ids = itertools.count(1)
# A 15-digit NPWP per call: unique within the process, so tests never collide.
_npwps = itertools.count(10_000_000_000_000)


def d(year: int, month: int, day: int) -> types_pb2.Date:
    return types_pb2.Date(year=year, month=month, day=day)


def next_npwp() -> str:
    return str(next(_npwps)).zfill(15)


def register_request(**overrides) -> employers_pb2.RegisterEmployerRequest:
    fields = dict(
        request_id=f"reg-{next(_ids)}", branch_code="KC-BINJAI", legal_name="PT Sawit Makmur",
        sector="Perkebunan", address="Jl. Sudirman No. 12, Binjai", registration_date=d(2024, 3, 1),
        risk_group=3, tax_number=next_npwp(), kind=employers_pb2.EMPLOYER_KIND_COMPANY,
    )
    fields.update(overrides)
    return employers_pb2.RegisterEmployerRequest(**fields)


def employers_of(as_user, office: str, *roles: str):
    return as_user(office, *roles)(employers_pb2_grpc.EmployerServiceStub)


def pwbd_of(as_user, office: str, *roles: str):
    return as_user(office, *roles)(pwbd_pb2_grpc.PwbdServiceStub)


def marketing(as_user, branch: str = "KC-BINJAI"):
    return employers_of(as_user, branch, "MARKETING_OFFICER")


def register(as_user, branch: str = "KC-BINJAI", **overrides) -> employers_pb2.Employer:
    return marketing(as_user, branch).RegisterEmployer(register_request(branch_code=branch, **overrides)).employer


def today() -> date:
    return date.today()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_membership(request, tmp_path_factory):
    """One membership service for a whole module, on each backend: for the many small
    tests (callers x RPCs, bad fields) that each need only a few rows of their own, so
    they do not pay a database and a server each. Such tests must use fresh request
    ids and NPWPs and must not count rows they did not make."""
    yield from shared_runtime(definition(), request, tmp_path_factory)


@pytest.fixture
def as_shared_user(shared_membership):
    """`as_user`, but on the module's shared service."""

    def make(office: str, *roles: str, user: str | None = None) -> Caller:
        return Caller(shared_membership.channel, token_for(office, *roles, user=user))

    return make
