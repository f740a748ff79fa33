"""Writing bills and their lines (C-5) in bulk.

Lines go in with PostgreSQL's COPY through the session's own connection (same
transaction as the bills and the outbox rows), or with one executemany elsewhere
(SQLite). A billing chunk writes tens of thousands of lines: row-by-row INSERTs would
dominate a monthly run.
"""
from __future__ import annotations

from typing import NamedTuple
from collections.abc import Iterable, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.contributions.adapters.tables import bill_lines, bills
from services.contributions.domain.periods import Period

LINE_COLUMNS = ("bill_number", "kpj", "program", "payer", "base_rupiah", "rate_bp", "amount_rupiah")
_COPY_LINES = f"COPY bill_lines ({', '.join(LINE_COLUMNS)}) FROM STDIN"


def bill_number(npp: str, period: Period, sequence: int = 0) -> str:
    """SPI number: SPI-<yyyymm>-<NPP> for the regular bill, -K<n> for its n-th correction (koreksi)."""
    base = f"SPI-{period.year:04d}{period.month:02d}-{npp}"
    return base if sequence == 0 else f"{base}-K{sequence}"


def insert_bills(session: Session, rows: Sequence[dict]) -> None:
    if rows:
        session.execute(insert(bills), list(rows))


def insert_lines(session: Session, rows: Iterable[tuple]) -> int:
    """Rows are tuples in LINE_COLUMNS order; returns how many were written."""
    rows = list(rows)
    if not rows:
        return 0
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(_COPY_LINES) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        session.execute(insert(bill_lines), [dict(zip(LINE_COLUMNS, row, strict=True)) for row in rows])
    return len(rows)


class WorkerLines(NamedTuple):
    """One worker's lines of a bill, as (program, payer, base, rate, amount) tuples, with
    their totals and each line's COPY text after the bill number and KPJ columns."""

    rows: tuple[tuple, ...]
    employer_rupiah: int
    worker_rupiah: int
    copy_tails: tuple[str, ...]

    @classmethod
    def of(cls, rows: tuple[tuple, ...], employer: int, worker: int) -> WorkerLines:
        tails = tuple(f"{_copy_text(program)}\t{_copy_text(payer)}\t{int(base)}\t{int(rate)}\t{int(amount)}\n"
                      for program, payer, base, rate, amount in rows)
        return cls(rows, employer, worker, tails)


def insert_worker_lines(session: Session, items: list[tuple[str, str, WorkerLines]]) -> int:
    """Every (bill number, KPJ, lines) item's lines; one COPY of preformatted text on
    PostgreSQL (the billing hot path), one executemany elsewhere."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return insert_lines(session, [(number, kpj, *row) for number, kpj, lines in items for row in lines.rows])
    parts = []
    for number, kpj, lines in items:
        if not lines.rows:
            continue
        prefix = f"{_copy_text(number)}\t{_copy_text(kpj)}\t"
        parts.append(prefix + prefix.join(lines.copy_tails))
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(_COPY_LINES) as copy:
        copy.write("".join(parts))
    return sum(len(lines.rows) for _, _, lines in items)


def _copy_text(text: str) -> str:
    """A string in COPY text format (backslash, tab and newlines escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def next_correction_sequence(session: Session, npp: str, period: Period) -> int:
    current = session.execute(
        select(func.max(bills.c.sequence)).where(bills.c.npp == npp, bills.c.period_year == period.year,
                                                 bills.c.period_month == period.month, bills.c.kind == "CORRECTION")
    ).scalar()
    return (current or 0) + 1


def regular_bill(session: Session, npp: str, period: Period):
    return session.execute(
        select(bills).where(bills.c.npp == npp, bills.c.period_year == period.year, bills.c.period_month == period.month,
                            bills.c.kind == "REGULAR", bills.c.sequence == 0)
    ).first()


def kpjs_on_bills(session: Session, bill_numbers: list[str]) -> dict[str, set[str]]:
    """bill number -> the KPJs it has lines for."""
    found: dict[str, set[str]] = {}
    if bill_numbers:
        for number, kpj in session.execute(
            select(bill_lines.c.bill_number, bill_lines.c.kpj).where(bill_lines.c.bill_number.in_(bill_numbers)).distinct()
        ).all():
            found.setdefault(number, set()).add(kpj)
    return found
