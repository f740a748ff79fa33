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
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

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


def _row(r) -> BillRow:
    issued = r.issued_at.date() if isinstance(r.issued_at, datetime) else r.issued_at
    return BillRow(r.bill_number, r.npp, r.branch_code, Period(r.period_year, r.period_month), r.kind,
                   r.due_date, int(r.total_rupiah), int(r.paid_rupiah), r.status, r.settled_on, issued)


def get_bill(session: Session, bill_number: str) -> BillRow | None:
    r = session.execute(select(bills).where(bills.c.bill_number == bill_number)).first()
    return _row(r) if r else None


def bills_named(session: Session, bill_numbers: Iterable[str]) -> dict[str, BillRow]:
    """Several bills in one statement, by number (unknown numbers are left out)."""
    numbers = list(dict.fromkeys(bill_numbers))
    if not numbers:
        return {}
    return {r.bill_number: _row(r) for r in session.execute(select(bills).where(bills.c.bill_number.in_(numbers)))}


def open_bills(session: Session, npp: str, *, lock: bool = False) -> list[BillRow]:
    """Bills of `npp` with something still to pay, oldest period first. `lock` takes row
    locks (PostgreSQL) so two payments of one employer cannot both fill the same bill."""
    statement = (select(bills).where(bills.c.npp == npp, bills.c.status == OPEN,
                                     bills.c.total_rupiah > bills.c.paid_rupiah)
                 .order_by(bills.c.period_year, bills.c.period_month, bills.c.due_date, bills.c.bill_number))
    if lock:
        statement = statement.with_for_update()
    return [_row(r) for r in session.execute(statement)]


def credit_notes(session: Session, npp: str, *, lock: bool = False) -> list[BillRow]:
    """CREDIT bills of `npp` with credit left, oldest period first (locked like `open_bills`)."""
    statement = (select(bills).where(bills.c.npp == npp, bills.c.status == CREDIT,
                                     -bills.c.total_rupiah > bills.c.paid_rupiah)
                 .order_by(bills.c.period_year, bills.c.period_month, bills.c.sequence, bills.c.bill_number))
    if lock:
        statement = statement.with_for_update()
    return [_row(r) for r in session.execute(statement)]


def credit_notes_left(session: Session, npp: str) -> int:
    """The employer's credit from credit notes not yet applied (C-7)."""
    total = session.execute(select(func.sum(-bills.c.total_rupiah - bills.c.paid_rupiah))
                            .where(bills.c.npp == npp, bills.c.status == CREDIT)).scalar()
    return int(total or 0)


def use_credit(session: Session, bill_number: str, amount_rupiah: int) -> None:
    """Counts `amount_rupiah` of a credit note as used, in SQL; APPLIED once used up."""
    session.execute(update(bills).where(bills.c.bill_number == bill_number)
                    .values(paid_rupiah=bills.c.paid_rupiah + amount_rupiah))
    session.execute(update(bills).where(bills.c.bill_number == bill_number, bills.c.status == CREDIT,
                                        bills.c.paid_rupiah >= -bills.c.total_rupiah).values(status=APPLIED))


def bills_of_period(session: Session, npp: str, period: Period) -> list[BillRow]:
    rows = session.execute(select(bills).where(
        bills.c.npp == npp, bills.c.period_year == period.year, bills.c.period_month == period.month,
    ).order_by(bills.c.sequence, bills.c.bill_number))
    return [_row(r) for r in rows]


def add_payment(session: Session, bill_number: str, amount_rupiah: int) -> None:
    """Adds to the bill's paid amount in SQL, so concurrent writers cannot lose an update."""
    session.execute(update(bills).where(bills.c.bill_number == bill_number)
                    .values(paid_rupiah=bills.c.paid_rupiah + amount_rupiah))


def mark_settled(session: Session, bill_number: str, settled_on: date) -> None:
    session.execute(update(bills).where(bills.c.bill_number == bill_number)
                    .values(status=PAID, settled_on=settled_on))


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


def employer(session: Session, npp: str) -> EmployerFacts | None:
    r = session.execute(select(rm_employers).where(rm_employers.c.npp == npp)).first()
    if r is not None:
        complete = bool(r.legal_name.strip() and r.address.strip()) and r.status != "CLOSED"
        return EmployerFacts(npp, r.branch_code, complete)
    branch = session.execute(select(bills.c.branch_code).where(bills.c.npp == npp)
                             .order_by(bills.c.issued_at.desc()).limit(1)).scalar()
    return EmployerFacts(npp, branch, False) if branch else None


def worker_branch(session: Session, kpj: str) -> str | None:
    return session.execute(select(rm_workers.c.branch_code).where(rm_workers.c.kpj == kpj)).scalar()


def employers_with_bills(session: Session, branch_code: str) -> Iterable[str]:
    return session.execute(select(bills.c.npp).where(bills.c.branch_code == branch_code).distinct()).scalars()
