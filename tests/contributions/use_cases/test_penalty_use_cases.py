"""The penalty use cases on their own (no gRPC): assessment on a late settlement (C-6),
corrections with a second person (O-4), never below what was paid (C-7). Real SQLite.

Every test's penalty: Rp10,000,000 for February 2021, due 15 March, paid 20 April: two
started months late (15 March to 15 April, then 5 days) x 2% = 4%: Rp400,000.
"""
from __future__ import annotations

from datetime import date

import pytest

from services.chassis.errors import RuleViolation
from services.contributions.application.money.penalty_commands import (
    ApprovePenaltyCorrection, GetPenalty, ListPenalties, RejectPenaltyCorrection, RequestPenaltyCorrection,
)
from services.contributions.application.money.recording import PaymentLine, record_line
from services.contributions.domain.periods import Period
from services.contributions.domain.roles import ContributionsAction as A
from tests.contributions.service.money_fixtures import BINJAI, NPP, add_bill, add_employer, set_today
from tests.contributions.use_cases.conftest import acting, scope_of

TODAY = date(2021, 6, 30)


def pay(app, reference: str, amount: int, on: date) -> None:
    with acting("fina", BINJAI, "FINANCE_OFFICER"), app.ctx.base.unit_of_work() as uow:
        record_line(uow, scope_of(app, A.RECORD_PAYMENT), PaymentLine(reference, amount, on, NPP), TODAY, "fina")
        uow.commit()


@pytest.fixture
def penalty_id(app, runtime) -> str:
    add_employer(runtime)
    set_today(runtime, TODAY)
    add_bill(runtime, Period(2021, 2), 10_000_000, date(2021, 3, 15))
    pay(app, "BNI-1", 10_000_000, date(2021, 4, 20))
    with acting("ani", BINJAI, "ADMINISTRATION_OFFICER"):
        page = app.penalties.list(scope_of(app, A.READ), ListPenalties("", NPP, None, 50))
    assert len(page.penalties) == 1 and page.next_before_id is None
    return page.penalties[0].penalty.penalty_id


def request(app, user: str, command: RequestPenaltyCorrection) -> str:
    with acting(user, BINJAI, "ADMINISTRATION_OFFICER"), app.ctx.base.unit_of_work() as uow:
        correction = app.penalties.request_correction(uow, scope_of(app, A.REQUEST_PENALTY_CORRECTION), command)
        uow.commit()
    return correction.correction_id


def approve(app, user: str, correction_id: str):
    with acting(user, BINJAI, "BRANCH_HEAD"), app.ctx.base.unit_of_work() as uow:
        found = app.penalties.approve_correction(uow, scope_of(app, A.APPROVE_PENALTY_CORRECTION),
                                                 ApprovePenaltyCorrection(correction_id))
        uow.commit()
    return found


@pytest.mark.rule("C-6")
def test_c6_a_bill_settled_two_started_months_late_carries_4_percent(app, penalty_id):
    with acting("ani", BINJAI, "ADMINISTRATION_OFFICER"):
        found = app.penalties.get(scope_of(app, A.READ), GetPenalty(penalty_id)).penalty
    assert (found.late_contribution_rupiah, found.months_late, found.penalty_bp_per_month) == (10_000_000, 2, 200)
    assert (found.assessed_rupiah, found.amount_rupiah, found.paid_rupiah, found.status) == (400_000, 400_000, 0, "ASSESSED")
    assert found.assessed_on == TODAY


@pytest.mark.rule("O-4")
def test_o4_the_requester_cannot_approve_and_a_second_person_applies_the_correction(app, penalty_id):
    correction_id = request(app, "budi", RequestPenaltyCorrection(penalty_id, 150_000, False, "bank stamp 15 March"))
    with pytest.raises(RuleViolation) as refused:
        with acting("budi", BINJAI, "BRANCH_HEAD"), app.ctx.base.unit_of_work() as uow:
            app.penalties.approve_correction(uow, scope_of(app, A.APPROVE_PENALTY_CORRECTION),
                                             ApprovePenaltyCorrection(correction_id))
    assert (refused.value.rule_id, refused.value.code) == ("O-4", "SAME_PERSON")
    found = approve(app, "siti", correction_id)
    assert (found.penalty.assessed_rupiah, found.penalty.amount_rupiah, found.penalty.status) == (
        400_000, 150_000, "CORRECTED")
    assert [(c.requested_by, c.approved_by, c.status) for c in found.corrections] == [("budi", "siti", "APPROVED")]


@pytest.mark.rule("C-7", "O-4")
def test_c7_a_rejected_correction_leaves_the_penalty_and_frees_the_next_request(app, penalty_id):
    first = request(app, "budi", RequestPenaltyCorrection(penalty_id, 0, True, "waiver asked"))
    with pytest.raises(RuleViolation) as waiting:
        request(app, "budi", RequestPenaltyCorrection(penalty_id, 1, False, "another"))
    assert waiting.value.rule_id == "C-7"
    with acting("siti", BINJAI, "BRANCH_HEAD"), app.ctx.base.unit_of_work() as uow:
        rejected = app.penalties.reject_correction(uow, scope_of(app, A.REJECT_PENALTY_CORRECTION),
                                                   RejectPenaltyCorrection(first, "no grounds"))
        uow.commit()
    assert (rejected.status, rejected.rejected_by, rejected.rejection_reason) == ("REJECTED", "siti", "no grounds")
    second = request(app, "budi", RequestPenaltyCorrection(penalty_id, 300_000, False, "bank stamp 1 April"))
    assert approve(app, "siti", second).penalty.amount_rupiah == 300_000


@pytest.mark.rule("C-7")
def test_c7_a_penalty_is_not_corrected_below_what_was_paid_of_it(app, penalty_id):
    pay(app, "BNI-2", 250_000, TODAY)  # the bill is settled: all of it pays the penalty
    with acting("ani", BINJAI, "ADMINISTRATION_OFFICER"):
        paid = app.penalties.get(scope_of(app, A.READ), GetPenalty(penalty_id)).penalty
    assert (paid.paid_rupiah, paid.outstanding_rupiah) == (250_000, 150_000)  # 400,000 - 250,000
    with pytest.raises(RuleViolation) as refused:
        request(app, "budi", RequestPenaltyCorrection(penalty_id, 249_999, False, "bank stamp"))
    assert (refused.value.rule_id, refused.value.code) == ("C-7", "PENALTY_PAID_BEYOND_CORRECTION")
    corrected = approve(app, "siti", request(app, "budi", RequestPenaltyCorrection(penalty_id, 250_000, False, "stamp")))
    assert (corrected.penalty.amount_rupiah, corrected.penalty.outstanding_rupiah, corrected.penalty.settled_on) == (
        250_000, 0, TODAY)
