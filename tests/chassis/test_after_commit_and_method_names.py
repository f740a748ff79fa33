"""After-commit work (business counts, cache invalidation) runs once a change is durable,
and a mutation is named from the contract instead of a hand-typed string."""
from __future__ import annotations

import pytest
from google.protobuf import struct_pb2
from sqlalchemy import MetaData, create_engine

from jamsos.contributions.v1 import payments_pb2
from jamsos.membership.v1 import offices_pb2
from services.chassis import metrics
from services.chassis.application import Application
from services.chassis.context import Principal, request_context
from services.chassis.database import make_session_factory
from services.chassis.idempotency import method_of
from services.chassis.tables import add_platform_tables


@pytest.fixture
def app(tmp_path):
    metadata = MetaData()
    tables = add_platform_tables(metadata)
    engine = create_engine(f"sqlite:///{tmp_path}/a.db")
    metadata.create_all(engine)
    yield Application("membership", engine, make_session_factory(engine), tables)
    engine.dispose()


def counted(operation: str) -> float:
    return metrics.BUSINESS_EVENTS.labels("membership", operation)._value.get()


def test_after_commit_runs_after_a_commit_and_never_after_a_rollback(app):
    ran: list[str] = []
    with app.unit_of_work() as uow:
        uow.after_commit(lambda: ran.append("kept"))
        with pytest.raises(ValueError), uow.savepoint():
            uow.after_commit(lambda: ran.append("undone with its savepoint"))
            raise ValueError("this part fails alone")
        assert ran == []
        uow.commit()
    with app.unit_of_work() as uow:
        uow.after_commit(lambda: ran.append("rolled back"))
    assert ran == ["kept"]


def test_a_business_count_is_made_once_even_when_the_request_is_retried(app):
    request = offices_pb2.UpsertOfficeRequest(request_id="r-1")
    before = counted("office_changed_test")

    def use_case(uow):
        uow.count("office_changed_test")
        return offices_pb2.UpsertOfficeResponse()

    caller = Principal("ani", "KP", "HEAD", frozenset({"HEAD_OFFICE_ADMIN"}))
    with request_context(caller, "c"):
        app.mutation(request, offices_pb2.UpsertOfficeResponse, use_case)
        app.mutation(request, offices_pb2.UpsertOfficeResponse, use_case)
    assert counted("office_changed_test") == before + 1


def test_a_mutation_is_named_by_the_method_its_request_belongs_to():
    assert method_of(offices_pb2.UpsertOfficeRequest.DESCRIPTOR) == "OfficeService/UpsertOffice"
    assert method_of(payments_pb2.RecordPaymentRequest.DESCRIPTOR) == "PaymentService/RecordPayment"
    with pytest.raises(ValueError):
        method_of(struct_pb2.Struct.DESCRIPTOR)  # the request of no method: name it yourself
