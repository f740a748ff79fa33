"""W-S-2, W-K-1 facts arrive over the real broker: an employer registered and a worker
enrolled through membership's API reach welfare's read model through membership's outbox,
the relay, tansu and welfare's consumer (the path every eligibility answer stands on)."""
from __future__ import annotations

import time
from datetime import date

import grpc
import pytest
from sqlalchemy import select

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, workers_pb2, workers_pb2_grpc
from services.membership.bootstrap import definition as membership_definition
from services.membership.domain.nik import make_nik
from services.membership.domain.person import Sex
from services.welfare.adapters.tables import rm_employers, rm_workers
from services.welfare.bootstrap import definition as welfare_definition
from tests.service_harness import Caller, start_service, token_for


def d(day: date) -> types_pb2.Date:
    return types_pb2.Date(year=day.year, month=day.month, day=day.day)


def read_model(welfare, table, key_column, key: str):
    with welfare.app.ctx.base.read_session() as session:
        return session.execute(select(table).where(key_column == key)).first()


@pytest.mark.rule("W-S-2", "W-K-1")
def test_membership_events_reach_welfares_read_model_through_the_broker(restartable_broker, tmp_path):
    bootstrap = restartable_broker.bootstrap_servers  # a broker of its own: the services' topics hold only this test's events
    membership = start_service(membership_definition(), f"sqlite:///{tmp_path}/membership.db", bootstrap)
    welfare = start_service(welfare_definition(), f"sqlite:///{tmp_path}/welfare.db", bootstrap)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{membership.grpc_port}") as channel:
            branch = Caller(channel, token_for("KC-BINJAI", "MARKETING_OFFICER", "ADMINISTRATION_OFFICER"))
            npp = branch(employers_pb2_grpc.EmployerServiceStub).RegisterEmployer(employers_pb2.RegisterEmployerRequest(
                request_id="emp-1", branch_code="KC-BINJAI", legal_name="PT Koperasi Sejahtera", sector="Perkebunan",
                address="Jl. Sudirman 1", registration_date=d(date(2019, 1, 2)), risk_group=2,
                kind=employers_pb2.EMPLOYER_KIND_COMPANY)).employer.npp
            born = date(1988, 4, 5)
            kpj = branch(workers_pb2_grpc.WorkerServiceStub).EnrolWorker(workers_pb2.EnrolWorkerRequest(
                request_id="enrol-1", npp=npp, nik=make_nik("127501", born, Sex.FEMALE, 42), name="Siti Aminah",
                birth_date=d(born), sex=workers_pb2.SEX_FEMALE, marital_status=workers_pb2.MARITAL_STATUS_MARRIED,
                monthly_wage=types_pb2.Money(rupiah=4_500_000), start_date=d(date(2019, 2, 1)))).worker.kpj
        deadline, worker = time.monotonic() + 60, None
        while time.monotonic() < deadline and worker is None:
            worker = read_model(welfare, rm_workers, rm_workers.c.kpj, kpj)
            time.sleep(0.3)
        employer = read_model(welfare, rm_employers, rm_employers.c.npp, npp)
        assert employer is not None and (employer.branch_code, employer.registration_date) == ("KC-BINJAI", date(2019, 1, 2))
        assert worker is not None and (worker.npp, worker.status, worker.name) == (npp, "ACTIVE", "Siti Aminah")
    finally:
        membership.stop(grace=0)
        welfare.stop(grace=0)
