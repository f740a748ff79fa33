"""`jamsos reconcile`: prepare, validate (another officer, O-4) and post a worksheet (C-7)."""
from __future__ import annotations

from typing import Annotated, Any

import typer

from jamsos.contributions.v1 import reconciliation_pb2, reconciliation_pb2_grpc

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, rupiah, show
from .values import Month, parse_period, parse_rupiah, pb_money, pb_period

app = typer.Typer(help="Reconciliation worksheets: prepare, validate, post (C-7).", no_args_is_help=True)


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("contributions", reconciliation_pb2_grpc.ReconciliationServiceStub)


def worksheet_tables(ws: dict[str, Any]) -> list[Any]:
    summary = record_table(f"Worksheet {ws['worksheet_id']} ({ws['state']})", [
        ("employer", ws["npp"]), ("period", ws["period"]), ("bills", ws["bill_numbers"]),
        ("billed", rupiah(ws["billed"])), ("reported", rupiah(ws["reported"])), ("received", rupiah(ws["received"])),
        ("penalty due", rupiah(ws["penalty_due"])), ("penalty charged", rupiah(ws["penalty_charged"])),
        ("prepared by", ws["prepared_by"]), ("validated by", ws["validated_by"]), ("posted by", ws["posted_by"]),
        ("JHT posted", rupiah(ws["jht_posted"]))])
    differences = rows_table("Differences", ["kind", "amount", "bank reference"], [
        (d["kind"], rupiah(d["amount"]), d["bank_reference"]) for d in ws["differences"]])
    return [summary, differences]


@app.command("prepare")
def prepare(
    ctx: typer.Context,
    npp: Annotated[str, typer.Option("--npp")],
    period: Annotated[Month, typer.Option("--period", parser=parse_period)],
    reported: Annotated[int, typer.Option("--reported", parser=parse_rupiah, help="what the employer reported it owes")],
    request_id: RequestId = None,
) -> None:
    """Prepare the worksheet of an employer and period: billed vs reported vs received."""
    ws = plain(_stub(ctx).PrepareWorksheet(reconciliation_pb2.PrepareWorksheetRequest(
        request_id=new_request_id(request_id), npp=npp, period=pb_period(period),
        reported_amount=pb_money(reported))).worksheet)
    show(session_of(ctx).as_json, {"worksheet": ws}, *worksheet_tables(ws))


@app.command("validate")
def validate(ctx: typer.Context, worksheet_id: Annotated[str, typer.Argument()], request_id: RequestId = None) -> None:
    """Validate a worksheet; not by the officer who prepared it (O-4)."""
    ws = plain(_stub(ctx).ValidateWorksheet(reconciliation_pb2.ValidateWorksheetRequest(
        request_id=new_request_id(request_id), worksheet_id=worksheet_id)).worksheet)
    show(session_of(ctx).as_json, {"worksheet": ws}, *worksheet_tables(ws))


@app.command("post")
def post(ctx: typer.Context, worksheet_id: Annotated[str, typer.Argument()], request_id: RequestId = None) -> None:
    """Post a validated worksheet: credits each worker's JHT share (C-7, C-9)."""
    response = plain(_stub(ctx).PostWorksheet(reconciliation_pb2.PostWorksheetRequest(
        request_id=new_request_id(request_id), worksheet_id=worksheet_id)))
    postings = rows_table("JHT postings", ["kpj", "bill", "amount", "balance after"], [
        (p["kpj"], p["bill_number"], rupiah(p["amount"]), rupiah(p["balance"])) for p in response["postings"]])
    show(session_of(ctx).as_json, response, *worksheet_tables(response["worksheet"]), postings)


@app.command("show")
def show_worksheet(ctx: typer.Context, worksheet_id: Annotated[str, typer.Argument()]) -> None:
    """One worksheet."""
    ws = plain(_stub(ctx).GetWorksheet(reconciliation_pb2.GetWorksheetRequest(worksheet_id=worksheet_id)).worksheet)
    show(session_of(ctx).as_json, {"worksheet": ws}, *worksheet_tables(ws))
