"""C-6: assessing the late-payment penalty (denda) when a payment settles a bill late.

The penalty is computed by the domain (`late_payment_penalty`) from the bill's allocations:
each part paid after the due date carries `penalty_bp_per_month` for each started month
late, with the rule version in force for the bill's period (`rules_for`). A bill settled
on or before its due date never carries a penalty. One assessment per bill (unique).
"""
from __future__ import annotations

from datetime import date, datetime, UTC

from jamsos.contributions.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_rupiah
from services.chassis.ids import uuid7
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.money_bills import PAID, get_bill
from services.contributions.adapters.payment_store import paid_to_bill
from services.contributions.adapters.penalty_repository import ASSESSED, PenaltyBook
from services.contributions.application.money.rules import rules_for
from services.contributions.domain.penalty import late_payment_penalty


def assess_late_penalty(uow: UnitOfWork, bill_number: str, today: date) -> str | None:
    """C-6: assess the penalty of a settled bill if it was settled late; returns the
    penalty id, or None when nothing is due (paid on time, or already assessed)."""
    session = uow.session
    bill = get_bill(session, bill_number)
    if bill is None or bill.status != PAID or bill.settled_on is None or bill.settled_on <= bill.due_date:
        return None
    book = PenaltyBook(session)
    if book.assessed(bill_number):
        return None
    paid = paid_to_bill(session, bill_number)
    rules = rules_for(bill.period, session)
    late = late_payment_penalty(bill.total_rupiah, bill.due_date, paid, bill.settled_on, rules)
    if late.total_rupiah == 0:
        return None
    penalty_id = uuid7()
    months = max(p.months_late for p in late.portions)
    row = dict(
        penalty_id=penalty_id, bill_number=bill_number, npp=bill.npp, branch_code=bill.branch_code,
        period_year=bill.period.year, period_month=bill.period.month,
        late_contribution_rupiah=sum(p.amount_rupiah for p in late.portions), months_late=months,
        penalty_bp_per_month=rules.penalty_bp_per_month, assessed_rupiah=late.total_rupiah,
        amount_rupiah=late.total_rupiah, status=ASSESSED, assessed_on=today, rule_source=rules.source,
        created_at=datetime.now(UTC),
    )
    book.add(**row)
    uow.emit(topic_of("contributions"), events_pb2.PenaltyAssessed(
        penalty_id=penalty_id, npp=bill.npp, bill_number=bill_number,
        amount=from_rupiah(late.total_rupiah), months_late=months,
    ), aggregate_type="employer", aggregate_id=bill.npp, branch_code=bill.branch_code)
    uow.audit("penalty.assess", penalty_id, row)
    return penalty_id
