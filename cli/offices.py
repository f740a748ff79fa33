"""`jamsos office`: the office tree (O-1), read by anyone, changed by the head office."""
from __future__ import annotations

from enum import Enum

from typing import Annotated

import typer

from jamsos.membership.v1 import offices_pb2, offices_pb2_grpc

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, show

app = typer.Typer(help="The office tree: head office, regions, branches (O-1).", no_args_is_help=True)


class Level(str, Enum):
    HEAD = "head"
    REGIONAL = "regional"
    BRANCH = "branch"


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("membership", offices_pb2_grpc.OfficeServiceStub)


@app.command("list")
def list_offices(ctx: typer.Context) -> None:
    """Every office of the tree."""
    response = _stub(ctx).ListOffices(offices_pb2.ListOfficesRequest())
    offices = [plain(o) for o in response.offices]
    show(session_of(ctx).as_json, {"offices": offices}, rows_table(
        "Offices", ["code", "name", "level", "parent", "class"],
        [(o["code"], o["name"], o["level"], o["parent_code"], o["branch_class"] or "") for o in offices]))


@app.command("upsert")
def upsert(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="office code, e.g. KW-SUMBAGUT or KC-BINJAI")],
    name: Annotated[str, typer.Option("--name")],
    level: Annotated[Level, typer.Option("--level", case_sensitive=False)],
    parent: Annotated[str, typer.Option("--parent", help="the parent office's code (none for the head office)")] = "",
    branch_class: Annotated[int, typer.Option("--class", min=0, max=3, help="1, 2 or 3 for a branch")] = 0,
    request_id: RequestId = None,
) -> None:
    """Add or change an office (head-office administrators)."""
    office = offices_pb2.Office(code=code, name=name, level=getattr(offices_pb2, f"OFFICE_LEVEL_{level.name}"),
                                parent_code=parent, branch_class=branch_class)
    response = _stub(ctx).UpsertOffice(offices_pb2.UpsertOfficeRequest(request_id=new_request_id(request_id),
                                                                        office=office))
    shown = plain(response.office)
    show(session_of(ctx).as_json, {"office": shown}, record_table(f"Office {shown['code']}", shown.items()))
