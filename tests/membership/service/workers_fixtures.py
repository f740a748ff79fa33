"""Helpers for the worker and card service tests: employers, people, callers, error details.

Employers are registered through the EmployerService RPC (`register_employer`), the one
place to change if employer registration changes.
"""
from __future__ import annotations

import itertools
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import cards_pb2_grpc, employers_pb2, employers_pb2_grpc, workers_pb2, workers_pb2_grpc
from services.membership.adapters import tables
from services.membership.bootstrap import definition
from services.membership.domain.nik import make_nik
from services.membership.domain.person import Sex
from tests.service_harness import (  # noqa: F401 - error helpers re-exported for the tests
    Caller, error_details, rule_of, shared_runtime, start_service, token_for, violated_fields,
)

ADMIN = "ADMINISTRATION_OFFICER"
_ids = itertools.count(1)
_people = itertools.count(1)

BORN = date(1990, 2, 3)
START = date(2020, 1, 6)


def d(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


def money(rupiah: int) -> types_pb2.Money:
    return types_pb2.Money(rupiah=rupiah)


def request_id(prefix: str = "rq") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_nik(birth: date = BORN, sex: Sex = Sex.FEMALE) -> str:
    """A NIK no other test uses: the district and serial come from a process-wide counter."""
    n = next(_people)
    return make_nik(f"1275{n // 9999 % 99 + 1:02d}", birth, sex, n % 9999 + 1)


def register_employer(as_user, branch: str = "KC-BINJAI", kind=employers_pb2.EMPLOYER_KIND_COMPANY,
                      name: str = "PT Sawit Makmur") -> str:
    """A new employer of `branch` (registered by its marketing officer); returns its NPP."""
    stub = as_user(branch, "MARKETING_OFFICER")(employers_pb2_grpc.EmployerServiceStub)
    response = stub.RegisterEmployer(employers_pb2.RegisterEmployerRequest(
        request_id=request_id("emp"), branch_code=branch, legal_name=f"{name} {next(_ids)}", sector="Perkebunan",
        address="Jl. Sudirman No. 12", registration_date=d(date(2019, 1, 2)), risk_group=3, kind=kind,
    ))
    return response.employer.npp


def enrol_request(npp: str, *, born: date = BORN, female: bool = True, nik: str | None = None,
                  **overrides) -> workers_pb2.EnrolWorkerRequest:
    """A valid request for a new person (born `born`), any field overridable."""
    fields = dict(
        request_id=request_id("enrol"), npp=npp, nik=nik or new_nik(born, Sex.FEMALE if female else Sex.MALE),
        name="Siti Aminah" if female else "Budi Santoso",
        birth_date=d(born), sex=workers_pb2.SEX_FEMALE if female else workers_pb2.SEX_MALE,
        marital_status=workers_pb2.MARITAL_STATUS_MARRIED, monthly_wage=money(3_500_000), start_date=d(START),
    )
    fields.update(overrides)
    return workers_pb2.EnrolWorkerRequest(**fields)


def workers_of(as_user, office: str = "KC-BINJAI", *roles: str):
    return as_user(office, *(roles or (ADMIN,)))(workers_pb2_grpc.WorkerServiceStub)


def cards_of(as_user, office: str = "KC-BINJAI", *roles: str):
    return as_user(office, *(roles or (ADMIN,)))(cards_pb2_grpc.CardServiceStub)


def enrol(as_user, npp: str, office: str = "KC-BINJAI", **overrides) -> workers_pb2.EnrolWorkerResponse:
    return workers_of(as_user, office).EnrolWorker(enrol_request(npp, **overrides))


def outbox_events(runtime, kpj: str | None = None) -> list[str]:
    """Event types in the service's outbox (for one KPJ), oldest first."""
    outbox = runtime.app.ctx.base.tables["outbox"]
    statement = select(outbox.c.event_type).order_by(outbox.c.id)
    if kpj is not None:
        statement = statement.where(outbox.c.message_key == kpj)
    with runtime.app.ctx.base.read_session() as session:
        return [t.rsplit(".", 1)[-1] for t in session.execute(statement).scalars()]


def outbox_envelopes(runtime, kpj: str):
    from services.chassis.events import parse_envelope

    outbox = runtime.app.ctx.base.tables["outbox"]
    with runtime.app.ctx.base.read_session() as session:
        raw = session.execute(select(outbox.c.envelope).where(outbox.c.message_key == kpj).order_by(outbox.c.id)).scalars()
        return [parse_envelope(r) for r in raw]


def count_rows(runtime, table) -> int:
    with runtime.app.ctx.base.read_session() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_service(request, tmp_path_factory):
    """One membership service per test module and backend, for the many small tests that
    each make their own employers and workers (fresh NIKs, request ids) and never count
    rows they did not make."""
    yield from shared_runtime(definition(), request, tmp_path_factory)


@pytest.fixture
def caller(shared_service):
    """`caller("KC-BINJAI", "ADMINISTRATION_OFFICER")(WorkerServiceStub).GetWorker(...)` on the shared service."""

    def make(office: str, *roles: str, user: str | None = None) -> Caller:
        return Caller(shared_service.channel, token_for(office, *roles, user=user))

    return make


@pytest.fixture(scope="module")
def binjai_npp(shared_service) -> str:
    """A KC-BINJAI company on the shared service, for tests that need any employer."""

    def make(office: str, *roles: str, user: str | None = None) -> Caller:
        return Caller(shared_service.channel, token_for(office, *roles, user=user))

    return register_employer(make)


__all__ = ["tables"]
