"""Issued, unpaid bills as a holiday change sees them (C-6): their due dates, and moving one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.contributions.adapters.tables import bills
from services.contributions.domain.periods import Period

OPEN = "OPEN"


@dataclass(frozen=True)
class UnpaidBill:
    bill_number: str
    branch_code: str
    period: Period
    kind: str
    due_date: date


def unpaid_bills_due_between(session: Session, first: date, last: date) -> list[UnpaidBill]:
    """Bills not settled (OPEN, a part paid or none) due from `first` to `last`, locked."""
    b = bills
    statement = (select(b.c.bill_number, b.c.branch_code, b.c.period_year, b.c.period_month, b.c.kind, b.c.due_date)
                 .where(b.c.status == OPEN, b.c.settled_on.is_(None), b.c.due_date >= first, b.c.due_date <= last)
                 .order_by(b.c.bill_number))
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return [UnpaidBill(r.bill_number, r.branch_code, Period(r.period_year, r.period_month), r.kind, r.due_date)
            for r in session.execute(statement).all()]


def move_due_date(session: Session, bill_number: str, due: date) -> None:
    session.execute(update(bills).where(bills.c.bill_number == bill_number, bills.c.status == OPEN).values(due_date=due))
