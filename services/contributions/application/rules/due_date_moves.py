"""C-6: a holiday change moves the due date of issued, unpaid bills (due on the next
working day), in the transaction of the change.

Only bills not yet settled move: their penalty is assessed when they are settled, from the
due date they have then, so it follows the new date with nothing more to do. A bill settled
before the change keeps its due date and any penalty assessed on it: the employer was told
that date and paid against it, and the penalty was a decision taken then (a wrong one is
put right by a penalty correction, O-4). Bills with a due date a holiday in `years` cannot
reach are not read (the window is the years with a month each side, for roll-overs across
the new year).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.due_date_store import move_due_date, unpaid_bills_due_between
from services.contributions.adapters.rule_repository import RuleRepository
from services.contributions.domain.due_dates import due_date_again, due_date_for_period

CORRECTION = "CORRECTION"


@dataclass(frozen=True)
class DueDateMoved:
    bill_number: str
    previous: date
    due: date


def move_due_dates(uow: UnitOfWork, years: set[int], reason: str) -> list[DueDateMoved]:
    """Re-derive the due date of every unpaid bill the holidays of `years` can touch, with
    the calendar as it now is; store, audit and return the ones that changed."""
    session = uow.session
    stored = RuleRepository(session)
    table, calendar = stored.load_contribution_rules(), stored.load_calendar()
    moved = []
    for bill in unpaid_bills_due_between(session, date(min(years) - 1, 12, 1), date(max(years) + 1, 1, 31)):
        due = due_date_for_period(bill.period, table, calendar)
        if bill.kind == CORRECTION:  # the later of its period's and its issue month's (C-6)
            due = max(due, due_date_again(bill.due_date, table, calendar))
        if due != bill.due_date:
            move_due_date(session, bill.bill_number, due)
            uow.audit("billing.move_due_date", bill.bill_number,
                      {"previous_due_date": bill.due_date.isoformat(), "due_date": due.isoformat()}, reason=reason)
            moved.append(DueDateMoved(bill.bill_number, bill.due_date, due))
    return moved
