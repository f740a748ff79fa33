"""`jamsos employer`: register, show and search employers (M-1, M-7)."""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, show
from .values import parse_date, pb_date

app = typer.Typer(help="Employers (NPP): register, show, search.", no_args_is_help=True)


class Kind(str, Enum):
    COMPANY = "company"
    INFORMAL_SECTOR_GROUP = "informal-sector-group"
    CONSTRUCTION_PROJECT = "construction-project"


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("membership", employers_pb2_grpc.EmployerServiceStub)


def employer_table(employer: dict[str, Any]) -> Any:
    keys = ("npp", "legal_name", "branch_code", "kind", "status", "sector", "address", "registration_date",
            "risk_group", "tax_number")
    return record_table(f"Employer {employer['npp']}", [(k, employer[k]) for k in keys])


@app.command("register")
def register(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch", help="the owning branch, e.g. KC-BINJAI")],
    name: Annotated[str, typer.Option("--name", help="legal name")],
    sector: Annotated[str, typer.Option("--sector")],
    address: Annotated[str, typer.Option("--address")],
    registered: Annotated[date, typer.Option("--registered", parser=parse_date, help="registration date")],
    risk_group: Annotated[int, typer.Option("--risk-group", help="work-accident risk group 1..5 (C-3)")],
    tax_number: Annotated[str, typer.Option("--tax-number", help="NPWP, optional")] = "",
    kind: Annotated[Kind, typer.Option("--kind", case_sensitive=False)] = Kind.COMPANY,
    request_id: RequestId = None,
) -> None:
    """Register an employer (the branch's marketing officer); prints its new NPP."""
    request = employers_pb2.RegisterEmployerRequest(
        request_id=new_request_id(request_id), branch_code=branch, legal_name=name, sector=sector, address=address,
        registration_date=pb_date(registered), risk_group=risk_group, tax_number=tax_number,
        kind=getattr(employers_pb2, f"EMPLOYER_KIND_{kind.name}"))
    employer = plain(_stub(ctx).RegisterEmployer(request).employer)
    show(session_of(ctx).as_json, {"employer": employer}, employer_table(employer))


@app.command("show")
def show_employer(ctx: typer.Context, npp: Annotated[str, typer.Argument()]) -> None:
    """One employer by NPP."""
    employer = plain(_stub(ctx).GetEmployer(employers_pb2.GetEmployerRequest(npp=npp)).employer)
    show(session_of(ctx).as_json, {"employer": employer}, employer_table(employer))


@app.command("search")
def search(ctx: typer.Context, query: Annotated[str, typer.Argument(help="an NPP or part of a name")],
           limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50) -> None:
    """Employers by NPP or name, within what the caller may read."""
    response = _stub(ctx).SearchEmployers(employers_pb2.SearchEmployersRequest(
        query=query, page=types_pb2.PageRequest(page_size=limit)))
    found = [plain(e) for e in response.employers]
    show(session_of(ctx).as_json, {"employers": found}, rows_table(
        f"Employers matching {query!r}", ["npp", "legal name", "branch", "risk group", "status"],
        [(e["npp"], e["legal_name"], e["branch_code"], e["risk_group"], e["status"]) for e in found]))
