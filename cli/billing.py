"""`jamsos billing` and `jamsos bill`: start a billing run and follow it, bills, SPI documents (C-5, C-6)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc

from . import errors
from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, rupiah, show
from .progress import progress_bar
from .values import Month, parse_period, pb_period, proto_enum
from .workers import write_document

app = typer.Typer(help="Billing runs: start one and follow it to the end (C-5).", no_args_is_help=True)
bills_app = typer.Typer(help="Bills (SPI): list, show, render the SPI notice.", no_args_is_help=True)


class SpiFormat(str, Enum):
    PDF = "pdf"
    TEXT = "text"


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("contributions", billing_pb2_grpc.BillingServiceStub)


def run_tables(run: dict[str, Any]) -> list[Any]:
    summary = record_table(f"Billing run {run['run_id']}", [
        ("period", run["period"]), ("branch", run["branch_code"] or "every branch"), ("status", run["status"]),
        ("employers", f"{run['employers_done']} of {run['employers_total']}"), ("bills issued", run["bills_issued"]),
        ("requested by", run["requested_by"])])
    jobs = rows_table("Branch jobs", ["branch", "status", "employers done", "of", "bills issued"], [
        (j["branch_code"], j["status"], j["employers_done"], j["employers_total"], j["bills_issued"])
        for j in run["jobs"]])
    return [summary, jobs]


def follow(ctx: typer.Context, run: billing_pb2.BillingRun, poll: float, wait: float) -> billing_pb2.BillingRun:
    """Follows the run to the end with WatchBillingRun (the server streams each move of its
    jobs), a bar of employers done; exit 7 when it has not completed within `wait` seconds.
    `poll` is kept for the command line's sake: the server decides how often it looks."""
    session = session_of(ctx)
    if run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED:
        return run
    with progress_bar(session.as_json) as bar:
        task = bar.add_task(f"billing {run.period.year:04d}-{run.period.month:02d}",
                            total=run.employers_total or None, completed=run.employers_done)
        request = billing_pb2.WatchBillingRunRequest(run_id=run.run_id)
        for update in _stub(ctx).stream("WatchBillingRun", request, timeout=wait, ends_at_deadline=True):
            run = update.run
            bar.update(task, total=run.employers_total or None, completed=run.employers_done)
        if run.status != billing_pb2.BILLING_RUN_STATUS_COMPLETED:
            raise errors.fail(f"billing run {run.run_id} not completed after {wait:g} s "
                              f"({run.employers_done} of {run.employers_total} employers); "
                              f"follow it with `jamsos billing status {run.run_id} --follow`",
                              errors.UNAVAILABLE, session.as_json, code="DEADLINE_EXCEEDED")
        bar.update(task, total=run.employers_total, completed=run.employers_done)
    return run


@app.command("run")
def start_run(
    ctx: typer.Context,
    period: Annotated[Month, typer.Option("--period", parser=parse_period, help="the month billed, YYYY-MM")],
    branch: Annotated[str, typer.Option("--branch", help="one branch; empty: every branch (head office)")] = "",
    no_follow: Annotated[bool, typer.Option("--no-follow", help="return once started")] = False,
    poll: Annotated[float, typer.Option("--poll", min=0.05, help="unused: the server streams the progress (WatchBillingRun)")] = 0.5,
    wait: Annotated[float, typer.Option("--wait", min=0.1, help="give up following after this many seconds (exit 7)")] = 600.0,
    request_id: RequestId = None,
) -> None:
    """Start (or resume) the billing run of a period and follow it to the end."""
    run = _stub(ctx).StartBillingRun(billing_pb2.StartBillingRunRequest(
        request_id=new_request_id(request_id), period=pb_period(period), branch_code=branch)).run
    if not no_follow:
        run = follow(ctx, run, poll, wait)
    shown = plain(run)
    show(session_of(ctx).as_json, {"run": shown}, *run_tables(shown))


@app.command("status")
def run_status(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument()],
    follow_run: Annotated[bool, typer.Option("--follow", help="follow it to the end")] = False,
    poll: Annotated[float, typer.Option("--poll", min=0.05)] = 0.5,
    wait: Annotated[float, typer.Option("--wait", min=0.1)] = 600.0,
) -> None:
    """A billing run's progress: per-branch jobs, employers done, bills issued."""
    run = _stub(ctx).GetBillingRun(billing_pb2.GetBillingRunRequest(run_id=run_id)).run
    if follow_run:
        run = follow(ctx, run, poll, wait)
    shown = plain(run)
    show(session_of(ctx).as_json, {"run": shown}, *run_tables(shown))


@app.command("coverage")
def coverage(
    ctx: typer.Context,
    period: Annotated[Month, typer.Option("--period", parser=parse_period, help="the month billed, YYYY-MM")],
    branch: Annotated[str, typer.Option("--branch", help="the branch whose employers are compared")],
    npp: Annotated[str, typer.Option("--npp", help="one employer of the branch")] = "",
) -> None:
    """Workers active in membership against workers billed for a period, by employer, each
    difference with its reason (C-5); UNEXPLAINED is a rupiah left out or billed twice, and
    exits with 8."""
    report = plain(_stub(ctx).GetBillingCoverage(billing_pb2.GetBillingCoverageRequest(
        period=pb_period(period), branch_code=branch, npp=npp)))
    summary = record_table(f"Billing coverage {report['period']} {report['branch_code']}", [
        ("workers active", report["workers_active"]), ("workers billed", report["workers_billed"]),
        ("unexplained", report["unexplained"])])
    employers = rows_table("Employers", ["npp", "employer", "active", "billed", "unexplained"], [
        (e["npp"], e["employer_name"], e["workers_active"], e["workers_billed"], e["unexplained"])
        for e in report["employers"]])
    differences = rows_table("Differences", ["npp", "kpj", "worker", "active", "billed", "reason", "bills", "billed by"], [
        (e["npp"], d["kpj"], d["worker_name"], d["active"], d["billed"], d["reason"], d["bill_numbers"], d["other_npp"])
        for e in report["employers"] for d in e["differences"]])
    show(session_of(ctx).as_json, {"coverage": report}, summary, employers, differences)
    if report["unexplained"]:  # a script or a cron job must not read this as all well
        raise errors.fail(f"{report['unexplained']} worker(s) UNEXPLAINED in {report['period']} "
                          f"{report['branch_code']}: a rupiah left out or billed twice (C-5)",
                          errors.DIFFERENCES, session_of(ctx).as_json, code="UNEXPLAINED")


def bill_rows(bills: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(b["bill_number"], b["npp"], b["period"], b["kind"], b["due_date"], rupiah(b["total"]), rupiah(b["paid"]),
             b["status"], b["worker_count"]) for b in bills]


BILL_COLUMNS = ["bill", "npp", "period", "kind", "due", "total", "paid", "status", "workers"]


@bills_app.command("list")
def list_bills(
    ctx: typer.Context,
    npp: Annotated[str, typer.Option("--npp")] = "",
    branch: Annotated[str, typer.Option("--branch")] = "",
    period: Annotated[Month | None, typer.Option("--period", parser=parse_period)] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
) -> None:
    """An employer's or a branch's bills, newest period first."""
    response = _stub(ctx).ListBills(billing_pb2.ListBillsRequest(
        npp=npp, branch_code=branch, period=pb_period(period) if period else None,
        page=types_pb2.PageRequest(page_size=limit)))
    bills = [plain(b) for b in response.bills]
    for b in bills:
        b.pop("lines", None)
    show(session_of(ctx).as_json, {"bills": bills}, rows_table(f"Bills of {npp or branch}", BILL_COLUMNS, bill_rows(bills)))


@bills_app.command("show")
def show_bill(ctx: typer.Context, bill_number: Annotated[str, typer.Argument()]) -> None:
    """One bill with its lines (worker, program, payer, base, rate, amount)."""
    bill = plain(_stub(ctx).GetBill(billing_pb2.GetBillRequest(bill_number=bill_number)).bill)
    lines = rows_table("Lines", ["kpj", "worker", "program", "payer", "base", "rate (bp)", "amount"], [
        (ln["kpj"], ln["worker_name"], ln["program"], ln["payer"], rupiah(ln["base"]), ln["rate_bp"], rupiah(ln["amount"]))
        for ln in bill["lines"]])
    summary = record_table(f"Bill {bill['bill_number']}", [
        ("employer", f"{bill['npp']} {bill['employer_name']}"), ("branch", bill["branch_code"]),
        ("period", bill["period"]), ("kind", bill["kind"]), ("due", bill["due_date"]), ("total", rupiah(bill["total"])),
        ("employer share", rupiah(bill["employer_share"])), ("worker share", rupiah(bill["worker_share"])),
        ("paid", rupiah(bill["paid"])), ("status", bill["status"])])
    show(session_of(ctx).as_json, {"bill": bill}, summary, lines)


@bills_app.command("spi")
def render_spi(
    ctx: typer.Context,
    bill_number: Annotated[str, typer.Argument()],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="file to write")],
    file_format: Annotated[SpiFormat, typer.Option("--format", case_sensitive=False)] = SpiFormat.PDF,
) -> None:
    """Write the SPI notice of a bill to a file (PDF or text)."""
    response = _stub(ctx).RenderSpi(billing_pb2.RenderSpiRequest(
        bill_number=bill_number, format=proto_enum("SPI_FORMAT", file_format.name, billing_pb2)))
    written = write_document(out, response.content, session_of(ctx).as_json)
    shown = {"bill_number": response.bill_number, "file": written, "content_type": response.content_type,
             "bytes": len(response.content)}
    show(session_of(ctx).as_json, shown, record_table("SPI written", shown.items()))
