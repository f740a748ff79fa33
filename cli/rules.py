"""`jamsos rules`: contributions' rule tables the head office keeps: regional minimum wages
(UMK, C-6a; welfare's W-S-2 reads them too) and holidays (C-6: due dates move with them)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from jamsos.contributions.v1 import rules_pb2, rules_pb2_grpc

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, rows_table, rupiah, show
from .values import parse_date, parse_rupiah, pb_date, pb_money

app = typer.Typer(help="Rule tables: UMK by branch area (C-6a), holidays (C-6). Head office.", no_args_is_help=True)
umk_app = typer.Typer(help="Regional minimum wages by branch area (C-6a).", no_args_is_help=True)
holiday_app = typer.Typer(help="Holidays and collective leave days (C-6).", no_args_is_help=True)
app.add_typer(umk_app, name="umk")
app.add_typer(holiday_app, name="holiday")

Reason = Annotated[str, typer.Option("--reason", help="why (the regulation); audited")]


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("contributions", rules_pb2_grpc.RuleServiceStub)


def _moved(moves: list[dict[str, str]]) -> list[Table]:
    return [rows_table("Bills whose due date moved", ["bill", "from", "to"],
                       [(m.get("bill_number", ""), m.get("previous_due_date", ""), m.get("due_date", "")) for m in moves])]


@umk_app.command("list")
def umk_list(ctx: typer.Context, branch: Annotated[str, typer.Option("--branch", help="empty: every branch")] = "") -> None:
    """The UMK versions of a branch area (or of all), by effective date."""
    rates = [plain(r) for r in _stub(ctx).ListUmkRates(rules_pb2.ListUmkRatesRequest(branch_code=branch)).rates]
    show(session_of(ctx).as_json, {"rates": rates}, rows_table(
        "UMK (C-6a)", ["branch", "from", "monthly wage"],
        [(r["branch_code"], r["effective_from"], rupiah(r["monthly_wage"])) for r in rates]))


@umk_app.command("set")
def umk_set(ctx: typer.Context, branch: Annotated[str, typer.Option("--branch")],
            effective: Annotated[date, typer.Option("--from", parser=parse_date, help="effective from, YYYY-MM-DD")],
            monthly_wage: Annotated[int, typer.Option("--monthly-wage", parser=parse_rupiah, help="whole rupiah")],
            reason: Reason, request_id: RequestId = None) -> None:
    """A UMK for a branch area from a date (refused for a period already billed)."""
    rate = _stub(ctx).SetUmkRate(rules_pb2.SetUmkRateRequest(
        request_id=new_request_id(request_id), reason=reason, rate=rules_pb2.UmkRate(
            branch_code=branch, effective_from=pb_date(effective), monthly_wage=pb_money(monthly_wage)))).rate
    found = plain(rate)
    show(session_of(ctx).as_json, {"rate": found}, rows_table(
        "UMK set", ["branch", "from", "monthly wage"],
        [(found["branch_code"], found["effective_from"], rupiah(found["monthly_wage"]))]))


@holiday_app.command("add")
def holiday_add(ctx: typer.Context, day: Annotated[date, typer.Option("--day", parser=parse_date)],
                name: Annotated[str, typer.Option("--name")], reason: Reason, request_id: RequestId = None) -> None:
    """One holiday added (or renamed); due dates it moves are listed."""
    response = _stub(ctx).AddHoliday(rules_pb2.AddHolidayRequest(
        request_id=new_request_id(request_id), reason=reason, holiday=rules_pb2.Holiday(day=pb_date(day), name=name)))
    found = plain(response)
    show(session_of(ctx).as_json, found, *_moved(found.get("moved_bills", [])))


@holiday_app.command("remove")
def holiday_remove(ctx: typer.Context, day: Annotated[date, typer.Option("--day", parser=parse_date)],
                   reason: Reason, request_id: RequestId = None) -> None:
    """One holiday taken off; due dates it moves are listed."""
    response = _stub(ctx).RemoveHoliday(rules_pb2.RemoveHolidayRequest(
        request_id=new_request_id(request_id), reason=reason, day=pb_date(day)))
    found = plain(response)
    show(session_of(ctx).as_json, found, *_moved(found.get("moved_bills", [])))
