"""A bank statement CSV for ImportBankStatement: lines read and checked, sent in chunks.

Each chunk is one request of at most `chunk` lines with its own request id derived from
the batch's (`<id>-<n>`), so resending the file with the same --request-id records
nothing twice. A line the CLI cannot read (amount not whole rupiah, date not a date) is
rejected here and not sent; line numbers count the file's data lines from 1.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jamsos.contributions.v1 import payments_pb2

from . import errors
from .connection import Session
from .csv_input import read_csv
from .progress import progress_bar
from .values import pb_date, pb_money, rupiah_of

COLUMNS = ("bank_reference", "amount", "paid_on", "npp", "bill_number")
REQUIRED = COLUMNS[:3]
RESULT_COLUMNS = ("line_number", "bank_reference", "outcome", "payment_id", "status", "reason")


@dataclass
class StatementOutcome:
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        outcomes = [r["outcome"] for r in self.results]
        return {"recorded": outcomes.count("RECORDED"), "duplicates": outcomes.count("DUPLICATE"),
                "rejected": outcomes.count("REJECTED")}


def read_lines(path: Path, as_json: bool) -> tuple[list[tuple[int, payments_pb2.BankStatementLine]], list[dict[str, Any]]]:
    """(file line number, line) pairs to send, and the lines rejected while reading."""
    rows = read_csv(path, COLUMNS, REQUIRED, as_json)
    lines, rejected = [], []
    for number, row in enumerate(rows, start=1):
        text = {k: (row.get(k) or "").strip() for k in COLUMNS}
        reasons = []
        try:
            amount = rupiah_of(text["amount"])
        except ValueError:
            reasons.append(f"amount: {text['amount']!r} is not whole rupiah")
            amount = 0
        try:
            paid_on = date.fromisoformat(text["paid_on"])
        except ValueError:
            reasons.append(f"paid_on: {text['paid_on']!r} is not a date (YYYY-MM-DD)")
            paid_on = None
        if reasons:
            rejected.append(_result(number, text["bank_reference"], "REJECTED", reason="; ".join(reasons)))
            continue
        lines.append((number, payments_pb2.BankStatementLine(
            bank_reference=text["bank_reference"], amount=pb_money(amount), paid_on=pb_date(paid_on),
            npp=text["npp"], bill_number=text["bill_number"])))
    return lines, rejected


def _result(number: int, reference: str, outcome: str, payment_id: str = "", status: str = "",
            reason: str = "") -> dict[str, Any]:
    return {"line_number": number, "bank_reference": reference, "outcome": outcome, "payment_id": payment_id,
            "status": status, "reason": reason}


def _chunks(lines: list[tuple[int, payments_pb2.BankStatementLine]], size: int) -> Iterator[list[tuple[int, Any]]]:
    for start in range(0, len(lines), size):
        yield lines[start:start + size]


def send(session: Session, stub: Any, batch_id: str, branch: str, lines: list[tuple[int, payments_pb2.BankStatementLine]],
         rejected: list[dict[str, Any]], chunk: int) -> StatementOutcome:
    outcome = StatementOutcome(results=list(rejected))
    with progress_bar(session.as_json) as bar:
        task = bar.add_task("importing statement", total=len(lines) + len(rejected), completed=len(rejected))
        for index, part in enumerate(_chunks(lines, chunk), start=1):
            response = stub.ImportBankStatement(payments_pb2.ImportBankStatementRequest(
                request_id=f"{batch_id}-{index}", branch_code=branch, lines=[line for _n, line in part]))
            for result in response.results:
                number = part[result.line_number - 1][0]
                outcome.results.append(_result(
                    number, result.bank_reference,
                    payments_pb2.StatementLineOutcome.Name(result.outcome).removeprefix("STATEMENT_LINE_OUTCOME_"),
                    result.payment_id,
                    payments_pb2.PaymentStatus.Name(result.status).removeprefix("PAYMENT_STATUS_") if result.status else "",
                    result.reason))
            bar.advance(task, len(part))
    outcome.results.sort(key=lambda r: r["line_number"])
    return outcome


def write_results(path: Path, results: list[dict[str, Any]], as_json: bool) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(RESULT_COLUMNS)
            for r in results:
                writer.writerow([r[c] for c in RESULT_COLUMNS])
    except OSError as exc:
        raise errors.fail(f"cannot write {path}: {exc.strerror}", errors.BAD_INPUT, as_json) from None
