"""`jamsos worker` and `jamsos card`: enrol (one, or a CSV file), find a KPJ, family, cards."""
from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from jamsos.membership.v1 import cards_pb2, cards_pb2_grpc, workers_pb2, workers_pb2_grpc

from . import enrolment_csv, errors
from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, show
from .values import parse_date, parse_rupiah, pb_date, pb_money, proto_enum

app = typer.Typer(help="Workers (KPJ): enrol, find, family.", no_args_is_help=True)
cards_app = typer.Typer(help="KPJ and KPK cards: issue, render to a file.", no_args_is_help=True)


class Sex(str, Enum):
    MALE = "male"
    FEMALE = "female"


class Marital(str, Enum):
    SINGLE = "single"
    MARRIED = "married"
    DIVORCED = "divorced"
    WIDOWED = "widowed"


class ProgramChoice(str, Enum):
    JHT = "JHT"
    JKK = "JKK"
    JK = "JK"
    JPK = "JPK"


class CardKind(str, Enum):
    KPJ = "kpj"
    KPK = "kpk"


class CardFormat(str, Enum):
    PDF = "pdf"
    PNG = "png"


def _workers(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("membership", workers_pb2_grpc.WorkerServiceStub)


def _cards(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("membership", cards_pb2_grpc.CardServiceStub)


def worker_table(worker: dict[str, Any], title: str = "") -> Any:
    keys = ("kpj", "name", "nik", "birth_date", "sex", "marital_status", "monthly_wage", "npp", "branch_code",
            "start_date", "status", "programs", "kind", "end_date")
    return record_table(title or f"Worker {worker['kpj']}", [(k, worker[k]) for k in keys])


@app.command("enrol")
def enrol(
    ctx: typer.Context,
    npp: Annotated[str, typer.Option("--npp", help="the employer")],
    nik: Annotated[str, typer.Option("--nik", help="16-digit NIK")],
    name: Annotated[str, typer.Option("--name")],
    born: Annotated[date, typer.Option("--born", parser=parse_date, help="birth date")],
    sex: Annotated[Sex, typer.Option("--sex", case_sensitive=False)],
    marital: Annotated[Marital, typer.Option("--marital", case_sensitive=False)],
    wage: Annotated[int, typer.Option("--wage", parser=parse_rupiah, help="monthly wage, whole rupiah")],
    start: Annotated[date, typer.Option("--start", parser=parse_date, help="start of employment")],
    programs: Annotated[list[ProgramChoice] | None, typer.Option("--program", help="repeat; none means all four")] = None,
    request_id: RequestId = None,
) -> None:
    """Enrol one worker; a NIK known elsewhere is a transfer that keeps the KPJ (M-3)."""
    request = workers_pb2.EnrolWorkerRequest(
        request_id=new_request_id(request_id), npp=npp, nik=nik, name=name, birth_date=pb_date(born),
        sex=proto_enum("SEX", sex.name, workers_pb2), marital_status=proto_enum("MARITAL_STATUS", marital.name, workers_pb2),
        monthly_wage=pb_money(wage), start_date=pb_date(start),
        programs=[proto_enum("PROGRAM", p.name, workers_pb2) for p in programs or []])
    response = plain(_workers(ctx).EnrolWorker(request))
    worker = response["worker"]
    show(session_of(ctx).as_json, response, worker_table(worker, f"Worker {worker['kpj']}: {response['outcome']}"))


@app.command("enrol-csv")
def enrol_csv(
    ctx: typer.Context,
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="columns: " + ",".join(enrolment_csv.COLUMNS))],
    npp: Annotated[str, typer.Option("--npp", help="the employer of every row")],
    results: Annotated[Path | None, typer.Option("--results", dir_okay=False, help="per-row result CSV (default: <file>.results.csv)")] = None,
    request_id: RequestId = None,
) -> None:
    """Enrol a CSV file of workers with a progress bar; writes one result per row. Resending the
    file with the same --request-id changes nothing twice. Exit 2 when any row was rejected."""
    session = session_of(ctx)
    rows, local_rejects = enrolment_csv.read_rows(csv_file, session.as_json)
    batch_id = new_request_id(request_id)
    outcome = enrolment_csv.send(session, _workers(ctx), batch_id, npp, rows, local_rejects)
    path = results or csv_file.with_suffix(".results.csv")
    enrolment_csv.write_results(path, outcome.results, session.as_json)
    summary = {"request_id": batch_id, "npp": npp, "rows": len(outcome.results), "counts": outcome.counts,
               "results_file": str(path), "results": outcome.results}
    show(session.as_json, summary, rows_table(
        f"Enrolment of {csv_file.name} for {npp} (results in {path})", ["outcome", "rows"],
        sorted(outcome.counts.items())))
    if outcome.counts.get("REJECTED"):
        raise typer.Exit(errors.BAD_INPUT)


@app.command("show")
def show_worker(ctx: typer.Context, kpj: Annotated[str, typer.Argument()]) -> None:
    """One worker by KPJ."""
    worker = plain(_workers(ctx).GetWorker(workers_pb2.GetWorkerRequest(kpj=kpj)).worker)
    show(session_of(ctx).as_json, {"worker": worker}, worker_table(worker))


@app.command("find-kpj")
def find_kpj(ctx: typer.Context, nik: Annotated[str, typer.Option("--nik")],
             born: Annotated[date, typer.Option("--born", parser=parse_date)]) -> None:
    """A lost KPJ by NIK and birth date (M-5)."""
    found = plain(_workers(ctx).FindKpj(workers_pb2.FindKpjRequest(nik=nik, birth_date=pb_date(born))))
    show(session_of(ctx).as_json, found, record_table("KPJ found", found.items()))


def _member(text: str, relation: Any, option: str) -> workers_pb2.FamilyMember:
    name, _, rest = text.partition("=")
    born_text, _, flag = rest.partition(",")
    try:
        born = date.fromisoformat(born_text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r}: expected NAME=YYYY-MM-DD[,married]", param_hint=option) from None
    if not name.strip() or flag.strip() not in ("", "married"):
        raise typer.BadParameter(f"{text!r}: expected NAME=YYYY-MM-DD[,married]", param_hint=option)
    return workers_pb2.FamilyMember(name=name.strip(), relation=relation, birth_date=pb_date(born),
                                    married=flag.strip() == "married")


def _family_tables(family: dict[str, Any], kpj: str) -> list[Any]:
    columns = ["name", "relation", "birth date", "married"]
    return [rows_table(f"Family of {kpj}", columns, [(m["name"], m["relation"], m["birth_date"], m["married"])
                                                     for m in family["members"]]),
            rows_table("Covered dependants (M-6)", columns, [(m["name"], m["relation"], m["birth_date"], m["married"])
                                                            for m in family["covered_dependants"]])]


@app.command("set-family")
def set_family(
    ctx: typer.Context,
    kpj: Annotated[str, typer.Argument()],
    spouse: Annotated[list[str] | None, typer.Option("--spouse", help="NAME=YYYY-MM-DD (repeatable)")] = None,
    child: Annotated[list[str] | None, typer.Option("--child", help="NAME=YYYY-MM-DD[,married] (repeatable)")] = None,
    request_id: RequestId = None,
) -> None:
    """Replace a worker's family; prints who is covered (M-6)."""
    members = [_member(s, workers_pb2.RELATION_SPOUSE, "--spouse") for s in spouse or []]
    members += [_member(c, workers_pb2.RELATION_CHILD, "--child") for c in child or []]
    family = plain(_workers(ctx).ChangeFamily(workers_pb2.ChangeFamilyRequest(
        request_id=new_request_id(request_id), kpj=kpj, members=members)))
    show(session_of(ctx).as_json, family, *_family_tables(family, kpj))


@app.command("family")
def family(ctx: typer.Context, kpj: Annotated[str, typer.Argument()],
           on: Annotated[date | None, typer.Option("--on", parser=parse_date, help="coverage on this date (default today)")] = None) -> None:
    """A worker's family and covered dependants on a date (M-6)."""
    found = plain(_workers(ctx).GetFamily(workers_pb2.GetFamilyRequest(kpj=kpj, on_date=pb_date(on))))
    show(session_of(ctx).as_json, found, *_family_tables(found, kpj))


@cards_app.command("issue")
def issue_card(ctx: typer.Context, kpj: Annotated[str, typer.Argument()],
               kind: Annotated[CardKind, typer.Option("--type", case_sensitive=False)] = CardKind.KPJ,
               request_id: RequestId = None) -> None:
    """Issue a KPJ card, or a KPK health card for a JPK member (M-5, B-JPK-1)."""
    card = plain(_cards(ctx).IssueCard(cards_pb2.IssueCardRequest(
        request_id=new_request_id(request_id), kpj=kpj, card_type=proto_enum("CARD_TYPE", kind.name, cards_pb2))).card)
    show(session_of(ctx).as_json, {"card": card}, record_table(f"Card {card['card_number']}", card.items()))


@cards_app.command("render")
def render_card(
    ctx: typer.Context,
    kpj: Annotated[str, typer.Argument()],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="file to write")],
    kind: Annotated[CardKind, typer.Option("--type", case_sensitive=False)] = CardKind.KPJ,
    file_format: Annotated[CardFormat, typer.Option("--format", case_sensitive=False)] = CardFormat.PDF,
) -> None:
    """Write an issued card to a file (PDF or PNG)."""
    response = _cards(ctx).DownloadCard(cards_pb2.DownloadCardRequest(
        kpj=kpj, card_type=proto_enum("CARD_TYPE", kind.name, cards_pb2),
        format=proto_enum("CARD_FORMAT", file_format.name, cards_pb2)))
    written = write_document(out, response.content, session_of(ctx).as_json)
    shown = {"card": plain(response.card), "file": written, "media_type": response.media_type,
             "bytes": len(response.content)}
    show(session_of(ctx).as_json, shown, record_table("Card written", [
        ("card", shown["card"]["card_number"]), ("file", written), ("media type", response.media_type),
        ("bytes", len(response.content))]))


def write_document(out: Path, content: bytes, as_json: bool) -> str:
    """Writes a rendered document; an unwritable path is a usage error (exit 2)."""
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise errors.fail(f"cannot write {out}: {exc.strerror}", errors.BAD_INPUT, as_json) from None
    return str(out)


