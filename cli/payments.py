"""`jamsos payment`: record a payment, import a bank statement, show and list payments (C-6, C-7)."""
from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import payments_pb2, payments_pb2_grpc

from . import bank_files, errors, statement_csv
from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, rupiah, show
from .values import parse_date, parse_rupiah, pb_date, pb_money, proto_enum

app = typer.Typer(help="Payments: record, import a bank statement, show, list.", no_args_is_help=True)


class Status(str, Enum):
    ANY = "any"
    MATCHED = "matched"
    SUSPENSE = "suspense"


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("contributions", payments_pb2_grpc.PaymentServiceStub)


def payment_table(payment: dict[str, Any]) -> Any:
    return record_table(f"Payment {payment['payment_id']}", [
        ("bank reference", payment["bank_reference"]), ("npp", payment["npp"]), ("branch", payment["branch_code"]),
        ("amount", rupiah(payment["amount"])), ("paid on", payment["paid_on"]), ("status", payment["status"]),
        ("bill named", payment["bill_number"]), ("credit", rupiah(payment["credit"])),
        ("suspense reason", payment["suspense_reason"])])


@app.command("record")
def record(
    ctx: typer.Context,
    reference: Annotated[str, typer.Option("--reference", help="the bank reference")],
    amount: Annotated[int, typer.Option("--amount", parser=parse_rupiah, help="whole rupiah")],
    paid_on: Annotated[date, typer.Option("--paid-on", parser=parse_date)],
    npp: Annotated[str, typer.Option("--npp", help="the paying employer, as the payer gave it")] = "",
    bill: Annotated[str, typer.Option("--bill", help="the SPI bill number the payer named")] = "",
    branch: Annotated[str, typer.Option("--branch", help="receiving branch (required when the employer is unknown)")] = "",
    request_id: RequestId = None,
) -> None:
    """Record one payment: matched to the bills (the named one first), late ones get their penalty (C-6)."""
    response = plain(_stub(ctx).RecordPayment(payments_pb2.RecordPaymentRequest(
        request_id=new_request_id(request_id), bank_reference=reference, amount=pb_money(amount),
        paid_on=pb_date(paid_on), npp=npp, bill_number=bill, branch_code=branch)))
    bills = rows_table("Bills after it", ["bill", "total", "paid", "outstanding", "status", "settled on"], [
        (b["bill_number"], rupiah(b["total"]), rupiah(b["paid"]), rupiah(b["outstanding"]), b["status"], b["settled_on"])
        for b in response["bills"]])
    penalties = rows_table("Late-payment penalties (C-6)", ["penalty", "bill", "late contribution", "months late", "rate (bp/month)", "amount"], [
        (p["penalty_id"], p["bill_number"], rupiah(p["late_contribution"]), p["months_late"], p["penalty_bp_per_month"],
         rupiah(p["amount"]))
        for p in response["penalties"]])
    show(session_of(ctx).as_json, response, payment_table(response["payment"]), bills, penalties)


@app.command("import")
def import_statement(
    ctx: typer.Context,
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="columns: " + ",".join(statement_csv.COLUMNS))],
    branch: Annotated[str, typer.Option("--branch", help="the receiving branch (suspense for unknown employers)")],
    chunk: Annotated[int, typer.Option("--chunk", min=1, max=5000, help="lines per request")] = 500,
    results: Annotated[Path | None, typer.Option("--results", dir_okay=False, help="per-line result CSV (default: <file>.results.csv)")] = None,
    request_id: RequestId = None,
) -> None:
    """Import a bank statement with a progress bar and a summary table; safe to resend with the
    same --request-id. Exit 2 when any line was rejected."""
    session = session_of(ctx)
    lines, local_rejects = statement_csv.read_lines(csv_file, session.as_json)
    batch_id = new_request_id(request_id)
    outcome = statement_csv.send(session, _stub(ctx), batch_id, branch, lines, local_rejects, chunk)
    path = results or csv_file.with_suffix(".results.csv")
    statement_csv.write_results(path, outcome.results, session.as_json)
    summary = {"request_id": batch_id, "branch_code": branch, "lines": len(outcome.results), **outcome.counts,
               "results_file": str(path), "results": outcome.results}
    show(session.as_json, summary,
         rows_table(f"Bank statement {csv_file.name} (results in {path})", ["recorded", "duplicates", "rejected", "lines"],
                    [(outcome.counts["recorded"], outcome.counts["duplicates"], outcome.counts["rejected"],
                      len(outcome.results))]),
         rows_table("Lines not recorded", ["line", "bank reference", "outcome", "reason"],
                    [(r["line_number"], r["bank_reference"], r["outcome"], r["reason"])
                     for r in outcome.results if r["outcome"] != "RECORDED"]))
    if outcome.counts["rejected"]:
        raise typer.Exit(errors.BAD_INPUT)


class FileFormat(str, Enum):
    MT940 = "mt940"
    CAMT053 = "camt053"


@app.command("import-file")
def import_file(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="the bank's statement file")],
    file_format: Annotated[FileFormat, typer.Option("--format", case_sensitive=False, help="mt940 or camt053")],
    branch: Annotated[str, typer.Option("--branch", help="the receiving branch (suspense for unknown employers)")],
    request_id: RequestId = None,
) -> None:
    """Import the bank's own statement file (MT940 or camt.053) as it came: its totals are
    checked (C-7), then each line matched. Safe to resend. Exit 2 when any line was rejected."""
    session = session_of(ctx)
    batch_id = new_request_id(request_id)
    response = plain(bank_files.send_file(session, _stub(ctx), path, file_format.value, branch, batch_id))
    totals = response["totals"]
    summary = {"request_id": batch_id, **{k: v for k, v in response.items() if k != "results"},
               "results": response["results"]}
    show(session.as_json, summary,
         rows_table(f"Statement {response['statement_id']} of {response['account']} ({path.name})",
                    ["lines", "recorded", "in suspense", "duplicates", "skipped", "rejected", "opening", "closing"],
                    [(totals["lines"], response["recorded"], response["suspense"], response["duplicates"],
                      response["skipped"], response["rejected"], _sen(totals["opening_sen"]),
                      _sen(totals["closing_sen"]))]),
         rows_table("Lines", ["line", "reference", "outcome", "status", "bills paid", "reason"],
                    [(r["line_number"], r["bank_reference"], r["outcome"], r["status"], ", ".join(r["bills_paid"]),
                      r["reason"]) for r in response["results"]]))
    if response["rejected"]:
        raise typer.Exit(errors.BAD_INPUT)


def _sen(amount_sen: int) -> str:
    return rupiah(amount_sen // 100) + (f".{amount_sen % 100:02d}" if amount_sen % 100 else "")


@app.command("show")
def show_payment(ctx: typer.Context, payment_id: Annotated[str, typer.Argument()]) -> None:
    """One payment with its allocations to bills."""
    payment = plain(_stub(ctx).GetPayment(payments_pb2.GetPaymentRequest(payment_id=payment_id)).payment)
    allocations = rows_table("Allocations", ["bill", "amount", "on", "from credit"], [
        (a["bill_number"], rupiah(a["amount"]), a["allocated_on"], a["from_credit"]) for a in payment["allocations"]])
    show(session_of(ctx).as_json, {"payment": payment}, payment_table(payment), allocations)


@app.command("list")
def list_payments(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch")] = "",
    npp: Annotated[str, typer.Option("--npp")] = "",
    status: Annotated[Status, typer.Option("--status", case_sensitive=False)] = Status.ANY,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
) -> None:
    """A branch's or an employer's payments (suspense ones with --status suspense)."""
    wanted = payments_pb2.PAYMENT_STATUS_UNSPECIFIED if status is Status.ANY else proto_enum(
        "PAYMENT_STATUS", status.name, payments_pb2)
    response = _stub(ctx).ListPayments(payments_pb2.ListPaymentsRequest(
        branch_code=branch, npp=npp, status=wanted, page=types_pb2.PageRequest(page_size=limit)))
    found = [plain(p) for p in response.payments]
    show(session_of(ctx).as_json, {"payments": found}, rows_table(
        f"Payments of {npp or branch}", ["payment", "bank reference", "npp", "amount", "paid on", "status", "credit"],
        [(p["payment_id"], p["bank_reference"], p["npp"], rupiah(p["amount"]), p["paid_on"], p["status"],
          rupiah(p["credit"])) for p in found]))
