"""The membership read model: employers, workers, employments and effective-dated facts
as contributions needs them (from membership's events; membership's database is never read).

Every handler writes with upserts keyed by natural keys, so a redelivered event (which
the inbox drops anyway) changes nothing, and effective-dated rows (wages, marital status,
risk groups) make a back-dated change land in the right periods. A change that takes
effect in a period already billed issues a correction bill in the same transaction
(`billing.corrections`, C-5). OfficeTreeChanged replaces the office tree used for the
branch scope of every request (O-2), through the chassis's office replica.
"""
from __future__ import annotations

from datetime import date

from jamsos.membership.v1 import employers_pb2, events_pb2, workers_pb2
from services.chassis.consumer import HandlerRegistry
from services.chassis.convert import enum_word, event_day, to_date
from services.chassis.runtime import ConsumerSpec
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.read_model_store import ReadModelStore, register_office_tree
from services.contributions.application.billing.corrections import correct_billed_periods, correct_worker_billing
from services.contributions.application.context import ContributionsContext

CONSUMER = "contributions-membership"




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
        register_office_tree(self.registry, ctx.directory)  # O-1, O-2: the tree the branch scope uses

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
            since = event_day(payload, "effective_date", envelope.occurred_at)
            correct_billed_periods(uow, since=since, today=self.ctx.today(), npp=employer.npp,
                                   apply=lambda: self._set_risk_group(uow, employer.npp, since, employer.risk_group))

    def _upsert_employer(self, uow: UnitOfWork, employer: employers_pb2.Employer) -> None:
        ReadModelStore(uow.session).upsert_employer({
            "npp": employer.npp, "branch_code": employer.branch_code, "legal_name": employer.legal_name,
            "address": employer.address,
            "kind": enum_word(employers_pb2.EmployerKind, employer.kind, "EMPLOYER_KIND_", "COMPANY"),
            "registration_date": to_date(employer, "registration_date"),
            "status": enum_word(employers_pb2.EmployerStatus, employer.status, "EMPLOYER_STATUS_", "ACTIVE"),
        })

    @staticmethod
    def _set_risk_group(uow: UnitOfWork, npp: str, since: date, risk_group: int) -> None:
        if 1 <= risk_group <= 5:
            ReadModelStore(uow.session).set_risk_group(npp, since, risk_group)

    # ---- workers (M-3, M-4, M-8) ----------------------------------------------------------
    def on_worker_enrolled(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerEnrolled) -> None:
        """M-3: a new employment; a start in a billed period (or an event later than the
        run) is billed by a correction (C-5)."""
        worker = payload.worker
        correct_worker_billing(uow, kpj=worker.kpj, npps=[worker.npp], since=to_date(worker, "start_date"),
                               apply=lambda: self._take_up_employment(uow, worker))

    def on_worker_transferred(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerTransferred) -> None:
        """Mutasi: the previous employment ends, the same KPJ starts at the new employer;
        billed periods move from the one's bill to the other's by corrections (C-5)."""
        worker = payload.worker
        start = to_date(worker, "start_date")
        end = to_date(payload, "previous_end_date", required=False) or start

        def apply() -> None:
            self._close_employment(uow, worker.kpj, payload.previous_npp, end)
            self._take_up_employment(uow, worker)

        correct_worker_billing(uow, kpj=worker.kpj, npps=[payload.previous_npp, worker.npp], since=min(start, end),
                               apply=apply)

    def _take_up_employment(self, uow: UnitOfWork, worker: workers_pb2.Worker) -> None:
        store, start = ReadModelStore(uow.session), to_date(worker, "start_date")
        self._upsert_worker(uow, worker)
        end = to_date(worker, "end_date", required=False)
        store.upsert_employment(worker.kpj, worker.npp, start, end)
        store.set_wage(worker.kpj, start, worker.monthly_wage.rupiah)
        marital = enum_word(workers_pb2.MaritalStatus, worker.marital_status, "MARITAL_STATUS_", "SINGLE")
        if store.marital_in_force(worker.kpj, start) != marital:  # a transfer must not mask a back-dated family change
            store.set_marital(worker.kpj, start, marital)

    def _upsert_worker(self, uow: UnitOfWork, worker: workers_pb2.Worker) -> None:
        programs = [enum_word(workers_pb2.Program, p, "PROGRAM_", "") for p in worker.programs]
        ReadModelStore(uow.session).upsert_worker({
            "kpj": worker.kpj, "name": worker.name, "npp": worker.npp, "branch_code": worker.branch_code,
            "status": enum_word(workers_pb2.WorkerStatus, worker.status, "WORKER_STATUS_", "ACTIVE"),
            "programs": ",".join(p for p in programs if p), "death_date": to_date(worker, "death_date", required=False),
        })

    def on_wage_changed(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerWageChanged) -> None:
        """C-1..C-4 on the new wage from its effective date, billed periods corrected."""
        since = event_day(payload, "effective_date", envelope.occurred_at)
        wage = payload.monthly_wage.rupiah
        correct_billed_periods(uow, since=since, today=self.ctx.today(), kpj=payload.kpj,
                               apply=lambda: ReadModelStore(uow.session).set_wage(payload.kpj, since, wage))

    def on_family_changed(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerFamilyChanged) -> None:
        """C-4: JPK 3% single / 6% married from the change on, billed periods corrected."""
        if not payload.marital_status:
            return
        since = event_day(payload, "effective_date", envelope.occurred_at)
        marital = enum_word(workers_pb2.MaritalStatus, payload.marital_status, "MARITAL_STATUS_", "SINGLE")
        correct_billed_periods(uow, since=since, today=self.ctx.today(), kpj=payload.kpj,
                               apply=lambda: ReadModelStore(uow.session).set_marital(payload.kpj, since, marital))

    def on_worker_terminated(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerTerminated) -> None:
        """M-8 PHK: the employment ends; the worker is not billed after that period, and
        billed periods after it are credited (C-5)."""
        ended = to_date(payload, "termination_date")

        def apply() -> None:
            self._close_employment(uow, payload.kpj, payload.npp, ended)
            ReadModelStore(uow.session).mark_non_active(payload.kpj)

        correct_worker_billing(uow, kpj=payload.kpj, npps=[payload.npp], since=ended, apply=apply)

    def on_worker_died(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerDied) -> None:
        """M-8: death ends every open employment; billed periods after it are credited (C-5)."""
        died = to_date(payload, "death_date")
        correct_worker_billing(uow, kpj=payload.kpj, npps=[payload.npp] if payload.npp else [], since=died,
                               apply=lambda: ReadModelStore(uow.session).record_death(payload.kpj, died))

    @staticmethod
    def _close_employment(uow: UnitOfWork, kpj: str, npp: str, end: date) -> None:
        """Ends the latest employment of `kpj` at `npp` that started on or before `end`."""
        ReadModelStore(uow.session).close_employment(kpj, npp, end)

def build(ctx: ContributionsContext) -> ReadModel:
    return ReadModel(ctx)


def consumers(read_model: ReadModel) -> list[ConsumerSpec]:
    return [ConsumerSpec(CONSUMER, ("membership",), read_model.registry)]
