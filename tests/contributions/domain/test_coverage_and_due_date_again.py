"""C-5 coverage reasons and C-6 due dates re-derived after a holiday change (pure domain)."""
from __future__ import annotations

from datetime import date

import pytest

from services.contributions.domain.coverage import (
    ActiveWorker, BilledWorker, CoverageReason as Why, EmployerPeriodFacts, employer_coverage,
)
from services.contributions.domain.due_dates import due_date_again
from services.contributions.domain.rule_tables import SEED_CONTRIBUTION_RULES
from services.contributions.domain.working_days import WorkingDayCalendar


def reasons(facts: EmployerPeriodFacts) -> dict[str, Why]:
    return {d.kpj: d.reason for d in employer_coverage(facts).differences}


@pytest.mark.rule("C-5")
def test_c5_a_worker_without_wage_or_an_employer_without_risk_group_is_explained():
    active = (ActiveWorker("K1", has_wage=True), ActiveWorker("K2", has_wage=False))
    billed = (BilledWorker("K1", 279_600, on_regular_bill=True),)
    facts = EmployerPeriodFacts("A", has_risk_group=True, period_billed=True, active=active, billed=billed)
    assert reasons(facts) == {"K2": Why.NO_WAGE}
    coverage = employer_coverage(facts)
    assert (coverage.workers_active, coverage.workers_billed, coverage.unexplained) == (2, 1, 0)
    no_group = EmployerPeriodFacts("A", has_risk_group=False, period_billed=True, active=active, billed=())
    assert reasons(no_group) == {"K1": Why.NO_RISK_GROUP, "K2": Why.NO_RISK_GROUP}


@pytest.mark.rule("C-5")
def test_c5_billed_without_being_active_nor_pending_is_unexplained():
    facts = EmployerPeriodFacts("A", True, True, active=(), billed=(BilledWorker("K9", 279_600, True),))
    assert reasons(facts) == {"K9": Why.UNEXPLAINED}
    assert employer_coverage(facts).unexplained == 1
    pending = EmployerPeriodFacts("A", True, True, active=(), billed=(BilledWorker("K9", 279_600, True),),
                                  pending=frozenset({"K9"}))
    assert reasons(pending) == {"K9": Why.PENDING_CORRECTION}


@pytest.mark.rule("C-6")
def test_c6_a_stored_due_date_is_rolled_again_from_its_nominal_day():
    table = SEED_CONTRIBUTION_RULES
    holiday = WorkingDayCalendar.with_holidays({date(2022, 3, 15)})
    assert due_date_again(date(2022, 3, 15), table, holiday) == date(2022, 3, 16)  # Tue 15 March off
    assert due_date_again(date(2022, 3, 16), table, WorkingDayCalendar()) == date(2022, 3, 15)  # taken off again
    # Saturday 15 October 2022 rolled to Monday 17; a holiday on the 17th moves it to the 18th.
    assert due_date_again(date(2022, 10, 17), table, WorkingDayCalendar.with_holidays({date(2022, 10, 17)})) \
        == date(2022, 10, 18)
