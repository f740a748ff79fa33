"""Helpers for the employer and PWBD service tests: requests, callers, error details."""
from __future__ import annotations

import itertools
import uuid
from datetime import date

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, pwbd_pb2_grpc
from services.membership.bootstrap import definition
from tests.service_harness import Caller, start_service, token_for

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


def _details(error: grpc.RpcError, message_cls):
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
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    return {v.field for bad in _details(error, error_details_pb2.BadRequest) for v in bad.field_violations}


def rule_of(error: grpc.RpcError) -> str:
    """The rule id (ErrorInfo.reason) of a FAILED_PRECONDITION error."""
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error.details()
    return _details(error, error_details_pb2.ErrorInfo)[0].reason


def today() -> date:
    return date.today()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_membership(request, tmp_path_factory):
    """One membership service for a whole module, on each backend: for the many small
    tests (callers x RPCs, bad fields) that each need only a few rows of their own, so
    they do not pay a database and a server each. Such tests must use fresh request
    ids and NPWPs and must not count rows they did not make."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('membership')}/shared.db", None
    else:
        server, name = request.getfixturevalue("postgres_server"), f"test_{uuid.uuid4().hex[:16]}"
        url, drop = server.create_database(name), lambda: server.drop_database(name)
    runtime = start_service(definition(), url)
    with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
        runtime.channel = channel
        yield runtime
    runtime.stop(grace=0)
    if drop is not None:
        drop()


@pytest.fixture
def as_shared_user(shared_membership):
    """`as_user`, but on the module's shared service."""

    def make(office: str, *roles: str, user: str | None = None) -> Caller:
        return Caller(shared_membership.channel, token_for(office, *roles, user=user))

    return make
