"""What the money side reads and changes of the billing side's tables.

Bills (SPI, C-5) are issued by billing; payments only move `paid_rupiah`, `status` and
`settled_on`. A CREDIT bill (a correction lowering what was billed, negative total) is a
credit note: on it `paid_rupiah` counts the credit already used (applied to other bills),
so its credit left is `-total_rupiah - paid_rupiah`; once used up its status is APPLIED. Employers are known from the membership read model (rm_employers); an
employer not replicated yet but already billed is known by its bills' branch.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, bindparam, case, exists, func, select, text, update
from sqlalchemy.orm import Session

from services.chassis.lookups import LookupConnection
from services.contributions.adapters.transaction_cursor import on_cursor, write
from services.contributions.adapters.tables import bill_lines, bills, rm_employers, rm_workers
from services.contributions.domain.bills import OpenBill
from services.contributions.domain.periods import Period

OPEN, PAID = "OPEN", "PAID"
CREDIT, APPLIED = "CREDIT", "APPLIED"  # credit note with credit left / used up


@dataclass(frozen=True)
class BillRow:
    bill_number: str
    npp: str
    branch_code: str
    period: Period
    kind: str
    due_date: date
    total_rupiah: int
    paid_rupiah: int
    status: str
    settled_on: date | None
    issued_on: date

    @property
    def outstanding_rupiah(self) -> int:
        return max(0, self.total_rupiah - self.paid_rupiah)

    @property
    def credit_left_rupiah(self) -> int:
        """CREDIT bills only: the part of the credit note not yet applied to a bill."""
        return max(0, -self.total_rupiah - self.paid_rupiah) if self.status == CREDIT else 0

    def open_bill(self) -> OpenBill:
        return OpenBill(self.bill_number, self.period, self.due_date, self.outstanding_rupiah)


def bill_row(r) -> BillRow:
    """A BillRow of a row with the bills table's columns."""
    issued = r.issued_at.date() if isinstance(r.issued_at, datetime) else r.issued_at
    return BillRow(r.bill_number, r.npp, r.branch_code, Period(r.period_year, r.period_month), r.kind,
                   r.due_date, int(r.total_rupiah), int(r.paid_rupiah), r.status, r.settled_on, issued)


# Built once: a payment runs most of these, and building a statement per call cost several
# times its execution. In a unit of work they run on its transaction's cursor
# (`transaction_cursor`); the single-row reads also on a lookup connection.
_BILL = select(bills).where(bills.c.bill_number == bindparam("bill_number"))
_BILLS_NAMED = select(bills).where(bills.c.bill_number.in_(bindparam("numbers", expanding=True)))
_OPEN_BILLS = (select(bills).where(bills.c.npp == bindparam("npp"), bills.c.status == OPEN,
                                   bills.c.total_rupiah > bills.c.paid_rupiah)
               .order_by(bills.c.period_year, bills.c.period_month, bills.c.due_date, bills.c.bill_number))
OPEN_BILLS_LOCKED = _OPEN_BILLS.with_for_update()  # public: `payment_store` adds a payment's state to it
_CREDIT_NOTES = (select(bills).where(bills.c.npp == bindparam("npp"), bills.c.status == CREDIT,
                                     -bills.c.total_rupiah > bills.c.paid_rupiah)
                 .order_by(bills.c.period_year, bills.c.period_month, bills.c.sequence, bills.c.bill_number))
_CREDIT_NOTES_LOCKED = _CREDIT_NOTES.with_for_update()
CREDIT_NOTES_LEFT = (select(func.coalesce(func.sum(-bills.c.total_rupiah - bills.c.paid_rupiah), 0))
                     .where(bills.c.npp == bindparam("npp"), bills.c.status == CREDIT).scalar_subquery())
_CREDIT_NOTES_LEFT = select(CREDIT_NOTES_LEFT.label("credit_left"))
# Whether `credit_notes` would find any: the same conditions.
CREDIT_NOTES_WAITING = exists().where(bills.c.npp == bindparam("npp"), bills.c.status == CREDIT,
                                      -bills.c.total_rupiah > bills.c.paid_rupiah)
_NUMBER, _AMOUNT = bindparam("b_bill_number"), bindparam("b_amount", type_=bills.c.paid_rupiah.type)
_ADD_PAID = update(bills).where(bills.c.bill_number == _NUMBER).values(paid_rupiah=bills.c.paid_rupiah + _AMOUNT)
# A credit note's use and its APPLIED status in one statement (SET reads the row as it was).
_USE_CREDIT = (update(bills).where(bills.c.bill_number == _NUMBER)
               .values(paid_rupiah=bills.c.paid_rupiah + _AMOUNT,
                       status=case((and_(bills.c.status == CREDIT, bills.c.paid_rupiah + _AMOUNT >= -bills.c.total_rupiah),
                                    APPLIED), else_=bills.c.status)))
_SETTLE = (update(bills).where(bills.c.bill_number == _NUMBER)
           .values(status=PAID, settled_on=bindparam("b_settled_on", type_=bills.c.settled_on.type)))


def get_bill(session: Session | Connection | LookupConnection, bill_number: str) -> BillRow | None:
    r = on_cursor(session).execute(_BILL, {"bill_number": bill_number}).first()
    return bill_row(r) if r else None


def bills_named(session: Session | Connection, bill_numbers: Iterable[str]) -> dict[str, BillRow]:
    """Several bills in one statement, by number (unknown numbers are left out)."""
    numbers = list(dict.fromkeys(bill_numbers))
    if len(numbers) == 1:  # the usual payment's: an IN list is rendered anew on every call
        bill = get_bill(session, numbers[0])
        return {bill.bill_number: bill} if bill is not None else {}
    if not numbers:
        return {}
    return {r.bill_number: bill_row(r) for r in session.execute(_BILLS_NAMED, {"numbers": numbers})}


# PostgreSQL: one employer's money changes take turns (a transaction-scoped advisory lock on
# its NPP). The row locks below cover the bills, credit and penalties a payment finds; two
# payments of an employer with nothing open find no row in common, and each would answer (and
# store the standing of) the employer's credit without the other's. SQLite: writers take
# turns already (BEGIN IMMEDIATE).
_EMPLOYER_MONEY_TURN = text("SELECT pg_advisory_xact_lock(hashtextextended('employer-money:' || :npp, 0))")


def take_employer_turn(session: Session | Connection, npp: str) -> None:
    """Until this transaction ends, no other money change of `npp` runs (PostgreSQL)."""
    dialect = session.get_bind().dialect if isinstance(session, Session) else session.dialect
    if dialect.name == "postgresql":
        session.execute(_EMPLOYER_MONEY_TURN, {"npp": npp})


def take_employer_turns(session: Session | Connection, npps: Iterable[str]) -> None:
    """The turns of several employers, in NPP order: two statements naming the same employers
    in opposite orders would each hold one turn and wait for the other's (a deadlock). Taking a
    turn again later in the transaction is free (PostgreSQL's advisory locks stack)."""
    for npp in sorted({n.strip() for n in npps if n.strip()}):
        take_employer_turn(session, npp)


_EMPLOYERS_OF_BILLS = (select(bills.c.npp).distinct()
                       .where(bills.c.bill_number.in_(bindparam("numbers", expanding=True))))
_NUMBERS_PER_STATEMENT = 500  # an IN list's parameters stay far below SQLite's limit


def employers_of_bills(session: Session | Connection, bill_numbers: Iterable[str]) -> set[str]:
    """The NPPs whose bills these are, of every branch (for taking turns only, never shown);
    unknown numbers name nobody."""
    numbers = sorted(set(bill_numbers))
    found: set[str] = set()
    for start in range(0, len(numbers), _NUMBERS_PER_STATEMENT):
        chunk = numbers[start:start + _NUMBERS_PER_STATEMENT]
        found.update(session.execute(_EMPLOYERS_OF_BILLS, {"numbers": chunk}).scalars())
    return found


def open_bills(session: Session | Connection, npp: str, *, lock: bool = False) -> list[BillRow]:
    """Bills of `npp` with something still to pay, oldest period first. `lock` takes row
    locks (PostgreSQL) so two payments of one employer cannot both fill the same bill."""
    return [bill_row(r) for r in on_cursor(session).execute(OPEN_BILLS_LOCKED if lock else _OPEN_BILLS, {"npp": npp})]


def credit_notes(session: Session | Connection, npp: str, *, lock: bool = False) -> list[BillRow]:
    """CREDIT bills of `npp` with credit left, oldest period first (locked like `open_bills`)."""
    return [bill_row(r) for r in on_cursor(session).execute(_CREDIT_NOTES_LOCKED if lock else _CREDIT_NOTES, {"npp": npp})]


def credit_notes_left(session: Session | Connection, npp: str) -> int:
    """The employer's credit from credit notes not yet applied (C-7)."""
    return int(on_cursor(session).execute(_CREDIT_NOTES_LEFT, {"npp": npp}).scalar_one_or_none() or 0)


def use_credit(session: Session | Connection, bill_number: str, amount_rupiah: int) -> None:
    """Counts `amount_rupiah` of a credit note as used, in SQL; APPLIED once used up."""
    write(session, _USE_CREDIT, {"b_bill_number": bill_number, "b_amount": amount_rupiah})


def bills_of_period(session: Session, npp: str, period: Period) -> list[BillRow]:
    rows = session.execute(select(bills).where(
        bills.c.npp == npp, bills.c.period_year == period.year, bills.c.period_month == period.month,
    ).order_by(bills.c.sequence, bills.c.bill_number))
    return [bill_row(r) for r in rows]


def add_payment(session: Session | Connection, bill_number: str, amount_rupiah: int) -> None:
    """Adds to the bill's paid amount in SQL, so concurrent writers cannot lose an update."""
    add_payments(session, [(bill_number, amount_rupiah)])


def add_payments(session: Session | Connection, parts: Sequence[tuple[str, int]]) -> None:
    """`add_payment` for several bills, in one executemany."""
    if parts:
        write(session, _ADD_PAID, [{"b_bill_number": number, "b_amount": amount} for number, amount in parts])


def mark_settled(session: Session | Connection, bill_number: str, settled_on: date) -> None:
    write(session, _SETTLE, {"b_bill_number": bill_number, "b_settled_on": settled_on})


def jht_shares(session: Session, bill_number: str) -> dict[str, int]:
    """C-1: each worker's JHT contribution on a bill, employer plus worker share, by KPJ."""
    rows = session.execute(
        select(bill_lines.c.kpj, func.sum(bill_lines.c.amount_rupiah))
        .where(bill_lines.c.bill_number == bill_number, bill_lines.c.program == "JHT")
        .group_by(bill_lines.c.kpj).order_by(bill_lines.c.kpj))
    return {kpj: int(total) for kpj, total in rows}


@dataclass(frozen=True)
class EmployerFacts:
    npp: str
    branch_code: str
    data_complete: bool  # C-8 "complete data": known, named, with an address, not closed


EMPLOYER_COLUMNS = (rm_employers.c.branch_code, rm_employers.c.legal_name, rm_employers.c.address,
                    rm_employers.c.status)
_EMPLOYER = select(*EMPLOYER_COLUMNS).where(rm_employers.c.npp == bindparam("npp"))
_BILLED_BRANCH = (select(bills.c.branch_code).where(bills.c.npp == bindparam("npp"))
                  .order_by(bills.c.issued_at.desc()).limit(1))
_WORKER_BRANCH = select(rm_workers.c.branch_code).where(rm_workers.c.kpj == bindparam("kpj"))


def replicated_employer(npp: str, r) -> EmployerFacts:
    """The facts of a row of rm_employers (`_EMPLOYER`'s columns)."""
    return employer_facts(npp, r.branch_code, r.legal_name, r.address, r.status)


def employer_facts(npp: str, branch_code: str, legal_name: str, address: str, status: str) -> EmployerFacts:
    complete = bool(legal_name.strip() and address.strip()) and status != "CLOSED"
    return EmployerFacts(npp, branch_code, complete)


def employer(session: Session | Connection | LookupConnection, npp: str) -> EmployerFacts | None:
    r = on_cursor(session).execute(_EMPLOYER, {"npp": npp}).first()
    if r is not None:
        return replicated_employer(npp, r)
    branch = on_cursor(session).execute(_BILLED_BRANCH, {"npp": npp}).scalar_one_or_none()
    return EmployerFacts(npp, branch, False) if branch else None


def worker_branch(session: Session, kpj: str) -> str | None:
    return on_cursor(session).execute(_WORKER_BRANCH, {"kpj": kpj}).scalar_one_or_none()
