"""Reading bills and bill lines (C-5): by number, by employer or branch, latest billed period."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Select, and_, bindparam, func, or_, select, tuple_
from sqlalchemy.orm import Session

from services.chassis.errors import NotFound
from services.chassis.lookups import LookupConnection
from services.chassis.repository import ScopedRepository

from services.contributions.adapters.coverage_queries import CoverageFacts, coverage_facts
from services.contributions.adapters.tables import bill_lines, bills, rm_employers, rm_workers
from services.contributions.domain.periods import Period

REGULAR = "REGULAR"
CORRECTION = "CORRECTION"


@dataclass(frozen=True)
class BillRow:
    bill_number: str
    npp: str
    employer_name: str
    branch_code: str
    period: Period
    kind: str
    sequence: int
    due_date: date
    total_rupiah: int
    employer_rupiah: int
    worker_rupiah: int
    paid_rupiah: int
    status: str
    worker_count: int
    run_id: str | None
    issued_at: datetime


@dataclass(frozen=True)
class BillCursor:
    """Where a page of bills ends: the last bill's period and number."""

    period: Period
    bill_number: str


@dataclass(frozen=True)
class LineRow:
    kpj: str
    worker_name: str
    program: str
    payer: str
    base_rupiah: int
    rate_bp: int
    amount_rupiah: int


def _bill_select() -> Select:
    workers = (select(func.count(func.distinct(bill_lines.c.kpj)))
               .where(bill_lines.c.bill_number == bills.c.bill_number).scalar_subquery())
    return (select(bills, func.coalesce(rm_employers.c.legal_name, "").label("employer_name"), workers.label("worker_count"))
            .outerjoin(rm_employers, rm_employers.c.npp == bills.c.npp))


def _row(r) -> BillRow:
    return BillRow(r.bill_number, r.npp, r.employer_name, r.branch_code, Period(r.period_year, r.period_month),
                   r.kind, r.sequence, r.due_date, r.total_rupiah, r.employer_rupiah, r.worker_rupiah,
                   r.paid_rupiah, r.status, r.worker_count or 0, r.run_id, r.issued_at)


# Built once: they run on the lookup path too (`services/chassis/lookups.py`).
_BILL_BY_NUMBER = _bill_select().where(bills.c.bill_number == bindparam("bill_number"))
_LINES_OF = (select(bill_lines, func.coalesce(rm_workers.c.name, "").label("worker_name"))
             .outerjoin(rm_workers, rm_workers.c.kpj == bill_lines.c.kpj)
             .where(bill_lines.c.bill_number == bindparam("bill_number")).order_by(bill_lines.c.kpj, bill_lines.c.id))


def get_bill(session: Session | Connection | LookupConnection, bill_number: str) -> BillRow | None:
    row = session.execute(_BILL_BY_NUMBER, {"bill_number": bill_number}).first()
    return None if row is None else _row(row)


def lines_of(session: Session | Connection | LookupConnection, bill_number: str) -> list[LineRow]:
    rows = session.execute(_LINES_OF, {"bill_number": bill_number}).all()
    return [LineRow(r.kpj, r.worker_name, r.program, r.payer, r.base_rupiah, r.rate_bp, r.amount_rupiah) for r in rows]


def latest_billed_period(session: Session, branch_code: str | None = None) -> Period | None:
    """The newest period with a regular bill (in one branch, or anywhere)."""
    statement = select(bills.c.period_year, bills.c.period_month).where(bills.c.kind == REGULAR)
    if branch_code:
        statement = statement.where(bills.c.branch_code == branch_code)
    row = session.execute(statement.order_by(bills.c.period_year.desc(), bills.c.period_month.desc()).limit(1)).first()
    return None if row is None else Period(row.period_year, row.period_month)


def billed_periods_of_employers(session: Session, npps: list[str], since: Period) -> list[tuple[str, Period]]:
    """(npp, period) of every regular bill of these employers from `since` on."""
    if not npps:
        return []
    rows = session.execute(
        select(bills.c.npp, bills.c.period_year, bills.c.period_month)
        .where(bills.c.npp.in_(npps), bills.c.kind == REGULAR,
               tuple_(bills.c.period_year, bills.c.period_month) >= (since.year, since.month))
        .order_by(bills.c.npp, bills.c.period_year, bills.c.period_month)
    ).all()
    return [(r.npp, Period(r.period_year, r.period_month)) for r in rows]


class BillRepository(ScopedRepository):
    """Bills as a caller reads them (O-2): another branch's bill is NotFound, lists cover
    the caller's branches, and a branch the caller names must be one it reads."""

    def readable(self, bill_number: str, *, key: str | None = None) -> BillRow:  # type: ignore[override]
        """The bill, or NotFound; `key` is the number as the caller wrote it (the lookup
        uses `bill_number`)."""
        bill = self.found_or_hidden(lambda: get_bill(self.session, bill_number))
        if bill is None:
            raise NotFound("bill", bill_number if key is None else key)
        self.scope.require_read_record(bill.branch_code, "bill", bill.bill_number)
        return bill

    def lines_of(self, bill: BillRow) -> list[LineRow]:
        """The lines of a bill already read through `readable`."""
        return lines_of(self.session, bill.bill_number)

    def require_listable(self, branch_code: str) -> None:
        """A branch the caller names must be one it reads (PermissionDenied)."""
        if branch_code:
            self.scope.require_read(branch_code, "bills")

    def page(self, *, npp: str | None, branch_code: str | None, period: Period | None, after: BillCursor | None,
             limit: int) -> list[BillRow]:
        """Bills of the caller's branches (and of `branch_code`, refused when the caller does
        not read it), newest period first, then bill number; keyset paging on (period, number)."""
        self.require_listable(branch_code or "")
        statement = self.scoped(_bill_select(), bills.c.branch_code)
        if npp:
            statement = statement.where(bills.c.npp == npp)
        if branch_code:
            statement = statement.where(bills.c.branch_code == branch_code)
        if period is not None:
            statement = statement.where(bills.c.period_year == period.year, bills.c.period_month == period.month)
        if after is not None:
            key = after.period.year * 100 + after.period.month
            current = bills.c.period_year * 100 + bills.c.period_month
            statement = statement.where(or_(current < key, and_(current == key, bills.c.bill_number > after.bill_number)))
        statement = statement.order_by(bills.c.period_year.desc(), bills.c.period_month.desc(), bills.c.bill_number)
        return [_row(r) for r in self.session.execute(statement.limit(limit)).all()]

    def coverage_facts(self, branch_code: str, period: Period, npp: str | None) -> CoverageFacts:
        """C-5 coverage of a branch the caller reads (PermissionDenied otherwise)."""
        self.scope.require_read(branch_code, "bills")
        return coverage_facts(self.session, branch_code, period, npp)
