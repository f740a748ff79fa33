"""Writing bills and their lines (C-5) in bulk.

Lines go in with PostgreSQL's COPY through the session's own connection (same
transaction as the bills and the outbox rows), or with one executemany elsewhere
(SQLite). A billing chunk writes tens of thousands of lines: row-by-row INSERTs would
dominate a monthly run. Bills go in as one INSERT of a JSON array on PostgreSQL (COPY is
refused on a table under row security, and an executemany is a statement per bill).
"""
from __future__ import annotations

import functools
import json
from datetime import date
from typing import NamedTuple
from collections.abc import Iterable, Sequence

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from services.contributions.adapters.tables import bill_lines, bills
from services.contributions.domain.periods import Period

LINE_COLUMNS = ("bill_number", "kpj", "program", "payer", "base_rupiah", "rate_bp", "amount_rupiah")
_COPY_LINES = f"COPY bill_lines ({', '.join(LINE_COLUMNS)}) FROM STDIN"


def bill_number(npp: str, period: Period, sequence: int = 0) -> str:
    """SPI number: SPI-<yyyymm>-<NPP> for the regular bill, -K<n> for its n-th correction (koreksi)."""
    base = f"SPI-{period.year:04d}{period.month:02d}-{npp}"
    return base if sequence == 0 else f"{base}-K{sequence}"


BILL_COLUMNS = tuple(column.name for column in bills.columns)
# PostgreSQL: every bill of a chunk in one statement, the rows as one JSON text that the
# server turns into bills rows. psycopg dumps list parameters element by element in
# Python: insert_bills cost ~30 us of CPU a bill with 16 lists, ~17 us with the JSON
# text (the billing bench at 300,000 workers, 15,000 bills).
_INSERT_BILLS_JSON = text(
    f"INSERT INTO bills ({', '.join(BILL_COLUMNS)}) "
    f"SELECT {', '.join(BILL_COLUMNS)} FROM json_populate_recordset(NULL::bills, CAST(:rows AS json))"
)


def _json_value(value: object) -> str:
    """Dates and times as ISO text (PostgreSQL reads them back into date / timestamptz)."""
    if isinstance(value, date):  # a datetime is one too
        return value.isoformat()
    raise TypeError(f"no JSON form for {type(value).__name__}")


def insert_bills(session: Session, rows: Sequence[dict]) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_INSERT_BILLS_JSON, {"rows": json.dumps([{name: row[name] for name in BILL_COLUMNS}
                                                                  for row in rows], default=_json_value)})
    else:
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
    their totals and each line's COPY text after the bill number and KPJ columns (made from
    `line_copy_text`'s two parts: `f"{head}{base}{middle}{amount}\n"`)."""

    rows: tuple[tuple, ...]
    employer_rupiah: int
    worker_rupiah: int
    copy_tails: tuple[str, ...]


@functools.cache
def line_copy_text(program: str, payer: str, rate_bp: int) -> tuple[str, str]:
    """A line's COPY text around its base: the program and payer columns before it, the
    rate column after it (made once per line of a plan, not once per worker)."""
    return f"{_copy_text(program)}\t{_copy_text(payer)}\t", f"\t{rate_bp}\t"


class LineBatch:
    """A chunk's bill lines, gathered bill by bill and worker by worker, then written at
    once (`write`): one COPY of text on PostgreSQL, each worker's text from its priced
    lines' COPY text (made once per priced combination); one executemany elsewhere."""

    def __init__(self, session: Session):
        self._session = session
        self._copy = session.connection().dialect.name == "postgresql"
        self._parts: list[str] = []
        self._rows: list[tuple] = []
        self._number = ""
        self._number_text = ""
        self.count = 0

    def start_bill(self, number: str) -> None:
        """The lines added next belong to bill `number`."""
        self._number = number
        self._number_text = _copy_text(number) + "\t"

    def add(self, kpj: str, lines: WorkerLines) -> None:
        if not lines.rows:
            return
        if self._copy:
            prefix = self._number_text + _copy_text(kpj) + "\t"
            self._parts.append(prefix + prefix.join(lines.copy_tails))
        else:
            self._rows.extend((self._number, kpj, *row) for row in lines.rows)
        self.count += len(lines.rows)

    def write(self) -> int:
        """Writes every line added, in the session's transaction; returns how many."""
        if not self._copy:
            return insert_lines(self._session, self._rows)
        if self._parts:
            connection = self._session.connection()
            with connection.connection.driver_connection.cursor() as cursor, cursor.copy(_COPY_LINES) as copy:
                copy.write("".join(self._parts))
        return self.count


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
