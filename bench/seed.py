"""Seeds the request-path bench through the public API only, as a branch office would.

Employers (RegisterEmployer), their workers (one BulkEnrolWorkers stream each), then waits
until contributions' read model of membership's events holds every worker, and bills the
period before this month with one billing run followed to its end (WatchBillingRun), so
GetBill and RecordPayment have bills to work on. The claims bench needs the members only
(`seed_members`: employers and workers, no billing).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import grpc

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc, workers_pb2, workers_pb2_grpc
from bench.people import People, person
from bench.request_sources import proto_date
from services.membership.domain.person import Sex

BRANCH = "KC-BINJAI"
ROLES = ("MARKETING_OFFICER", "ADMINISTRATION_OFFICER", "FINANCE_OFFICER")
WORKERS_START = date(2024, 1, 2)


@dataclass
class Seeded:
    npps: list[str]
    kpjs: list[str]
    people: list[tuple[str, date]]  # (NIK, birth date) of the enrolled workers
    bills: list[tuple[str, str]]  # (npp, bill number)
    period: tuple[int, int]
    seconds: dict[str, float] = field(default_factory=dict)


def billed_period(today: date) -> tuple[int, int]:
    """The month before `today`'s: billed in the past, its bills due around now."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.year, last.month


def seed(membership: str, contributions: str, token: str, employers: int, per_employer: int, people: People,
         today: date) -> Seeded:
    metadata = (("authorization", f"Bearer {token}"),)
    period = billed_period(today)
    seconds: dict[str, float] = {}
    with grpc.insecure_channel(membership) as m, grpc.insecure_channel(contributions) as c:
        started = time.monotonic()
        npps = _register_employers(employers_pb2_grpc.EmployerServiceStub(m), metadata, employers)
        seconds["register_employers"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        kpjs, enrolled = _enrol(workers_pb2_grpc.WorkerServiceStub(m), metadata, npps, per_employer, people)
        seconds["bulk_enrol"] = round(time.monotonic() - started, 2)
        billing = billing_pb2_grpc.BillingServiceStub(c)
        started = time.monotonic()
        _wait_read_model(billing, metadata, period, len(kpjs))
        seconds["read_model"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        _bill(billing, metadata, period)
        seconds["billing_run"] = round(time.monotonic() - started, 2)
        bills = _bills(billing, metadata, period)
    if len(bills) < len(npps):
        raise RuntimeError(f"the billing run issued {len(bills)} bills for {len(npps)} employers")
    return Seeded(npps, kpjs, enrolled, bills, period, seconds)


@dataclass
class Members:
    npps: list[str]
    kpjs: list[str]
    seconds: dict[str, float] = field(default_factory=dict)


def seed_members(membership: str, token: str, employers: int, per_employer: int, people: People) -> Members:
    """Employers and their workers (enrolled from WORKERS_START), through membership's API only."""
    metadata = (("authorization", f"Bearer {token}"),)
    seconds: dict[str, float] = {}
    with grpc.insecure_channel(membership) as m:
        started = time.monotonic()
        npps = _register_employers(employers_pb2_grpc.EmployerServiceStub(m), metadata, employers)
        seconds["register_employers"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        kpjs, _ = _enrol(workers_pb2_grpc.WorkerServiceStub(m), metadata, npps, per_employer, people)
        seconds["bulk_enrol"] = round(time.monotonic() - started, 2)
    return Members(npps, kpjs, seconds)


def _register_employers(stub: employers_pb2_grpc.EmployerServiceStub, metadata: tuple[tuple[str, str], ...],
                        count: int) -> list[str]:
    return [stub.RegisterEmployer(employers_pb2.RegisterEmployerRequest(
        request_id=f"bench-employer-{i}", branch_code=BRANCH, legal_name=f"PT Bench Sejahtera {i}", sector="Manufaktur",
        address=f"Jl. Bench {i}, Binjai", registration_date=proto_date(date(2020, 1, 1)), risk_group=1 + i % 5,
        kind=employers_pb2.EMPLOYER_KIND_COMPANY), metadata=metadata, timeout=30).employer.npp for i in range(count)]


def _enrol(stub: workers_pb2_grpc.WorkerServiceStub, metadata: tuple[tuple[str, str], ...], npps: list[str],
           per_employer: int, people: People) -> tuple[list[str], list[tuple[str, date]]]:
    kpjs: list[str] = []
    enrolled: list[tuple[str, date]] = []
    for npp in npps:
        first = people.take(per_employer)
        batch = [person(first + k) for k in range(per_employer)]
        rows = [workers_pb2.BulkEnrolWorkersRequest(row=workers_pb2.BulkEnrolRow(
            row_number=k + 1, nik=p.nik, name=f"Pekerja {first + k}", birth_date=proto_date(p.birth_date),
            sex=workers_pb2.SEX_FEMALE if p.sex is Sex.FEMALE else workers_pb2.SEX_MALE,
            marital_status=workers_pb2.MARITAL_STATUS_SINGLE if k % 3 else workers_pb2.MARITAL_STATUS_MARRIED,
            monthly_wage=types_pb2.Money(rupiah=3_800_000 + 50_000 * (k % 40)), start_date=proto_date(WORKERS_START)))
            for k, p in enumerate(batch)]
        header = workers_pb2.BulkEnrolWorkersRequest(header=workers_pb2.BulkEnrolHeader(request_id=f"bench-bulk-{npp}",
                                                                                          npp=npp))
        for outcome in stub.BulkEnrolWorkers(iter([header, *rows]), metadata=metadata, timeout=600):
            if outcome.outcome != workers_pb2.ENROLMENT_OUTCOME_ENROLLED:
                raise RuntimeError(f"bulk enrolment row {outcome.row_number} of {npp}: "
                                   f"{workers_pb2.EnrolmentOutcome.Name(outcome.outcome)} {list(outcome.reasons)}")
            kpjs.append(outcome.kpj)
            p = batch[outcome.row_number - 1]
            enrolled.append((p.nik, p.birth_date))
    return kpjs, enrolled


def _wait_read_model(stub: billing_pb2_grpc.BillingServiceStub, metadata: tuple[tuple[str, str], ...],
                     period: tuple[int, int], workers: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    active = 0
    while time.monotonic() < deadline:
        active = stub.GetBillingCoverage(billing_pb2.GetBillingCoverageRequest(
            period=types_pb2.Period(year=period[0], month=period[1]), branch_code=BRANCH), metadata=metadata,
            timeout=60).workers_active
        if active >= workers:
            return
        time.sleep(0.5)
    raise RuntimeError(f"contributions' read model holds {active} of {workers} workers after {timeout:.0f} s")


def _bill(stub: billing_pb2_grpc.BillingServiceStub, metadata: tuple[tuple[str, str], ...],
          period: tuple[int, int]) -> None:
    run = stub.StartBillingRun(billing_pb2.StartBillingRunRequest(
        request_id=f"bench-run-{period[0]}-{period[1]}", period=types_pb2.Period(year=period[0], month=period[1]),
        branch_code=BRANCH), metadata=metadata, timeout=60).run
    if run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED:
        return
    for update in stub.WatchBillingRun(billing_pb2.WatchBillingRunRequest(run_id=run.run_id), metadata=metadata,
                                       timeout=600):
        if update.run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED:
            return
    raise RuntimeError(f"billing run {run.run_id} did not complete")


def _bills(stub: billing_pb2_grpc.BillingServiceStub, metadata: tuple[tuple[str, str], ...],
           period: tuple[int, int]) -> list[tuple[str, str]]:
    bills: list[tuple[str, str]] = []
    token = ""
    while True:
        page = stub.ListBills(billing_pb2.ListBillsRequest(
            branch_code=BRANCH, period=types_pb2.Period(year=period[0], month=period[1]),
            page=types_pb2.PageRequest(page_size=500, page_token=token)), metadata=metadata, timeout=60)
        bills.extend((b.npp, b.bill_number) for b in page.bills)
        token = page.page.next_page_token
        if not token:
            return bills
