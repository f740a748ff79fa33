"""Requests of the request-path bench, built inside the load generator processes.

Lookups are cycled (`loadgen.Cycle`); mutations are distinct per call, as a real client's
would be: each EnrolWorker a new person (bench/people.py) and request id, each
RecordPayment a new bank reference paying a small part of one of the seeded bills. The
parent reserves each process's block of numbers, so no two calls share one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import payments_pb2
from jamsos.membership.v1 import workers_pb2
from bench.people import person
from services.membership.domain.person import Sex


def proto_date(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


def enrol_request(npp: str, number: int, start: date, tag: str) -> workers_pb2.EnrolWorkerRequest:
    """EnrolWorker of person `number` at employer `npp`."""
    p = person(number)
    return workers_pb2.EnrolWorkerRequest(
        request_id=f"bench-{tag}-enrol-{number}", npp=npp, nik=p.nik, name=f"Pekerja {number}",
        birth_date=proto_date(p.birth_date), sex=workers_pb2.SEX_FEMALE if p.sex is Sex.FEMALE else workers_pb2.SEX_MALE,
        marital_status=workers_pb2.MARITAL_STATUS_MARRIED, monthly_wage=types_pb2.Money(rupiah=4_500_000 + number % 1000),
        start_date=proto_date(start))


def payment_request(npp: str, bill_number: str, number: int, paid_on: date, rupiah: int,
                    tag: str) -> payments_pb2.RecordPaymentRequest:
    """RecordPayment number `number`: `rupiah` towards one bill, a bank reference of its own."""
    return payments_pb2.RecordPaymentRequest(
        request_id=f"bench-{tag}-pay-{number}", bank_reference=f"BENCH-{tag}-{number}",
        amount=types_pb2.Money(rupiah=rupiah), paid_on=proto_date(paid_on), npp=npp, bill_number=bill_number)


@dataclass(frozen=True)
class EnrolRequests:
    """Distinct enrolments: process p enrols persons first + p * per_process + k, spread over the employers."""

    npps: tuple[str, ...]
    first: int
    per_process: int
    start: date
    tag: str
    reusable: bool = False

    def build(self, process: int, processes: int, count: int) -> Sequence[bytes]:
        base = self.first + process * self.per_process
        return [enrol_request(self.npps[(base + k) % len(self.npps)], base + k, self.start, self.tag).SerializeToString()
                for k in range(min(count, self.per_process))]


@dataclass(frozen=True)
class PaymentRequests:
    """Distinct partial payments: process p pays numbers first + p * per_process + k, round the bills."""

    bills: tuple[tuple[str, str], ...]  # (npp, bill number)
    first: int
    per_process: int
    paid_on: date
    rupiah: int
    tag: str
    reusable: bool = False

    def build(self, process: int, processes: int, count: int) -> Sequence[bytes]:
        base = self.first + process * self.per_process
        requests = []
        for k in range(min(count, self.per_process)):
            npp, bill = self.bills[(base + k) % len(self.bills)]
            requests.append(payment_request(npp, bill, base + k, self.paid_on, self.rupiah, self.tag).SerializeToString())
        return requests
