"""GetBill's read (C-5) on the lookup path (`services/chassis/lookups.py`): a bill, its
workers' names and (when not kept) its lines, by statements built once, their rows handed
on as the driver gives them.

A 250-line bill made the lines most of the call: copying each row into a `LineRow`, and
selecting columns the answer never shows, cost more than the query itself. Here the
lines select only what the answer carries, and the mapping copies the rows straight into
the message. The number of workers is the number of (kpj, name) pairs (what the list's
subquery counts in `bill_queries`).

On SQLite the statements read in transactions of their own; that is safe here: a bill
and its lines are written in one transaction and its lines never change afterwards.

Building the answer's lines was still most of the call (about 0.4 ms of message building
and 0.5 ms of reading for 250 lines). Since a bill's lines are only ever inserted, with
their bill (`bill_store`), `IssuedLines` keeps a bill's lines as the answer serialised
them; what may change under them is the workers' names (the read model), so a kept entry
is served only while the bill's (kpj, name) pairs read in this call are the ones it was
built from: one statement of a row per worker instead of a row per line. The bill's own
row, and the branch check on it (O-2), are read every call.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select

from services.chassis.errors import NotFound
from services.chassis.lookups import LookupConnection
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
# The (kpj, name) pairs of a bill's lines, each once, in the lines' order (by KPJ); the
# KPJs made distinct before the join: a name looked up per worker, not per line.
_BILLED = (select(bill_lines.c.kpj).where(bill_lines.c.bill_number == bindparam("bill_number"))
           .distinct().subquery("billed"))
_WORKERS = (select(_BILLED.c.kpj, func.coalesce(rm_workers.c.name, "").label("worker_name"))
            .outerjoin(rm_workers, rm_workers.c.kpj == _BILLED.c.kpj)
            .order_by(_BILLED.c.kpj))

Workers = tuple[tuple[str, str], ...]


class BillLookup(ScopedRepository):
    """One bill as a caller reads it (O-2): another branch's bill is NotFound, audited, as
    `BillRepository.readable` answers it; on PostgreSQL row security holds it too."""

    session: LookupConnection  # on the lookup path only (`tuples`)

    def bill(self, bill_number: str, *, key: str) -> Any:
        """The bill's row (the columns of `_BILL`) if the caller may read it, else NotFound
        naming `key`."""
        params = {"bill_number": bill_number}
        bill = self.found_or_hidden(lambda: self.session.execute(_BILL, params).first())
        if bill is None:
            raise NotFound("bill", key)
        self.scope.require_read_record(bill.branch_code, "bill", bill.bill_number)
        return bill

    def lines(self, bill_number: str) -> list[Any]:
        """The lines of a bill the caller may read (`bill()` first): their parent's branch is theirs."""
        return self.session.execute(_LINES, {"bill_number": bill_number}).all()

    def workers(self, bill_number: str) -> Workers:
        """The (kpj, worker name) pairs the bill's lines show now, by KPJ (every GetBill reads
        them: as the driver's tuples, no named row built for each worker)."""
        return tuple(self.session.tuples(_WORKERS, {"bill_number": bill_number}))


def workers_of(lines: Sequence[Any]) -> Workers:
    """The (kpj, worker name) pairs of lines read by `BillLookup.lines`, each once, in order:
    what `BillLookup.workers` reads for the same bill."""
    return tuple(dict.fromkeys((line.kpj, line.worker_name) for line in lines))


class IssuedLines:
    """Bills' lines as their answer serialised them, by bill number, each with the workers'
    names it was built from; bounded by the bytes it holds (oldest used dropped first).

    Sound because lines are written once, with their bill, and never updated or deleted;
    the names are the only part read from elsewhere, so an entry is served only for the
    same (kpj, name) pairs. It holds no scope: the caller has read the bill's row, with its
    branch check, before asking."""

    def __init__(self, max_bytes: int):
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[Workers, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, bill_number: str, workers: Workers) -> bytes | None:
        with self._lock:
            entry = self._entries.get(bill_number)
            if entry is None or entry[0] != workers:
                return None
            self._entries.move_to_end(bill_number)
            return entry[1]

    def put(self, bill_number: str, workers: Workers, serialised: bytes) -> None:
        if len(serialised) > self._max_bytes:
            return  # a bill larger than the whole budget is built every time
        with self._lock:
            old = self._entries.pop(bill_number, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._entries[bill_number] = (workers, serialised)
            self._bytes += len(serialised)
            while self._bytes > self._max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._entries)
