"""Billing on its own (no gRPC): a period billed by the job's chunk (C-1..C-5), then a
back-dated wage change corrected by a difference bill (C-5), read back through the bill
reader. Real SQLite; membership's events applied through the read model's own consumer.

The worker: Rp4,000,000 a month, single, employer in risk group I, on the seeded 2024 rules:
JHT 3.7% employer + 2% worker, JKK I 0.24%, JK 0.3%, JPK single 3% of a wage capped at
Rp1,000,000 (C-4).
"""
from __future__ import annotations

from datetime import date

import pytest

from services.chassis.errors import NotFound
from services.contributions.adapters import billing_facts
from services.contributions.application.billing.chunk import bill_chunk, job_terms
from services.contributions.application.billing.commands import GetBill, ListBills
from services.contributions.domain.periods import Period
from services.contributions.domain.roles import ContributionsAction as A
from tests.contributions.service.read_model_support import (
    Feed, employer_registered, office_tree, wage_changed, worker_enrolled,
)
from tests.contributions.use_cases.conftest import acting, scope_of

KPJ, NPP, BRANCH = "20000000001", "10000001", "KC-BINJAI"
MARCH = Period(2024, 3)


@pytest.fixture
def feed(runtime):
    feed = Feed(runtime)
    feed(office_tree(), employer_registered(NPP), worker_enrolled(KPJ, NPP, 4_000_000, start=date(2024, 1, 2)))
    return feed


def bill_period(app, period: Period) -> int:
    with app.ctx.base.unit_of_work() as uow:
        issued = bill_chunk(uow, job_terms(uow, "unit-run", BRANCH, period),
                            [billing_facts.employer_facts(uow.session, NPP, period)])
        uow.commit()
    return issued


def read_bill(app, number: str):
    with acting("ani", BRANCH, "ADMINISTRATION_OFFICER"):
        return app.billing.bills.get(scope_of(app, A.READ), GetBill(number))


def amounts(view) -> dict[tuple[str, str], int]:
    return {(line.program, line.payer): line.amount_rupiah for line in view.lines}


@pytest.mark.rule("C-1", "C-2", "C-3", "C-4", "C-5")
def test_c5_a_period_is_billed_once_with_each_programme_hand_computed(app, feed):
    assert bill_period(app, MARCH) == 1
    assert bill_period(app, MARCH) == 0  # a second chunk of the same period issues nothing
    view = read_bill(app, "SPI-202403-10000001")
    assert amounts(view) == {("JHT", "EMPLOYER"): 148_000, ("JHT", "WORKER"): 80_000, ("JKK", "EMPLOYER"): 9_600,
                             ("JK", "EMPLOYER"): 12_000, ("JPK", "EMPLOYER"): 30_000}
    # 148,000 + 9,600 + 12,000 + 30,000 = 199,600 employer; 80,000 worker
    assert (view.bill.total_rupiah, view.bill.employer_rupiah, view.bill.worker_rupiah) == (279_600, 199_600, 80_000)
    assert (view.bill.kind, view.bill.status, view.bill.due_date) == ("REGULAR", "OPEN", date(2024, 4, 15))


@pytest.mark.rule("C-5")
def test_c5_a_back_dated_raise_is_billed_as_the_difference_and_the_issued_bill_kept(app, feed):
    bill_period(app, MARCH)
    before = read_bill(app, "SPI-202403-10000001")
    feed(wage_changed(KPJ, NPP, 5_000_000, date(2024, 3, 1), previous=4_000_000))
    assert read_bill(app, "SPI-202403-10000001") == before  # never rewritten
    correction = read_bill(app, "SPI-202403-10000001-K1")
    # +1,000,000 of wage: 37,000 + 20,000 + 2,400 + 3,000; JPK is at its cap already (C-4)
    assert amounts(correction) == {("JHT", "EMPLOYER"): 37_000, ("JHT", "WORKER"): 20_000,
                                   ("JKK", "EMPLOYER"): 2_400, ("JK", "EMPLOYER"): 3_000}
    assert (correction.bill.kind, correction.bill.sequence, correction.bill.total_rupiah) == ("CORRECTION", 1, 62_400)


@pytest.mark.rule("C-5")
def test_c5_a_back_dated_cut_is_a_credit_bill_of_the_negative_difference(app, feed):
    bill_period(app, MARCH)
    feed(wage_changed(KPJ, NPP, 3_000_000, date(2024, 3, 1), previous=4_000_000))
    credit = read_bill(app, "SPI-202403-10000001-K1")
    assert amounts(credit) == {("JHT", "EMPLOYER"): -37_000, ("JHT", "WORKER"): -20_000,
                               ("JKK", "EMPLOYER"): -2_400, ("JK", "EMPLOYER"): -3_000}
    assert (credit.bill.total_rupiah, credit.bill.status) == (-62_400, "CREDIT")


@pytest.mark.rule("O-2")
def test_o2_another_branchs_bills_are_not_there(app, feed):
    bill_period(app, MARCH)
    with acting("mira", "KC-MEDAN", "ADMINISTRATION_OFFICER"):
        scope = scope_of(app, A.READ)
        with pytest.raises(NotFound):
            app.billing.bills.get(scope, GetBill("SPI-202403-10000001"))
        assert app.billing.bills.list(scope, ListBills(NPP, None, None, None, 50)).bills == []
    with acting("ani", BRANCH, "ADMINISTRATION_OFFICER"):
        page = app.billing.bills.list(scope_of(app, A.READ), ListBills(NPP, None, None, None, 50))
    assert [b.bill_number for b in page.bills] == ["SPI-202403-10000001"] and page.next_after is None
