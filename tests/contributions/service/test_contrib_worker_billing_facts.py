"""C-5, M-3: the prebuilt reads of a change of employments give what the statements they replace gave.

`correct_worker_billing` runs for every enrolment, transfer, termination and death; its
billed periods (a regular bill, or a run gone past the employer) now come from one prebuilt
statement per employer (`worker_billing_facts`). Compared here with the former path
(regular bills, their branch, the employer's branch, the runs past it) on billed, passed
over (an employer nobody was billable at) and unbilled periods; and the worker's row on a
bill (`worker_on_bill`) with the run's `worker_facts` before and after a transfer.
"""
from __future__ import annotations

from datetime import date

import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.contributions.adapters import bill_store, billing_facts, worker_billing_facts
from services.contributions.adapters.bill_queries import billed_periods_of_employers
from services.contributions.adapters.billing_run_repository import BillingJobStore
from services.contributions.domain.periods import Period
from tests.contributions.service.read_model_support import (
    Feed, employer_registered, office_tree, worker_enrolled, worker_transferred,
)

A, B, C, UNKNOWN = "10000001", "10000002", "10000003", "19999999"
K1, K2 = "20000000001", "20000000002"


def former_billed_periods(session, employers: list[str], since: Period) -> dict[tuple[str, Period], str]:
    """The statements `worker_billing_facts.billed_periods` replaces, as they were."""
    found = {(npp, period): bill_store.regular_bill(session, npp, period).branch_code
             for npp, period in billed_periods_of_employers(session, employers, since)}
    for npp in employers:
        branch = billing_facts.employer_branch(session, npp)
        if branch is not None:
            for period in BillingJobStore(session).runs_past_employer(branch, npp, since):
                found.setdefault((npp, period), branch)
    return found


@pytest.mark.rule("C-5", "M-3")
def test_c5_billed_periods_of_a_worker_change_are_those_the_former_statements_found(contributions, as_user):
    feed = Feed(contributions)
    feed(office_tree(), employer_registered(A), employer_registered(B), employer_registered(C),
         employer_registered("10000004", branch="KC-MEDAN"))
    feed(worker_enrolled(K1, A, 4_000_000, start=date(2024, 1, 2)), worker_enrolled(K2, B, 4_000_000, start=date(2024, 1, 2)))
    billing = as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    for month in (3, 4):  # C has nobody to bill: passed over, no bill
        billing.StartBillingRun(billing_pb2.StartBillingRunRequest(
            request_id=f"run-{month}", period=types_pb2.Period(year=2024, month=month), branch_code="KC-BINJAI"))
    feed(worker_transferred(K2, A, B, 4_000_000, date(2024, 4, 1)))  # K2 at A and at B
    with contributions.app.ctx.base.unit_of_work() as uow:
        session, db = uow.session, uow.prebuilt
        assert sorted(billing_facts.employers_of_worker(db, K2)) == sorted(
            billing_facts.employers_of_worker(session, K2)) == [A, B]
        assert billing_facts.employers_of_worker(db, "20000000099") == []
        billing_facts.lock_employers(db, [A, B])
        for employers in ([A, B, C], [C], [A], [UNKNOWN, B], ["10000004", A], []):
            for since in (Period(2024, 1), Period(2024, 3), Period(2024, 4), Period(2024, 5)):
                new = worker_billing_facts.billed_periods(db, employers, since)
                old = former_billed_periods(session, employers, since)
                assert list(new.items()) == list(old.items()), (employers, since)
        everything = worker_billing_facts.billed_periods(db, [A, B, C], Period(2024, 1))
        assert everything == {(n, Period(2024, m)): "KC-BINJAI" for n in (A, B, C) for m in (3, 4)}
        # K2 moved from B to A on 1 April: billed by B in March, by A from April (the run's rule).
        on_bills = {}
        for kpj in (K1, K2, "20000000099"):
            for npp in (A, B, C):
                for month in (2, 3, 4, 5):
                    new_rows = worker_billing_facts.worker_on_bill(db, kpj, npp, Period(2024, month))
                    old_rows = billing_facts.worker_facts(session, Period(2024, month), npps=[npp], kpjs=[kpj])
                    assert [tuple(r) for r in new_rows] == [tuple(r) for r in old_rows], (kpj, npp, month)
                    on_bills[(kpj, npp, month)] = bool(new_rows)
        assert {key for key, billed in on_bills.items() if billed and key[0] == K2} == {
            (K2, B, 2), (K2, B, 3), (K2, A, 4), (K2, A, 5)}
