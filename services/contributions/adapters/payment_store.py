"""Payments and their allocations to bills: rows in, rows out (no rules here).

An allocation row is also written when a credit note (a CREDIT bill, see `money_bills`)
pays a bill: its `credit_bill_number` then holds the credit note's number and its
`payment_id` is empty (exactly one is set, migration 0010), `from_credit` is true. So it
counts for settling the bill and for C-6 lateness, but it is never money received from
the bank (`allocations_to` joins payments and leaves it out)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, UTC
from typing import Any
from collections.abc import Iterable, Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from services.contributions.adapters.money_bills import credit_notes_left
from services.contributions.adapters.money_tables import payment_allocations, payments

MATCHED, SUSPENSE = "MATCHED", "SUSPENSE"


@dataclass(frozen=True)
class StoredPayment:
    payment_id: str
    bank_reference: str
    npp: str | None  # None: the payer gave no employer (suspense)
    branch_code: str
    amount_rupiah: int
    paid_on: date
    status: str  # MATCHED or SUSPENSE
    bill_number: str | None
    credit_rupiah: int  # MATCHED: the part not yet allocated to a bill (C-7)
    suspense_reason: str | None


def stored_payment(r) -> StoredPayment:
    return StoredPayment(r.payment_id, r.bank_reference, r.npp, r.branch_code, int(r.amount_rupiah), r.paid_on,
                         r.status, r.bill_number, int(r.credit_rupiah), r.suspense_reason)


def get_payment(session: Session, payment_id: str, *, lock: bool = False) -> StoredPayment | None:
    statement = select(payments).where(payments.c.payment_id == payment_id)
    row = session.execute(statement.with_for_update() if lock else statement).first()
    return stored_payment(row) if row is not None else None


def by_bank_reference(session: Session, bank_reference: str) -> StoredPayment | None:
    row = session.execute(select(payments).where(payments.c.bank_reference == bank_reference)).first()
    return stored_payment(row) if row is not None else None


def insert_payment(session: Session, **values: Any) -> None:
    session.execute(insert(payments).values(recorded_at=datetime.now(UTC), **values))


def update_payment(session: Session, payment_id: str, **values: Any) -> None:
    session.execute(update(payments).where(payments.c.payment_id == payment_id).values(**values))


def insert_allocation(session: Session, bill_number: str, amount: int, on: date, *, from_credit: bool,
                      payment_id: str | None = None, credit_bill_number: str | None = None) -> dict:
    """One allocation to `bill_number`, paid by a payment or by a credit note (exactly one)."""
    if (payment_id is None) == (credit_bill_number is None):
        raise ValueError("an allocation is paid by a payment or by a credit note")  # a bug if seen
    row = dict(payment_id=payment_id, credit_bill_number=credit_bill_number, bill_number=bill_number,
               amount_rupiah=amount, allocated_on=on, from_credit=from_credit)
    session.execute(insert(payment_allocations).values(created_at=datetime.now(UTC), **row))
    return row


def allocations_of(session: Session, payment_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each payment's allocations (the columns of payment_allocations), oldest first."""
    result: dict[str, list[dict[str, Any]]] = {pid: [] for pid in payment_ids}
    if payment_ids:
        rows = session.execute(select(payment_allocations).where(payment_allocations.c.payment_id.in_(payment_ids))
                               .order_by(payment_allocations.c.id))
        for r in rows:
            result[r.payment_id].append(dict(r._mapping))
    return result


def credit_notes_applied_to(session: Session, bill_numbers: Iterable[str]) -> int:
    """How much of the bills was paid by credit notes."""
    total = session.execute(
        select(func.sum(payment_allocations.c.amount_rupiah))
        .where(payment_allocations.c.credit_bill_number.is_not(None),
               payment_allocations.c.bill_number.in_(list(bill_numbers)))).scalar()
    return int(total or 0)


def allocations_to(session: Session, bill_numbers: Iterable[str]):
    """Allocations to the bills with the paying payment's bank reference, oldest first."""
    return session.execute(
        select(payment_allocations, payments.c.bank_reference)
        .join(payments, payments.c.payment_id == payment_allocations.c.payment_id)
        .where(payment_allocations.c.bill_number.in_(list(bill_numbers)))
        .order_by(payment_allocations.c.allocated_on, payment_allocations.c.id)).all()


def credit_sources(session: Session, npp: str, *, lock: bool = False) -> list[StoredPayment]:
    """Matched payments of the employer with money not yet allocated, oldest first."""
    statement = (select(payments).where(payments.c.npp == npp, payments.c.status == MATCHED,
                                        payments.c.credit_rupiah > 0)
                 .order_by(payments.c.paid_on, payments.c.payment_id))
    return [stored_payment(r) for r in session.execute(statement.with_for_update() if lock else statement).all()]


def employer_credit(session: Session, npp: str) -> int:
    """C-7: the employer's credit, the sum of its payments' unallocated amounts plus the
    credit left on its credit notes (CREDIT bills)."""
    total = session.execute(select(func.sum(payments.c.credit_rupiah))
                            .where(payments.c.npp == npp, payments.c.status == MATCHED)).scalar()
    return int(total or 0) + credit_notes_left(session, npp)


def suspense_of(session: Session, npp: str) -> list[StoredPayment]:
    """Payments naming the employer that wait in suspense (e.g. they named a wrong bill)."""
    return [stored_payment(r) for r in session.execute(
        select(payments).where(payments.c.npp == npp, payments.c.status == SUSPENSE)
        .order_by(payments.c.paid_on, payments.c.payment_id)).all()]


def paid_to_bill(session: Session, bill_number: str) -> list[tuple[date, int]]:
    """(allocated_on, amount) of every allocation to the bill (C-6 lateness)."""
    return [(r.allocated_on, int(r.amount_rupiah)) for r in session.execute(
        select(payment_allocations.c.allocated_on, payment_allocations.c.amount_rupiah)
        .where(payment_allocations.c.bill_number == bill_number))]


def last_allocated_on(session: Session, bill_number: str) -> date | None:
    """The day the last money reached the bill (its settlement day once paid in full)."""
    return session.execute(select(func.max(payment_allocations.c.allocated_on))
                           .where(payment_allocations.c.bill_number == bill_number)).scalar()
