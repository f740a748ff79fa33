"""Correction bills (C-5): a back-dated change of a billed period is billed as a difference, never rewritten."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc, events_pb2
from services.chassis.events import unpack_payload
from tests.contributions.service.read_model_support import (
    Feed, employer_registered, envelope, family_changed, office_tree, risk_group_changed, wage_changed, worker_enrolled,
)

KPJ, NPP = "20000000001", "10000001"


@pytest.fixture
def feed(contributions):
    feed = Feed(contributions)
    feed(office_tree(), employer_registered(NPP), worker_enrolled(KPJ, NPP, 4_000_000, start=date(2024, 1, 2)))
    return feed


@pytest.fixture
def stub(as_user):
    return as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)


def bill_months(stub, *months: int) -> None:
    for month in months:
        stub.StartBillingRun(billing_pb2.StartBillingRunRequest(
            request_id=f"run-{month}", period=types_pb2.Period(year=2024, month=month), branch_code="KC-BINJAI"))


def get(stub, number: str) -> billing_pb2.Bill:
    return stub.GetBill(billing_pb2.GetBillRequest(bill_number=number)).bill


def lines(bill) -> dict[tuple[str, str, str], int]:
    return {(l.kpj, l.program, l.payer): l.amount.rupiah for l in bill.lines}


def issued_events(contributions) -> list[events_pb2.BillIssued]:
    from jamsos.common.v1 import envelope_pb2

    outbox = contributions.app.ctx.base.tables["outbox"]
    with contributions.app.ctx.base.read_session() as session:
        raw = session.execute(select(outbox.c.envelope).order_by(outbox.c.id)).scalars().all()
    envelopes = [envelope_pb2.EventEnvelope.FromString(bytes(r)) for r in raw]
    return [unpack_payload(e, events_pb2.BillIssued) for e in envelopes if e.event_type.endswith("BillIssued")]


@pytest.mark.rule("C-5")
def test_c5_back_dated_wage_raise_gives_correction_bills_and_keeps_the_billed_ones(feed, stub, contributions):
    bill_months(stub, 2, 3, 4)
    march_before = get(stub, "SPI-202403-10000001")
    feed(wage_changed(KPJ, NPP, 5_000_000, date(2024, 3, 1), previous=4_000_000))
    assert get(stub, "SPI-202403-10000001") == march_before  # never rewritten
    for month in (3, 4):
        correction = get(stub, f"SPI-2024{month:02d}-10000001-K1")
        assert (correction.kind, correction.sequence, correction.status) == (billing_pb2.BILL_KIND_CORRECTION, 1, "OPEN")
        # +1,000,000 of wage: JHT 3.7% and 2%, JKK I 0.24%, JK 0.3%; JPK is at its cap already (C-4).
        assert lines(correction) == {(KPJ, "JHT", "EMPLOYER"): 37_000, (KPJ, "JHT", "WORKER"): 20_000,
                                     (KPJ, "JKK", "EMPLOYER"): 2_400, (KPJ, "JK", "EMPLOYER"): 3_000}
        assert correction.total.rupiah == 62_400 and correction.worker_share.rupiah == 20_000
        assert date(correction.due_date.year, correction.due_date.month, correction.due_date.day) >= date(2024, 5, 15)
    assert [e.bill_number for e in issued_events(contributions) if e.kind == "CORRECTION"] == [
        "SPI-202403-10000001-K1", "SPI-202404-10000001-K1"]
    feed(wage_changed(KPJ, NPP, 6_000_000, date(2024, 4, 1)))  # a second change: the next sequence, April only
    assert lines(get(stub, "SPI-202404-10000001-K2"))[(KPJ, "JHT", "EMPLOYER")] == 37_000
    listed = stub.ListBills(billing_pb2.ListBillsRequest(npp=NPP, period=types_pb2.Period(year=2024, month=4))).bills
    assert [b.bill_number for b in listed] == ["SPI-202404-10000001", "SPI-202404-10000001-K1", "SPI-202404-10000001-K2"]


@pytest.mark.rule("C-5")
def test_c5_a_redelivered_wage_change_corrects_once(feed, stub):
    bill_months(stub, 3)
    change = envelope(wage_changed(KPJ, NPP, 5_000_000, date(2024, 3, 1)))
    assert feed(change, change) == ["applied", "duplicate"]
    assert len(stub.ListBills(billing_pb2.ListBillsRequest(npp=NPP)).bills) == 2


@pytest.mark.rule("C-5")
def test_c5_a_wage_cut_gives_a_credit_bill_and_a_change_after_the_billed_periods_none(feed, stub):
    bill_months(stub, 3)
    feed(wage_changed(KPJ, NPP, 3_000_000, date(2024, 3, 15)), wage_changed(KPJ, NPP, 3_500_000, date(2024, 4, 1)))
    credit = get(stub, "SPI-202403-10000001-K1")
    assert credit.status == "CREDIT" and credit.total.rupiah == -62_400
    assert len(stub.ListBills(billing_pb2.ListBillsRequest(npp=NPP)).bills) == 2  # April was not billed: no correction
    bill_months(stub, 4)
    assert lines(get(stub, "SPI-202404-10000001"))[(KPJ, "JHT", "EMPLOYER")] == 129_500  # 3.7% of 3,500,000


@pytest.mark.rule("C-4")
def test_c4_a_back_dated_marriage_corrects_jpk_from_3_to_6_percent(feed, stub):
    bill_months(stub, 3)
    feed(family_changed(KPJ, NPP, "MARRIED", date(2024, 3, 1)))
    assert lines(get(stub, "SPI-202403-10000001-K1")) == {(KPJ, "JPK", "EMPLOYER"): 30_000}


@pytest.mark.rule("C-3")
def test_c3_a_back_dated_risk_group_change_corrects_jkk_of_every_worker(feed, stub):
    feed(worker_enrolled("20000000002", NPP, 6_000_000, start=date(2024, 1, 2)))
    bill_months(stub, 3)
    feed(risk_group_changed(NPP, 3, date(2024, 3, 1)))
    # JKK from group I (0.24%) to III (0.89%): +0.65% of 4,000,000 and of 6,000,000.
    assert lines(get(stub, "SPI-202403-10000001-K1")) == {(KPJ, "JKK", "EMPLOYER"): 26_000,
                                                           ("20000000002", "JKK", "EMPLOYER"): 39_000}
