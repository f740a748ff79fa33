"""GetBill's read (C-5) on the lookup path (`services/chassis/lookups.py`): a bill and its
lines by two statements built once, their rows handed on as the driver gives them.

A 250-line bill made the lines most of the call: copying each row into a `LineRow`, and
selecting columns the answer never shows, cost more than the query itself. Here the
lines select only what the answer carries, and the mapping copies the rows straight into
the message. The number of workers is counted from the lines already read (what the
list's subquery counts in `bill_queries`), not by a second pass over them in SQL.

On SQLite the two statements read in transactions of their own; that is safe here: a bill
and its lines are written in one transaction and its lines never change afterwards.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select

from services.chassis.errors import NotFound
from services.chassis.repository import ScopedRepository
from services.contributions.adapters.tables import bill_lines, bills, rm_employers, rm_workers

# Built once, at import: the lookup path compiles a statement once per dialect.
_BILL = (select(bills.c.bill_number, bills.c.npp, func.coalesce(rm_employers.c.legal_name, "").label("employer_name"),
                bills.c.branch_code, bills.c.period_year, bills.c.period_month, bills.c.kind, bills.c.sequence,
                bills.c.due_date, bills.c.total_rupiah, bills.c.employer_rupiah, bills.c.worker_rupiah,
                bills.c.paid_rupiah, bills.c.status, bills.c.run_id, bills.c.issued_at)
         .outerjoin(rm_employers, rm_employers.c.npp == bills.c.npp)
         .where(bills.c.bill_number == bindparam("bill_number")))
_LINES = (select(bill_lines.c.kpj, func.coalesce(rm_workers.c.name, "").label("worker_name"), bill_lines.c.program,
                 bill_lines.c.payer, bill_lines.c.base_rupiah, bill_lines.c.rate_bp, bill_lines.c.amount_rupiah)
          .outerjoin(rm_workers, rm_workers.c.kpj == bill_lines.c.kpj)
          .where(bill_lines.c.bill_number == bindparam("bill_number"))
          .order_by(bill_lines.c.kpj, bill_lines.c.id))


class BillRows(NamedTuple):
    """A bill as read: its row (the columns of `_BILL` by name), its lines (kpj,
    worker_name, program, payer, base_rupiah, rate_bp, amount_rupiah; by KPJ, then as
    issued) and the number of workers they cover."""

    bill: Any
    lines: list[Any]
    worker_count: int


class BillLookup(ScopedRepository):
    """One bill as a caller reads it (O-2): another branch's bill is NotFound, audited, as
    `BillRepository.readable` answers it; on PostgreSQL row security holds it too."""

    def readable(self, bill_number: str, *, key: str) -> BillRows:  # type: ignore[override]
        """The bill `bill_number` with its lines, or NotFound naming `key` (the number as
        the caller wrote it)."""
        params = {"bill_number": bill_number}
        bill = self.found_or_hidden(lambda: self.session.execute(_BILL, params).first())
        if bill is None:
            raise NotFound("bill", key)
        self.scope.require_read_record(bill.branch_code, "bill", bill.bill_number)
        lines = self.session.execute(_LINES, params).all()
        return BillRows(bill, lines, len({line.kpj for line in lines}))
