"""The membership read model (events applied through the consumer's inbox, no broker): O-2, M-4, M-8."""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from jamsos.membership.v1 import events_pb2, offices_pb2
from services.contributions.adapters.tables import rm_employers, rm_employments, rm_worker_wages, rm_workers
from tests.contributions.service.read_model_support import (
    Feed, employer_registered, envelope, office_tree, wage_changed, worker_died, worker_enrolled, worker_terminated,
    worker_transferred,
)


@pytest.fixture
def feed(contributions):
    return Feed(contributions)


def run(as_user, year: int, month: int, request_id: str | None = None):
    stub = as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    return stub.StartBillingRun(billing_pb2.StartBillingRunRequest(
        request_id=request_id or f"run-{year}-{month}", period=types_pb2.Period(year=year, month=month),
        branch_code="KC-BINJAI")).run


def billed(as_user, npp: str, year: int, month: int) -> dict[str, int]:
    """KPJ -> JHT employer share on the employer's regular bill of the period (empty: no bill)."""
    stub = as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    try:
        bill = stub.GetBill(billing_pb2.GetBillRequest(bill_number=f"SPI-{year:04d}{month:02d}-{npp}")).bill
    except grpc.RpcError as err:
        assert err.code() == grpc.StatusCode.NOT_FOUND
        return {}
    return {l.kpj: l.amount.rupiah for l in bill.lines if (l.program, l.payer) == ("JHT", "EMPLOYER")}


def table_counts(contributions) -> tuple[int, ...]:
    with contributions.app.ctx.base.read_session() as session:
        return tuple(session.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (rm_employers, rm_workers, rm_employments, rm_worker_wages))


def test_read_model_a_redelivered_event_is_applied_once(feed, contributions):
    registered = envelope(employer_registered("10000001"))
    enrolled = envelope(worker_enrolled("20000000001", "10000001", 4_000_000))
    assert feed(registered, enrolled) == ["applied", "applied"]
    assert feed(registered, enrolled) == ["duplicate", "duplicate"]  # the inbox drops redeliveries
    # Even a re-published copy (new event id) changes nothing: writes are upserts on natural keys.
    assert feed(employer_registered("10000001"), worker_enrolled("20000000001", "10000001", 4_000_000)) == ["applied"] * 2
    assert table_counts(contributions) == (1, 1, 1, 1)


def test_read_model_a_back_dated_wage_change_lands_in_its_own_periods(feed, as_user):
    feed(office_tree(), employer_registered("10000001"),
         worker_enrolled("20000000001", "10000001", 4_000_000, start=date(2024, 1, 2)),
         wage_changed("20000000001", "10000001", 6_000_000, date(2024, 5, 1)),
         wage_changed("20000000001", "10000001", 5_000_000, date(2024, 3, 10)))  # arrives last, effective earlier
    for month in (2, 3, 4, 5):
        run(as_user, 2024, month)
    # JHT employer 3.7%: February 4,000,000; March and April 5,000,000 (in force at the month's end); May 6,000,000.
    assert [billed(as_user, "10000001", 2024, m)["20000000001"] for m in (2, 3, 4, 5)] == [148_000, 185_000, 185_000, 222_000]


@pytest.mark.rule("M-8")
def test_m8_employments_from_enrolment_transfer_termination_and_death(feed, as_user):
    feed(office_tree(), employer_registered("10000001"), employer_registered("10000002"),
         worker_enrolled("20000000001", "10000001", 4_000_000, start=date(2024, 1, 2)),
         worker_enrolled("20000000002", "10000001", 4_000_000, start=date(2024, 1, 2)),
         worker_enrolled("20000000003", "10000001", 4_000_000, start=date(2024, 1, 2)),
         worker_enrolled("20000000004", "10000002", 4_000_000, start=date(2024, 3, 20)),
         worker_terminated("20000000001", "10000001", date(2024, 2, 20)),
         worker_transferred("20000000002", "10000002", "10000001", 5_000_000, start=date(2024, 3, 10)),
         worker_died("20000000003", "10000001", date(2024, 2, 5)))
    run(as_user, 2024, 2)
    run(as_user, 2024, 3)
    assert sorted(billed(as_user, "10000001", 2024, 2)) == ["20000000001", "20000000002", "20000000003"]
    assert billed(as_user, "10000001", 2024, 3) == {}  # terminated, transferred away, deceased
    # The transfer (mutasi) in March bills the new employer only, on the new wage; a March starter is billed for March.
    assert billed(as_user, "10000002", 2024, 3) == {"20000000002": 185_000, "20000000004": 148_000}
    assert billed(as_user, "10000002", 2024, 2) == {}


@pytest.mark.rule("O-2")
def test_o2_office_tree_changed_replaces_the_tree_the_branch_scope_uses(feed, as_user):
    feed(employer_registered("10000001"), worker_enrolled("20000000001", "10000001", 4_000_000))
    run(as_user, 2024, 3)
    number = billing_pb2.GetBillRequest(bill_number="SPI-202403-10000001")

    def regional(office):
        return as_user(office, "REGIONAL_OFFICER")(billing_pb2_grpc.BillingServiceStub)

    with pytest.raises(grpc.RpcError) as err:  # no tree replicated yet: a region oversees nothing
        regional("KW-SUMBAGUT").GetBill(number)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    feed(office_tree())
    assert regional("KW-SUMBAGUT").GetBill(number).bill.npp == "10000001"
    moved = office_tree()
    for office in moved.offices:
        if office.code == "KC-BINJAI":
            office.parent_code = "KW-DKI"
    feed(events_pb2.OfficeTreeChanged(offices=[*moved.offices, offices_pb2.Office(
        code="KC-TEBING", name="Tebing Tinggi", level=offices_pb2.OFFICE_LEVEL_BRANCH, parent_code="KW-SUMBAGUT")]))
    assert regional("KW-DKI").GetBill(number).bill.npp == "10000001"
    with pytest.raises(grpc.RpcError) as err:
        regional("KW-SUMBAGUT").GetBill(number)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
