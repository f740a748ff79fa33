"""The membership read model: employers, workers, employments and effective-dated facts
as contributions needs them (from membership's events; membership's database is never read).

Every handler writes with upserts keyed by natural keys, so a redelivered event (which
the inbox drops anyway) changes nothing, and effective-dated rows (wages, marital status,
risk groups) make a back-dated change land in the right periods. A change that takes
effect in a period already billed issues a correction bill in the same transaction
(`billing_corrections`, C-5). OfficeTreeChanged replaces the office tree used for the
branch scope of every request (O-2), through the chassis's office replica.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from jamsos.membership.v1 import employers_pb2, events_pb2, workers_pb2
from services.chassis.consumer import HandlerRegistry
from services.chassis.convert import to_date
from services.chassis.runtime import ConsumerSpec
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.tables import (
    offices, rm_employer_risk_groups, rm_employers, rm_employments, rm_worker_marital, rm_worker_wages, rm_workers,
)
from services.chassis.upsert import upsert
from services.contributions.application.billing_corrections import correct_billed_periods
from services.contributions.application.context import ContributionsContext

CONSUMER = "contributions-membership"


def _enum_name(enum, value: int, prefix: str, default: str) -> str:
    name = enum.Name(value) if value in enum.values() else ""
    return name[len(prefix):] if name and value else default


def _day(message, name: str, envelope) -> date:
    """An effective date, or the day the event happened when the producer left it unset."""
    if message.HasField(name):
        return to_date(message, name)
    return envelope.occurred_at.ToDatetime().date()


class ReadModel:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx
        self.registry = HandlerRegistry()
        for payload, handler in (
            (events_pb2.EmployerRegistered, self.on_employer_registered),
            (events_pb2.EmployerChanged, self.on_employer_changed),
            (events_pb2.WorkerEnrolled, self.on_worker_enrolled),
            (events_pb2.WorkerTransferred, self.on_worker_transferred),
            (events_pb2.WorkerWageChanged, self.on_wage_changed),
            (events_pb2.WorkerFamilyChanged, self.on_family_changed),
            (events_pb2.WorkerTerminated, self.on_worker_terminated),
            (events_pb2.WorkerDied, self.on_worker_died),
        ):
            self.registry.on(payload, handler)
        offices.register(self.registry, ctx.directory)  # O-1, O-2: the tree the branch scope uses

    # ---- employers (M-1) ---------------------------------------------------------------
    def on_employer_registered(self, uow: UnitOfWork, envelope, payload: events_pb2.EmployerRegistered) -> None:
        employer = payload.employer
        self._upsert_employer(uow, employer)
        since = to_date(employer, "risk_group_effective_date", required=False) or to_date(employer, "registration_date")
        self._set_risk_group(uow, employer.npp, since, employer.risk_group)

    def on_employer_changed(self, uow: UnitOfWork, envelope, payload: events_pb2.EmployerChanged) -> None:
        employer = payload.employer
        self._upsert_employer(uow, employer)
        if payload.change == "risk_group":  # C-3: JKK of billed periods from then on is corrected
            since = _day(payload, "effective_date", envelope)
            correct_billed_periods(uow, since=since, today=self.ctx.today(), npp=employer.npp,
                                   apply=lambda: self._set_risk_group(uow, employer.npp, since, employer.risk_group))

    def _upsert_employer(self, uow: UnitOfWork, employer: employers_pb2.Employer) -> None:
        upsert(uow.session, rm_employers, {
            "npp": employer.npp, "branch_code": employer.branch_code, "legal_name": employer.legal_name,
            "address": employer.address,
            "kind": _enum_name(employers_pb2.EmployerKind, employer.kind, "EMPLOYER_KIND_", "COMPANY"),
            "registration_date": to_date(employer, "registration_date"),
            "status": _enum_name(employers_pb2.EmployerStatus, employer.status, "EMPLOYER_STATUS_", "ACTIVE"),
        }, ["npp"])

    @staticmethod
    def _set_risk_group(uow: UnitOfWork, npp: str, since: date, risk_group: int) -> None:
        if 1 <= risk_group <= 5:
            upsert(uow.session, rm_employer_risk_groups, {"npp": npp, "effective_date": since, "risk_group": risk_group},
                   ["npp", "effective_date"])

    # ---- workers (M-3, M-4, M-8) ----------------------------------------------------------
    def on_worker_enrolled(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerEnrolled) -> None:
        self._take_up_employment(uow, payload.worker)

    def on_worker_transferred(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerTransferred) -> None:
        """Mutasi: the previous employment ends, the same KPJ starts at the new employer."""
        worker = payload.worker
        end = to_date(payload, "previous_end_date", required=False) or to_date(worker, "start_date")
        self._close_employment(uow, worker.kpj, payload.previous_npp, end)
        self._take_up_employment(uow, worker)

    def _take_up_employment(self, uow: UnitOfWork, worker: workers_pb2.Worker) -> None:
        session, start = uow.session, to_date(worker, "start_date")
        self._upsert_worker(uow, worker)
        end = to_date(worker, "end_date", required=False)
        upsert(session, rm_employments, {"kpj": worker.kpj, "npp": worker.npp, "start_date": start, "end_date": end},
               ["kpj", "npp", "start_date"])
        upsert(session, rm_worker_wages, {"kpj": worker.kpj, "effective_date": start,
                                          "monthly_wage": worker.monthly_wage.rupiah}, ["kpj", "effective_date"])
        marital = _enum_name(workers_pb2.MaritalStatus, worker.marital_status, "MARITAL_STATUS_", "SINGLE")
        in_force = session.execute(select(rm_worker_marital.c.marital_status).where(
            rm_worker_marital.c.kpj == worker.kpj, rm_worker_marital.c.effective_date <= start,
        ).order_by(rm_worker_marital.c.effective_date.desc()).limit(1)).scalar()
        if in_force != marital:  # a transfer must not mask a back-dated family change
            upsert(session, rm_worker_marital, {"kpj": worker.kpj, "effective_date": start, "marital_status": marital},
                   ["kpj", "effective_date"])

    def _upsert_worker(self, uow: UnitOfWork, worker: workers_pb2.Worker) -> None:
        programs = [_enum_name(workers_pb2.Program, p, "PROGRAM_", "") for p in worker.programs]
        upsert(uow.session, rm_workers, {
            "kpj": worker.kpj, "name": worker.name, "npp": worker.npp, "branch_code": worker.branch_code,
            "status": _enum_name(workers_pb2.WorkerStatus, worker.status, "WORKER_STATUS_", "ACTIVE"),
            "programs": ",".join(p for p in programs if p), "death_date": to_date(worker, "death_date", required=False),
        }, ["kpj"])

    def on_wage_changed(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerWageChanged) -> None:
        """C-1..C-4 on the new wage from its effective date, billed periods corrected."""
        since = _day(payload, "effective_date", envelope)
        row = {"kpj": payload.kpj, "effective_date": since, "monthly_wage": payload.monthly_wage.rupiah}
        correct_billed_periods(uow, since=since, today=self.ctx.today(), kpj=payload.kpj,
                               apply=lambda: upsert(uow.session, rm_worker_wages, row, ["kpj", "effective_date"]))

    def on_family_changed(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerFamilyChanged) -> None:
        """C-4: JPK 3% single / 6% married from the change on, billed periods corrected."""
        if not payload.marital_status:
            return
        since = _day(payload, "effective_date", envelope)
        row = {"kpj": payload.kpj, "effective_date": since,
               "marital_status": _enum_name(workers_pb2.MaritalStatus, payload.marital_status, "MARITAL_STATUS_", "SINGLE")}
        correct_billed_periods(uow, since=since, today=self.ctx.today(), kpj=payload.kpj,
                               apply=lambda: upsert(uow.session, rm_worker_marital, row, ["kpj", "effective_date"]))

    def on_worker_terminated(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerTerminated) -> None:
        """M-8 PHK: the employment ends; the worker is not billed after that period."""
        self._close_employment(uow, payload.kpj, payload.npp, to_date(payload, "termination_date"))
        uow.session.execute(update(rm_workers).where(rm_workers.c.kpj == payload.kpj, rm_workers.c.status != "DECEASED")
                            .values(status="NON_ACTIVE"))

    def on_worker_died(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerDied) -> None:
        """M-8: death ends every open employment."""
        died = to_date(payload, "death_date")
        uow.session.execute(update(rm_employments).where(rm_employments.c.kpj == payload.kpj, rm_employments.c.end_date.is_(None))
                            .values(end_date=died))
        uow.session.execute(update(rm_workers).where(rm_workers.c.kpj == payload.kpj).values(status="DECEASED", death_date=died))

    @staticmethod
    def _close_employment(uow: UnitOfWork, kpj: str, npp: str, end: date) -> None:
        """Ends the latest employment of `kpj` at `npp` that started on or before `end`."""
        e = rm_employments
        start = uow.session.execute(select(e.c.start_date).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date <= end)
                                    .order_by(e.c.start_date.desc()).limit(1)).scalar()
        if start is not None:
            uow.session.execute(update(e).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date == start).values(end_date=end))


def build(ctx: ContributionsContext) -> ReadModel:
    return ReadModel(ctx)


def consumers(read_model: ReadModel) -> list[ConsumerSpec]:
    return [ConsumerSpec(CONSUMER, ("membership",), read_model.registry)]
