"""An enrolment as a replica of membership writes it: what it reads of the worker held
first, and the rows it writes from the event and that (`MembershipStore.take_up_employments`:
the same for one worker or a run of them)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from jamsos.membership.v1 import workers_pb2

from .convert import enum_word, to_date

ALL_PROGRAMS = "JHT,JKK,JK,JPK"  # no program listed is all four (membership's enrolment default, M-4)


@dataclass(frozen=True)
class Held:
    """What an enrolment reads of its worker before it writes (none of which it reads): the
    member-since date and name held, whether this employment is held, the latest marital entry."""

    member_since: date | None = None
    name: str | None = None
    employed: bool = False
    marital: str | None = None


@dataclass(frozen=True)
class EnrolmentRows:
    """An enrolment's rows: the worker, the employment, the wage, the marital entry if any."""

    worker: dict[str, Any]
    employment: dict[str, Any]
    wage: dict[str, Any]
    marital: dict[str, Any] | None
    renamed: bool  # a worker the replica holds under another name


def enrolment_rows(worker: workers_pb2.Worker, held: Held, *, identity: bool, marital_history: bool,
                   names_version: bool) -> EnrolmentRows:
    """The rows of `worker`'s enrolment, for a replica with identity, a dated marital
    history and a names version where it has them."""
    start = start_date(worker)
    end = to_date(worker, "end_date", required=False)
    marital = enum_word(workers_pb2.MaritalStatus, worker.marital_status, "MARITAL_STATUS_", "SINGLE")
    programs = ",".join(p for p in (enum_word(workers_pb2.Program, p, "PROGRAM_", "") for p in worker.programs) if p)
    values: dict[str, Any] = {
        "kpj": worker.kpj, "name": worker.name[:200], "npp": worker.npp, "branch_code": worker.branch_code,
        "status": enum_word(workers_pb2.WorkerStatus, worker.status, "WORKER_STATUS_", "ACTIVE"),
        "programs": programs or ALL_PROGRAMS, "death_date": to_date(worker, "death_date", required=False),
    }
    employment: dict[str, Any] = {"kpj": worker.kpj, "npp": worker.npp, "start_date": start, "end_date": end}
    if identity:
        since = held.member_since
        values.update(nik=worker.nik, birth_date=to_date(worker, "birth_date"), marital_status=marital,
                      member_since=min(since, start) if since else start, end_date=end,
                      end_reason=worker.end_reason or None)
        employment["branch_code"] = worker.branch_code
    entry = None
    if marital_history and not held.employed:  # the same enrolment re-sent must not re-date a status (M-6)
        entry = status_with_employment(worker.kpj, start, marital, to_date(worker, "birth_date", required=False),
                                       held.marital)
    renamed = names_version and held.name is not None and held.name != values["name"]
    return EnrolmentRows(values, employment, {"kpj": worker.kpj, "effective_date": start,
                                              "monthly_wage": worker.monthly_wage.rupiah}, entry, renamed)


def status_with_employment(kpj: str, start: date, marital: str, birth: date | None,
                           latest: str | None) -> dict[str, Any] | None:
    """The history entry membership keeps with an employment (M-6): a new member's status
    holds from birth (so a report dated before the start, arriving later, is not masked);
    a later employment's from its start, only when it differs from the latest entry
    (`latest`, read before the employment's writes, which leave that history alone)."""
    if latest is None:
        return {"kpj": kpj, "effective_date": birth or start, "marital_status": marital}
    if latest != marital:
        return {"kpj": kpj, "effective_date": start, "marital_status": marital}
    return None


def start_date(worker: workers_pb2.Worker) -> date:
    start = to_date(worker, "start_date")
    assert start is not None  # an enrolment's start is required
    return start


def distinct_runs(workers: Sequence[workers_pb2.Worker]) -> list[list[workers_pb2.Worker]]:
    """Consecutive runs in which no KPJ comes twice (each run applied as one)."""
    runs: list[list[workers_pb2.Worker]] = [[]]
    in_run: set[str] = set()
    for worker in workers:
        if worker.kpj in in_run:
            runs.append([])
            in_run = set()
        runs[-1].append(worker)
        in_run.add(worker.kpj)
    return [run for run in runs if run]
