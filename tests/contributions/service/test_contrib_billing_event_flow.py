"""Event flow over a real broker: membership's events feed contributions' read model, a
billing run's branch jobs are claimed by contributions' job workers, a back-dated wage
change becomes a correction bill (C-5, C-6a, M-1, M-3)."""
from __future__ import annotations

import uuid

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, workers_pb2, workers_pb2_grpc
from services.membership.bootstrap import definition as membership_definition
from tests.chassis.eventing import eventually
from tests.contributions.service.billing_workers import start_with_job_workers
from tests.service_harness import Caller, start_service, token_for

pytestmark = pytest.mark.kafka


@pytest.fixture
def membership_url(database_url, tmp_path, request):
    """A database of membership's own next to the contributions one (same backend)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/membership.db"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"test_m_{uuid.uuid4().hex[:12]}"
    yield server.create_database(name)
    server.drop_database(name)


@pytest.fixture
def services(database_url, membership_url, kafka_broker):
    membership = start_service(membership_definition(), membership_url, kafka_broker.bootstrap_servers)
    contributions = start_with_job_workers(database_url, kafka_broker.bootstrap_servers)
    yield membership, contributions
    contributions.stop(grace=0)
    membership.stop(grace=0)


def caller(runtime, office, role):
    channel = grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}")
    return lambda stub: Caller(channel, token_for(office, role))(stub)


def date_(y, m, d):
    return types_pb2.Date(year=y, month=m, day=d)


@pytest.mark.rule("C-5")
def test_c5_membership_events_to_bills_and_a_correction_through_the_broker(services):
    membership, contributions = services
    marketing = caller(membership, "KC-BINJAI", "MARKETING_OFFICER")(employers_pb2_grpc.EmployerServiceStub)
    admin = caller(membership, "KC-BINJAI", "ADMINISTRATION_OFFICER")(workers_pb2_grpc.WorkerServiceStub)
    billing = caller(contributions, "KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)

    npp = marketing.RegisterEmployer(employers_pb2.RegisterEmployerRequest(
        request_id="e-1", branch_code="KC-BINJAI", legal_name="PT Sumber Makmur", sector="Manufaktur", address="Jl. Gatot 7",
        registration_date=date_(2024, 1, 2), risk_group=3, kind=employers_pb2.EMPLOYER_KIND_COMPANY)).employer.npp
    kpj = admin.EnrolWorker(workers_pb2.EnrolWorkerRequest(
        request_id="w-1", npp=npp, nik="1275010101900001", name="Budi Santoso", birth_date=date_(1990, 1, 1),
        sex=workers_pb2.SEX_MALE, marital_status=workers_pb2.MARITAL_STATUS_MARRIED,
        monthly_wage=types_pb2.Money(rupiah=5_000_000), start_date=date_(2024, 1, 2))).worker.kpj

    def billed() -> bool:  # the read model has the worker once membership's events are consumed
        run = billing.StartBillingRun(billing_pb2.StartBillingRunRequest(
            request_id=f"run-{uuid.uuid4().hex}", period=types_pb2.Period(year=2024, month=3), branch_code="KC-BINJAI")).run
        eventually(lambda: billing.GetBillingRun(billing_pb2.GetBillingRunRequest(run_id=run.run_id)).run.status
                   == billing_pb2.BILLING_RUN_STATUS_COMPLETED, timeout=30)
        return any(b.bill_number == f"SPI-202403-{npp}" for b in billing.ListBills(billing_pb2.ListBillsRequest(npp=npp)).bills)

    eventually(billed, timeout=60, interval=0.5)
    bill = billing.GetBill(billing_pb2.GetBillRequest(bill_number=f"SPI-202403-{npp}")).bill
    assert bill.employer_name == "PT Sumber Makmur" and bill.total.rupiah == 404_500  # C-1..C-4 of 5,000,000, group III, married
    assert {l.kpj for l in bill.lines} == {kpj}

    admin.ChangeWage(workers_pb2.ChangeWageRequest(request_id="c-1", kpj=kpj, monthly_wage=types_pb2.Money(rupiah=6_000_000),
                                                   effective_date=date_(2024, 3, 1)))

    def corrected() -> bool:
        return len(billing.ListBills(billing_pb2.ListBillsRequest(npp=npp)).bills) == 2

    eventually(corrected, timeout=60, interval=0.5)
    correction = billing.GetBill(billing_pb2.GetBillRequest(bill_number=f"SPI-202403-{npp}-K1")).bill
    assert correction.total.rupiah == 68_900  # +1,000,000: 37,000 + 20,000 + 8,900 (JKK III) + 3,000; JPK at its cap
    assert billing.GetBill(billing_pb2.GetBillRequest(bill_number=f"SPI-202403-{npp}")).bill == bill
