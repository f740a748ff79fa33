"""C-5: the bills a billing chunk writes are stored as given, on SQLite and PostgreSQL.

On PostgreSQL `bill_store.insert_bills` sends a chunk's bills as one JSON text the server
turns into rows (it sent a list per column before): every column comes back as written,
text that JSON and COPY escape (quote, backslash, tab, non-ASCII), no settlement day,
a settlement day, the issue time to the microsecond and amounts beyond 32 bits.
"""
from __future__ import annotations

from datetime import date, datetime, UTC

import pytest
from sqlalchemy import select

from services.contributions.adapters import bill_store
from services.contributions.adapters.tables import bills
from services.contributions.domain.periods import Period


def _bill(npp: str, run_id: str | None, settled_on: date | None, total: int) -> dict:
    period = Period(2024, 3)
    return {
        "bill_number": bill_store.bill_number(npp, period), "npp": npp, "branch_code": "KC-BINJAI",
        "period_year": period.year, "period_month": period.month, "kind": "REGULAR", "sequence": 0,
        "due_date": date(2024, 4, 15), "total_rupiah": total, "employer_rupiah": total - 1, "worker_rupiah": 1,
        "paid_rupiah": 0, "status": "OPEN", "settled_on": settled_on, "run_id": run_id,
        "issued_at": datetime(2024, 4, 1, 8, 30, 15, 123456, tzinfo=UTC),
    }


@pytest.mark.rule("C-5")
def test_c5_bills_of_a_chunk_come_back_column_for_column(contributions):
    rows = [
        _bill("10000001", 'run "1"\\\tü', None, 12_345_678_901),
        _bill("10000002", None, date(2024, 4, 2), 1),
        _bill("10000003", "r", None, 0),
    ]
    with contributions.app.ctx.base.unit_of_work() as uow:
        bill_store.insert_bills(uow.session, rows)
        stored = [dict(row._mapping) for row in uow.session.execute(
            select(bills).where(bills.c.npp.in_([r["npp"] for r in rows])).order_by(bills.c.npp))]
        uow.rollback()
    for row in stored:  # SQLite gives the time back without its zone
        row["issued_at"] = row["issued_at"].replace(tzinfo=UTC) if row["issued_at"].tzinfo is None else row["issued_at"]
    assert stored == rows
