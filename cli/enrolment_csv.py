"""A CSV file of workers for BulkEnrolWorkers: rows read and checked, streamed, one result each.

A row the CLI cannot even read (a date that is not a date, a wage that is not whole rupiah)
is rejected here with the same "field: reason" shape the service uses, and not sent; every
other row goes to the service, which decides. The result file has one line per data row.
"""
from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jamsos.membership.v1 import workers_pb2

from . import errors
from .connection import Session
from .csv_input import read_csv
from .progress import progress_bar
from .values import pb_date, pb_money, rupiah_of

COLUMNS = ("nik", "name", "birth_date", "sex", "marital_status", "monthly_wage", "start_date", "programs")
REQUIRED = COLUMNS[:-1]
RESULT_COLUMNS = ("row_number", "outcome", "kpj", "reasons")


@dataclass
class BatchOutcome:
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r["outcome"] for r in self.results))


def read_rows(path: Path, as_json: bool) -> tuple[list[workers_pb2.BulkEnrolRow], list[dict[str, Any]]]:
    """The rows to send and the rows rejected while reading (row numbers count data rows from 1)."""
    lines = read_csv(path, COLUMNS, REQUIRED, as_json)
    rows, rejected = [], []
    for number, line in enumerate(lines, start=1):
        row, reasons = _row(number, line)
        if reasons:
            rejected.append({"row_number": number, "outcome": "REJECTED", "kpj": "", "reasons": reasons})
        else:
            rows.append(row)
    return rows, rejected


def _row(number: int, line: dict[str, str | None]) -> tuple[workers_pb2.BulkEnrolRow, list[str]]:
    reasons: list[str] = []
    text = {k: (line.get(k) or "").strip() for k in COLUMNS}

    def day(column: str) -> date | None:
        try:
            return date.fromisoformat(text[column])
        except ValueError:
            reasons.append(f"{column}: {text[column]!r} is not a date (YYYY-MM-DD)")
            return None

    def choice(column: str, prefix: str) -> Any:
        value = getattr(workers_pb2, f"{prefix}_{text[column].upper()}", None)
        if not text[column] or value is None:
            reasons.append(f"{column}: {text[column]!r} is not a known value")
            return 0
        return value

    born, start = day("birth_date"), day("start_date")
    sex, marital = choice("sex", "SEX"), choice("marital_status", "MARITAL_STATUS")
    try:
        wage = rupiah_of(text["monthly_wage"])
    except ValueError:
        reasons.append(f"monthly_wage: {text['monthly_wage']!r} is not whole rupiah")
        wage = 0
    programs: list[Any] = []
    for name in text["programs"].replace(";", " ").split():
        program = getattr(workers_pb2, f"PROGRAM_{name.upper()}", None)
        if program is None:
            reasons.append(f"programs: {name!r} is not JHT, JKK, JK or JPK")
        else:
            programs.append(program)
    row = workers_pb2.BulkEnrolRow(
        row_number=number, nik=text["nik"], name=text["name"], birth_date=pb_date(born), sex=sex,
        marital_status=marital, monthly_wage=pb_money(wage), start_date=pb_date(start), programs=programs)
    return row, reasons


def send(session: Session, stub: Any, batch_id: str, npp: str, rows: list[workers_pb2.BulkEnrolRow],
         rejected: list[dict[str, Any]]) -> BatchOutcome:
    """Streams the rows under one header, advancing the bar per result received."""
    def requests() -> Iterator[workers_pb2.BulkEnrolWorkersRequest]:
        yield workers_pb2.BulkEnrolWorkersRequest(header=workers_pb2.BulkEnrolHeader(request_id=batch_id, npp=npp))
        for row in rows:
            yield workers_pb2.BulkEnrolWorkersRequest(row=row)

    outcome = BatchOutcome(results=list(rejected))
    with progress_bar(session.as_json) as bar:
        task = bar.add_task(f"enrolling for {npp}", total=len(rows) + len(rejected), completed=len(rejected))
        if rows:
            for result in stub.stream("BulkEnrolWorkers", requests()):
                outcome.results.append({
                    "row_number": result.row_number,
                    "outcome": workers_pb2.EnrolmentOutcome.Name(result.outcome).removeprefix("ENROLMENT_OUTCOME_"),
                    "kpj": result.kpj, "reasons": list(result.reasons)})
                bar.advance(task)
    outcome.results.sort(key=lambda r: r["row_number"])
    return outcome


def write_results(path: Path, results: list[dict[str, Any]], as_json: bool) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(RESULT_COLUMNS)
            for r in results:
                writer.writerow([r["row_number"], r["outcome"], r["kpj"], "; ".join(r["reasons"])])
    except OSError as exc:
        raise errors.fail(f"cannot write {path}: {exc.strerror}", errors.BAD_INPUT, as_json) from None
