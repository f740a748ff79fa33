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

from sqlalchemy import Connection, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from services.chassis.lookups import LookupConnection
from services.contributions.adapters.money_bills import (
    CREDIT_NOTES_LEFT, CREDIT_NOTES_WAITING, EMPLOYER_COLUMNS, OPEN_BILLS_LOCKED, BillRow, EmployerFacts, bill_row,
    employer_facts, replicated_employer,
)
from services.contributions.adapters.money_tables import payment_allocations, payments, penalties
from services.contributions.adapters.tables import bills, rm_employers
from services.contributions.adapters.transaction_cursor import on_cursor, write

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


# Built once: a payment runs most of these, and building a statement per call cost several
# times its execution. In a unit of work they run on its transaction's cursor
# (`transaction_cursor`); the single-row reads also on a lookup connection.
_BY_ID = select(payments).where(payments.c.payment_id == bindparam("payment_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_BY_REFERENCE = select(payments).where(payments.c.bank_reference == bindparam("bank_reference"))
_INSERT_PAYMENT = insert(payments)
_UPDATE_PAYMENT = update(payments).where(payments.c.payment_id == bindparam("b_payment_id"))
_INSERT_ALLOCATION = insert(payment_allocations)
_ALLOCATIONS_OF = (select(payment_allocations)
                   .where(payment_allocations.c.payment_id.in_(bindparam("payment_ids", expanding=True)))
                   .order_by(payment_allocations.c.id))
_CREDIT_SOURCES = (select(payments).where(payments.c.npp == bindparam("npp"), payments.c.status == MATCHED,
                                          payments.c.credit_rupiah > 0)
                   .order_by(payments.c.paid_on, payments.c.payment_id))
_CREDIT_SOURCES_LOCKED = _CREDIT_SOURCES.with_for_update()
# C-7: payments' unallocated amounts plus credit notes' credit left, in one statement.
# The payments with credit left only (credit is never negative): an index range, not all the
# employer's payments (ix_payments_npp_credit).
_EMPLOYER_CREDIT = select((
    select(func.coalesce(func.sum(payments.c.credit_rupiah), 0))
    .where(payments.c.npp == bindparam("npp"), payments.c.status == MATCHED, payments.c.credit_rupiah > 0)
    .scalar_subquery()
    + CREDIT_NOTES_LEFT).label("credit"))
# Step 1 of a payment (C-7): is there credit waiting (what `credit_notes` and `credit_sources`
# would find), the employer's credit, and has it open penalties (what `PenaltyBook.open_of`
# would find: step 2 reads them only then), in one statement.
_STATE_COLUMNS = (
    or_(CREDIT_NOTES_WAITING, exists().where(payments.c.npp == bindparam("npp"), payments.c.status == MATCHED,
                                             payments.c.credit_rupiah > 0)).label("waiting"),
    _EMPLOYER_CREDIT.scalar_subquery().label("credit"),
    exists().where(penalties.c.npp == bindparam("npp"),
                   penalties.c.amount_rupiah > penalties.c.paid_rupiah).label("penalties_open"))
_CREDIT_STATE = select(*_STATE_COLUMNS)
# A payment's first read under the employer's turn: its open bills, locked, each row with the
# state above (the same values: one statement where there were three; 16 -> 14 per payment
# on SQLite). No open bill, no row: the state is then read on its own.
_OPEN_BILLS_AND_STATE = OPEN_BILLS_LOCKED.add_columns(*_STATE_COLUMNS)
# Under the write lock, what a payment read before it (`recording.prepare`): its reference
# still new, and its employer's replicated row, in one statement (no row: not replicated).
_RECHECK = (select(exists().where(payments.c.bank_reference == bindparam("bank_reference")).label("taken"),
                   *EMPLOYER_COLUMNS).where(rm_employers.c.npp == bindparam("npp")))
# Before the lock, a payment naming a bill (`recording.prepare`): its reference recorded
# already?, the bill, and the bill's employer as replicated (NULLs: not replicated), at once.
_BEFORE_THE_LOCK = (
    select(exists().where(payments.c.bank_reference == bindparam("bank_reference")).label("taken"), bills,
           rm_employers.c.npp.label("employer_npp"), rm_employers.c.branch_code.label("employer_branch"),
           rm_employers.c.legal_name.label("employer_name"), rm_employers.c.address.label("employer_address"),
           rm_employers.c.status.label("employer_status"))
    .select_from(bills.outerjoin(rm_employers, rm_employers.c.npp == bills.c.npp))
    .where(bills.c.bill_number == bindparam("bill_number")))
_SUSPENSE_OF = (select(payments).where(payments.c.npp == bindparam("npp"), payments.c.status == SUSPENSE)
                .order_by(payments.c.paid_on, payments.c.payment_id))
_LAST_ALLOCATED_ON = (select(func.max(payment_allocations.c.allocated_on).label("last_on"))
                      .where(payment_allocations.c.bill_number == bindparam("bill_number")))


def get_payment(session: Session | Connection, payment_id: str, *, lock: bool = False) -> StoredPayment | None:
    row = on_cursor(session).execute(_BY_ID_LOCKED if lock else _BY_ID, {"payment_id": payment_id}).first()
    return stored_payment(row) if row is not None else None


def by_bank_reference(session: Session | Connection | LookupConnection, bank_reference: str) -> StoredPayment | None:
    row = on_cursor(session).execute(_BY_REFERENCE, {"bank_reference": bank_reference}).first()
    return stored_payment(row) if row is not None else None


def insert_payment(session: Session | Connection, **values: Any) -> None:
    write(session, _INSERT_PAYMENT, dict(values, recorded_at=datetime.now(UTC)))


def update_payment(session: Session | Connection, payment_id: str, **values: Any) -> None:
    write(session, _UPDATE_PAYMENT, dict(values, b_payment_id=payment_id))


def allocation(bill_number: str, amount: int, on: date, *, from_credit: bool,
               payment_id: str | None = None, credit_bill_number: str | None = None) -> dict:
    """One allocation to `bill_number`, paid by a payment or by a credit note (exactly one):
    the row `insert_allocations` writes and an answer shows."""
    if (payment_id is None) == (credit_bill_number is None):
        raise ValueError("an allocation is paid by a payment or by a credit note")  # a bug if seen
    return dict(payment_id=payment_id, credit_bill_number=credit_bill_number, bill_number=bill_number,
                amount_rupiah=amount, allocated_on=on, from_credit=from_credit)


def insert_allocations(session: Session | Connection, rows: Sequence[dict]) -> None:
    """Allocation rows (`allocation`) in one executemany, in their order (their ids keep it)."""
    if rows:
        now = datetime.now(UTC)
        write(session, _INSERT_ALLOCATION, [dict(row, created_at=now) for row in rows])


def insert_allocation(session: Session | Connection, bill_number: str, amount: int, on: date, *, from_credit: bool,
                      payment_id: str | None = None, credit_bill_number: str | None = None) -> dict:
    """One allocation to `bill_number`, paid by a payment or by a credit note (exactly one)."""
    row = allocation(bill_number, amount, on, from_credit=from_credit, payment_id=payment_id,
                     credit_bill_number=credit_bill_number)
    insert_allocations(session, [row])
    return row


def allocations_of(session: Session | Connection, payment_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each payment's allocations (the columns of payment_allocations), oldest first."""
    result: dict[str, list[dict[str, Any]]] = {pid: [] for pid in payment_ids}
    if payment_ids:
        for r in session.execute(_ALLOCATIONS_OF, {"payment_ids": list(payment_ids)}):
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


def credit_sources(session: Session | Connection, npp: str, *, lock: bool = False) -> list[StoredPayment]:
    """Matched payments of the employer with money not yet allocated, oldest first."""
    return [stored_payment(r) for r in
            on_cursor(session).execute(_CREDIT_SOURCES_LOCKED if lock else _CREDIT_SOURCES, {"npp": npp}).all()]


def employer_credit(session: Session | Connection, npp: str) -> int:
    """C-7: the employer's credit, the sum of its payments' unallocated amounts plus the
    credit left on its credit notes (CREDIT bills)."""
    return int(on_cursor(session).execute(_EMPLOYER_CREDIT, {"npp": npp}).scalar_one_or_none())


@dataclass(frozen=True)
class CreditState:
    waiting: bool  # credit waiting to pay bills: a credit note's or a payment's
    credit_rupiah: int  # the employer's credit (C-7)
    penalties_open: bool  # penalties with something left to pay (C-6)


def _credit_state(row) -> CreditState:
    return CreditState(bool(row.waiting), int(row.credit), bool(row.penalties_open))


def credit_state(session: Session | Connection, npp: str) -> CreditState:
    return _credit_state(on_cursor(session).execute(_CREDIT_STATE, {"npp": npp}).one())


def open_bills_and_state(session: Session | Connection, npp: str) -> tuple[list[BillRow], CreditState | None]:
    """`money_bills.open_bills(npp, lock=True)` and, when it finds any, `credit_state(npp)`
    as of the same moment, in one statement (None: no open bill, read the state itself)."""
    rows = on_cursor(session).execute(_OPEN_BILLS_AND_STATE, {"npp": npp}).all()
    return [bill_row(r) for r in rows], (_credit_state(rows[0]) if rows else None)


@dataclass(frozen=True)
class BeforeTheLock:
    reference_taken: bool
    bill: BillRow
    bill_employer: EmployerFacts | None  # None: the bill's employer is not replicated


def before_the_lock(reader: LookupConnection, bank_reference: str, bill_number: str) -> BeforeTheLock | None:
    """A payment's reads before the write lock when it names a bill, in one statement;
    None when the bill is not found."""
    r = reader.execute(_BEFORE_THE_LOCK, {"bank_reference": bank_reference, "bill_number": bill_number}).first()
    if r is None:
        return None
    employer = None if r.employer_npp is None else employer_facts(
        r.employer_npp, r.employer_branch, r.employer_name, r.employer_address, r.employer_status)
    return BeforeTheLock(bool(r.taken), bill_row(r), employer)


def recheck(session: Session | Connection, bank_reference: str, npp: str) -> tuple[bool, EmployerFacts] | None:
    """(the reference is recorded already, the employer as replicated now); None when the
    employer has no replicated row (`money_bills.employer` then knows it by its bills)."""
    row = on_cursor(session).execute(_RECHECK, {"bank_reference": bank_reference, "npp": npp}).first()
    return None if row is None else (bool(row.taken), replicated_employer(npp, row))


def suspense_of(session: Session | Connection, npp: str) -> list[StoredPayment]:
    """Payments naming the employer that wait in suspense (e.g. they named a wrong bill)."""
    return [stored_payment(r) for r in on_cursor(session).execute(_SUSPENSE_OF, {"npp": npp}).all()]


def paid_to_bill(session: Session, bill_number: str) -> list[tuple[date, int]]:
    """(allocated_on, amount) of every allocation to the bill (C-6 lateness)."""
    return [(r.allocated_on, int(r.amount_rupiah)) for r in session.execute(
        select(payment_allocations.c.allocated_on, payment_allocations.c.amount_rupiah)
        .where(payment_allocations.c.bill_number == bill_number))]


def last_allocated_on(session: Session | Connection, bill_number: str) -> date | None:
    """The day the last money reached the bill (its settlement day once paid in full)."""
    return on_cursor(session).execute(_LAST_ALLOCATED_ON, {"bill_number": bill_number}).scalar_one_or_none()
