"""`jamsos standing`: an employer's arrears and good standing, a branch's employers in arrears (C-8)."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import ledger_pb2, ledger_pb2_grpc, standing_pb2, standing_pb2_grpc

from .common import session_of
from .connection import CallingStub
from .output import plain, record_table, rows_table, rupiah, show
from .values import parse_date, pb_date

app = typer.Typer(help="Arrears and good standing (C-8); JHT balances (C-9).", no_args_is_help=True)


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("contributions", standing_pb2_grpc.StandingServiceStub)


def standing_tables(s: dict[str, Any]) -> list[Any]:
    summary = record_table(f"Standing of {s['npp']} on {s['as_of']}", [
        ("branch", s["branch_code"]), ("good standing", s["good_standing"]), ("in arrears", s["in_arrears"]),
        ("data complete", s["data_complete"]), ("arrears", rupiah(s["arrears"])), ("credit", rupiah(s["credit"]))])
    buckets = rows_table("Arrears by age", ["bucket", "amount"],
                         [(b["bucket"], rupiah(b["amount"])) for b in s["buckets"]])
    overdue = rows_table("Overdue bills", ["bill", "period", "due", "outstanding", "days past due"], [
        (b["bill_number"], b["period"], b["due_date"], rupiah(b["outstanding"]), b["days_past_due"])
        for b in s["overdue_bills"]])
    return [summary, buckets, overdue]


@app.command("show")
def show_standing(ctx: typer.Context, npp: Annotated[str, typer.Argument()],
                  as_of: Annotated[date | None, typer.Option("--as-of", parser=parse_date, help="default today")] = None) -> None:
    """An employer's arrears by ageing bucket and whether it is in good standing."""
    found = plain(_stub(ctx).GetStanding(standing_pb2.GetStandingRequest(npp=npp, as_of=pb_date(as_of))).standing)
    show(session_of(ctx).as_json, {"standing": found}, *standing_tables(found))


@app.command("arrears")
def arrears(ctx: typer.Context, branch: Annotated[str, typer.Option("--branch")],
            as_of: Annotated[date | None, typer.Option("--as-of", parser=parse_date, help="default today")] = None,
            limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50) -> None:
    """A branch's employers in arrears."""
    response = _stub(ctx).ListArrears(standing_pb2.ListArrearsRequest(
        branch_code=branch, as_of=pb_date(as_of), page=types_pb2.PageRequest(page_size=limit)))
    found = [plain(s) for s in response.employers]
    show(session_of(ctx).as_json, {"employers": found}, rows_table(
        f"Employers of {branch} in arrears", ["npp", "arrears", "overdue bills", "good standing"],
        [(s["npp"], rupiah(s["arrears"]), len(s["overdue_bills"]), s["good_standing"]) for s in found]))


@app.command("jht")
def jht_balance(ctx: typer.Context, kpj: Annotated[str, typer.Argument()],
                on: Annotated[date | None, typer.Option("--on", parser=parse_date, help="default today")] = None) -> None:
    """A member's JHT balance (C-9)."""
    stub = session_of(ctx).stub("contributions", ledger_pb2_grpc.JhtLedgerServiceStub)
    found = plain(stub.GetJhtBalance(ledger_pb2.GetJhtBalanceRequest(kpj=kpj, on_date=pb_date(on))))
    show(session_of(ctx).as_json, found, record_table(f"JHT balance of {kpj}", [
        ("on", found["on_date"]), ("balance", rupiah(found["balance"]))]))
