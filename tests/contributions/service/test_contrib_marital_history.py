"""Marital status history from membership to billing (M-6, C-4): contributions ends with the
status history membership keeps, whatever order the reports were entered in.

Membership's own events (real RPCs on the membership service, taken from its outbox) are
applied by contributions' consumer; billing a period then prices JPK (3% single, 6% married,
on a wage capped at Rp1,000,000) by the status membership shows for that period's days.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from jamsos.membership.v1 import events_pb2, workers_pb2
from services.chassis.events import unpack_payload
from services.contributions.adapters.tables import membership
from tests.contributions.service.read_model_support import (
    Feed, employer_registered, family_changed, office_tree, worker_enrolled,
)
from tests.membership.service.workers_fixtures import (  # noqa: F401 - membership's fixtures, used here
    binjai_npp, caller, d, enrol, outbox_envelopes, request_id, shared_service, workers_of,
)

SINGLE, MARRIED, DIVORCED = (workers_pb2.MARITAL_STATUS_SINGLE, workers_pb2.MARITAL_STATUS_MARRIED,
                             workers_pb2.MARITAL_STATUS_DIVORCED)
SPOUSE = workers_pb2.FamilyMember(name="Ahmad", relation=workers_pb2.RELATION_SPOUSE, birth_date=d(date(1988, 5, 5)))
JPK_SINGLE, JPK_MARRIED = 30_000, 60_000  # 3% and 6% of the capped 1,000,000 (a wage of 3,500,000)


@pytest.fixture
def billing(as_user):
    return as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)


def bill(stub, month: int) -> None:
    stub.StartBillingRun(billing_pb2.StartBillingRunRequest(
        request_id=f"run-2024-{month}", period=types_pb2.Period(year=2024, month=month), branch_code="KC-BINJAI"))


def net_jpk(stub, npp: str, kpj: str, month: int) -> int:
    """JPK billed for the worker and period over the bill and its corrections."""
    bills = stub.ListBills(billing_pb2.ListBillsRequest(npp=npp, period=types_pb2.Period(year=2024, month=month))).bills
    return sum(line.amount.rupiah for b in bills
               for line in stub.GetBill(billing_pb2.GetBillRequest(bill_number=b.bill_number)).bill.lines
               if line.kpj == kpj and line.program == "JPK")


def marital_rows(contributions, kpj: str) -> list[tuple[date, str]]:
    m = membership.tables.marital
    with contributions.app.ctx.base.read_session() as session:
        return [tuple(r) for r in session.execute(select(m.c.effective_date, m.c.marital_status)
                                                  .where(m.c.kpj == kpj).order_by(m.c.effective_date))]


@pytest.mark.rule("M-6", "C-4")
def test_m6_contributions_ends_with_membership_s_status_history_whatever_the_report_order(
        shared_service, caller, binjai_npp, contributions, billing):  # noqa: F811 - the imported fixtures
    workers = workers_of(caller)
    kpj = enrol(caller, binjai_npp, marital_status=SINGLE).worker.kpj  # from 2020-01-06, born 1990-02-03
    feed = Feed(contributions)
    envelopes = outbox_envelopes(shared_service, kpj)
    feed(office_tree(), employer_registered(binjai_npp), *envelopes)
    bill(billing, 3), bill(billing, 6)
    assert (net_jpk(billing, binjai_npp, kpj, 3), net_jpk(billing, binjai_npp, kpj, 6)) == (JPK_SINGLE, JPK_SINGLE)

    def marital(status: int, since: date) -> None:
        workers.ChangeMaritalStatus(workers_pb2.ChangeMaritalStatusRequest(
            request_id=request_id("ms"), kpj=kpj, marital_status=status, effective_date=d(since)))

    marital(MARRIED, date(2019, 6, 1))  # reported late: married before the enrolment
    workers.ChangeFamily(workers_pb2.ChangeFamilyRequest(request_id=request_id("fam"), kpj=kpj, members=[SPOUSE]))
    marital(DIVORCED, date(2024, 4, 1))  # dated before the family list change, entered after it
    changes = outbox_envelopes(shared_service, kpj)[len(envelopes):]
    published = [unpack_payload(e, events_pb2.WorkerFamilyChanged) for e in changes]
    # Each names its entry of the history: the family list change the marriage's, not its own day.
    assert [(p.marital_status, (p.marital_status_since.year, p.marital_status_since.month, p.marital_status_since.day))
            for p in published] == [(MARRIED, (2019, 6, 1)), (MARRIED, (2019, 6, 1)), (DIVORCED, (2024, 4, 1))]
    assert feed(*changes) == ["applied"] * 3

    # Membership's history: SINGLE from birth, MARRIED from 2019-06-01, DIVORCED from 2024-04-01.
    def status_on(day: date) -> int:
        return workers.GetFamily(workers_pb2.GetFamilyRequest(kpj=kpj, on_date=d(day))).marital_status

    assert [status_on(day) for day in (date(2019, 5, 31), date(2024, 3, 31), date(2024, 6, 1))] == [
        SINGLE, MARRIED, DIVORCED]
    assert marital_rows(contributions, kpj) == [
        (date(1990, 2, 3), "SINGLE"), (date(2019, 6, 1), "MARRIED"), (date(2024, 4, 1), "DIVORCED")]
    # March 2024 was married: corrected by +30,000; June divorced again: back to the single rate.
    assert (net_jpk(billing, binjai_npp, kpj, 3), net_jpk(billing, binjai_npp, kpj, 6)) == (JPK_MARRIED, JPK_SINGLE)
    bill(billing, 5)  # a period billed after the events, on a past date: divorced
    assert net_jpk(billing, binjai_npp, kpj, 5) == JPK_SINGLE


@pytest.mark.rule("M-6", "C-4")
def test_m6_an_older_dated_report_arriving_after_a_newer_one_fills_only_the_gap(contributions, billing):
    kpj, npp = "20000000001", "10000001"
    feed = Feed(contributions)
    feed(office_tree(), employer_registered(npp), worker_enrolled(kpj, npp, 4_000_000, start=date(2024, 1, 2)))
    for month in (2, 3, 4, 5):
        bill(billing, month)
    # The divorce from 1 April reached contributions first, the marriage from 1 February after it.
    assert feed(family_changed(kpj, npp, "DIVORCED", date(2024, 4, 1)),
                family_changed(kpj, npp, "MARRIED", date(2024, 2, 1))) == ["applied", "applied"]
    assert [net_jpk(billing, npp, kpj, month) for month in (2, 3, 4, 5)] == [
        JPK_MARRIED, JPK_MARRIED, JPK_SINGLE, JPK_SINGLE]
    # A family list change in June names the divorce's entry: nothing changes, nothing is billed.
    before = marital_rows(contributions, kpj)
    assert feed(family_changed(kpj, npp, "DIVORCED", date(2024, 6, 10), since=date(2024, 4, 1))) == ["applied"]
    assert marital_rows(contributions, kpj) == before
    assert len(billing.ListBills(billing_pb2.ListBillsRequest(npp=npp)).bills) == 6  # 4 bills, 2 corrections
