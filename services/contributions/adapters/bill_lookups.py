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
them; what may change under them is the workers' names (the read model). The replica moves
its names version in the transaction that renames a worker it holds (`Part.NAMES_VERSION`),
and the bill's row is read with it, so a kept entry is served only while the version it was
built at still holds: no statement beyond the bill's own row (reading the bill's (kpj, name)
pairs to compare cost as much as the row). The bill's row, and the branch check on it
(O-2), are read every call.
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
from services.contributions.adapters.tables import bill_lines, bills, rm_employers, rm_names_version, rm_workers

# Built once, at import: the lookup path compiles a statement once per dialect.
_BILL = (select(bills.c.bill_number, bills.c.npp, func.coalesce(rm_employers.c.legal_name, "").label("employer_name"),
                bills.c.branch_code, bills.c.period_year, bills.c.period_month, bills.c.kind, bills.c.sequence,
                bills.c.due_date, bills.c.total_rupiah, bills.c.employer_rupiah, bills.c.worker_rupiah,
                bills.c.paid_rupiah, bills.c.status, bills.c.run_id, bills.c.issued_at,
                func.coalesce(select(rm_names_version.c.version).scalar_subquery(), 0).label("names_version"))
         .outerjoin(rm_employers, rm_employers.c.npp == bills.c.npp)
         .where(bills.c.bill_number == bindparam("bill_number")))
_LINES = (select(bill_lines.c.kpj, func.coalesce(rm_workers.c.name, "").label("worker_name"), bill_lines.c.program,
                 bill_lines.c.payer, bill_lines.c.base_rupiah, bill_lines.c.rate_bp, bill_lines.c.amount_rupiah)
          .outerjoin(rm_workers, rm_workers.c.kpj == bill_lines.c.kpj)
          .where(bill_lines.c.bill_number == bindparam("bill_number"))
          .order_by(bill_lines.c.kpj, bill_lines.c.id))
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


def workers_of(lines: Sequence[Any]) -> Workers:
    """The (kpj, worker name) pairs of lines read by `BillLookup.lines`, each once, in order
    (their number is the bill's worker count)."""
    return tuple(dict.fromkeys((line.kpj, line.worker_name) for line in lines))


class IssuedLines:
    """Bills' lines as their answer serialised them, by bill number, each with the names
    version it was built at and its worker count; bounded by the bytes it holds (oldest used
    dropped first).

    Sound because lines are written once, with their bill, and never updated or deleted;
    the names are the only part read from elsewhere, so an entry is served only at the
    version it was built at. The version is read (with the bill) before the lines, so an
    entry's names are at least that version's: a rename in between costs a miss, never a
    stale name. Lines showing a worker the read model does not hold (an empty name) are not
    kept: the replica's first row for a KPJ moves no version. It holds no scope: the caller
    has read the bill's row, with its branch check, before asking."""

    def __init__(self, max_bytes: int):
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[int, bytes, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, bill_number: str, names_version: int) -> tuple[bytes, int] | None:
        """The kept lines and worker count, if built at `names_version`."""
        with self._lock:
            entry = self._entries.get(bill_number)
            if entry is None or entry[0] != names_version:
                return None
            self._entries.move_to_end(bill_number)
            return entry[1], entry[2]

    def put(self, bill_number: str, names_version: int, serialised: bytes, workers: Workers) -> None:
        if len(serialised) > self._max_bytes or any(not name for _, name in workers):
            return  # built every time: larger than the whole budget, or a worker not yet known
        with self._lock:
            old = self._entries.pop(bill_number, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._entries[bill_number] = (names_version, serialised, len(workers))
            self._bytes += len(serialised)
            while self._bytes > self._max_bytes:
                _, (_, dropped, _) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._entries)
