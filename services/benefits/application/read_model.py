"""Component `read_model`: membership's and contributions' events into benefits' read model.

Membership's worker and employer events give the facts a claim is decided on (programs,
employments, wages, family, termination, death: M-3..M-8); contributions' StandingChanged
keeps each employer's standing history (C-8), from which JPK learns when arrears were paid
off (B-JPK-6). Handlers write by natural key, so a redelivery, even under a new event id,
leaves the same rows. The office tree has its own consumer (bootstrap).
"""
from __future__ import annotations


from jamsos.contributions.v1 import events_pb2 as contributions_events
from jamsos.membership.v1 import employers_pb2, events_pb2, workers_pb2
from services.benefits.adapters.read_model_store import ReadModelStore
from services.chassis.consumer import HandlerRegistry
from services.chassis.convert import enum_word, event_day, to_date
from services.chassis.runtime import ConsumerSpec
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork

MEMBERSHIP_CONSUMER = "benefits-membership"
STANDING_CONSUMER = "benefits-standing"




class ReadModel:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx
        self.membership = HandlerRegistry()
        for payload, handler in (
            (events_pb2.EmployerRegistered, self.on_employer),
            (events_pb2.EmployerChanged, self.on_employer),
            (events_pb2.WorkerEnrolled, self.on_worker_enrolled),
            (events_pb2.WorkerTransferred, self.on_worker_transferred),
            (events_pb2.WorkerWageChanged, self.on_wage_changed),
            (events_pb2.WorkerFamilyChanged, self.on_family_changed),
            (events_pb2.WorkerTerminated, self.on_worker_terminated),
            (events_pb2.WorkerDied, self.on_worker_died),
        ):
            self.membership.on(payload, handler)
        self.contributions = HandlerRegistry()
        self.contributions.on(contributions_events.StandingChanged, self.on_standing_changed)

    # ---- employers (M-1) -----------------------------------------------------------------
    def on_employer(self, uow: UnitOfWork, envelope, payload) -> None:
        employer = payload.employer
        ReadModelStore(uow.session).upsert_employer({
            "npp": employer.npp, "branch_code": employer.branch_code, "legal_name": employer.legal_name,
            "registration_date": to_date(employer, "registration_date", required=False),
            "status": enum_word(employers_pb2.EmployerStatus, employer.status, "EMPLOYER_STATUS_", "ACTIVE"),
        })

    # ---- workers (M-3, M-4, M-8) ---------------------------------------------------------
    def on_worker_enrolled(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerEnrolled) -> None:
        self._take_up(uow, payload.worker)

    def on_worker_transferred(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerTransferred) -> None:
        """Mutasi: the previous employment ends, the same KPJ starts at the new employer (M-3)."""
        worker = payload.worker
        end = to_date(payload, "previous_end_date", required=False) or to_date(worker, "start_date")
        ReadModelStore(uow.session).close_employment(worker.kpj, payload.previous_npp, end)
        self._take_up(uow, worker)

    def _take_up(self, uow: UnitOfWork, worker: workers_pb2.Worker) -> None:
        store, start = ReadModelStore(uow.session), to_date(worker, "start_date")
        programs = [enum_word(workers_pb2.Program, p, "PROGRAM_", "") for p in worker.programs]
        store.upsert_worker({
            "kpj": worker.kpj, "nik": worker.nik, "name": worker.name, "birth_date": to_date(worker, "birth_date"),
            "npp": worker.npp, "branch_code": worker.branch_code,
            "status": enum_word(workers_pb2.WorkerStatus, worker.status, "WORKER_STATUS_", "ACTIVE"),
            "marital_status": enum_word(workers_pb2.MaritalStatus, worker.marital_status, "MARITAL_STATUS_", "SINGLE"),
            # No program listed is all four (membership's enrolment default).
            "programs": ",".join(p for p in programs if p) or "JHT,JKK,JK,JPK",
            "end_date": to_date(worker, "end_date", required=False), "end_reason": worker.end_reason or None,
            "death_date": to_date(worker, "death_date", required=False),
        }, start)
        store.upsert_employment(worker.kpj, worker.npp, start, worker.branch_code,
                                to_date(worker, "end_date", required=False))
        store.set_wage(worker.kpj, start, worker.monthly_wage.rupiah)

    def on_wage_changed(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerWageChanged) -> None:
        """JKK pays on the wage of the accident day: the history is kept by effective date."""
        ReadModelStore(uow.session).set_wage(payload.kpj, event_day(payload, "effective_date", envelope.occurred_at),
                                             payload.monthly_wage.rupiah)

    def on_family_changed(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerFamilyChanged) -> None:
        """M-6: the family as listed now (JPK dependants, JK heirs to check against)."""
        marital = enum_word(workers_pb2.MaritalStatus, payload.marital_status, "MARITAL_STATUS_", "") or None
        members = [{"name": m.name, "relation": enum_word(workers_pb2.Relation, m.relation, "RELATION_", "CHILD"),
                    "birth_date": to_date(m, "birth_date", required=False), "married": m.married,
                    "member_id": m.member_id.strip()[:36] or None}
                   for m in payload.members]
        ReadModelStore(uow.session).replace_family(payload.kpj, marital, members)

    def on_worker_terminated(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerTerminated) -> None:
        """M-8 PHK: JHT's waiting period (B-JHT-1) counts from this last day worked."""
        reason = enum_word(workers_pb2.TerminationReason, payload.reason, "TERMINATION_REASON_", "OTHER")
        ReadModelStore(uow.session).terminate(payload.kpj, payload.npp, to_date(payload, "termination_date"), reason)

    def on_worker_died(self, uow: UnitOfWork, envelope, payload: events_pb2.WorkerDied) -> None:
        ReadModelStore(uow.session).record_death(payload.kpj, to_date(payload, "death_date"))

    # ---- contributions: standing (C-8) ---------------------------------------------------
    def on_standing_changed(self, uow: UnitOfWork, envelope, payload: contributions_events.StandingChanged) -> None:
        """One row per employer and day: the history JPK reads "arrears paid off on" from."""
        ReadModelStore(uow.session).record_standing({
            "npp": payload.npp, "as_of": event_day(payload, "as_of", envelope.occurred_at), "branch_code": payload.branch_code,
            "in_arrears": payload.in_arrears, "good_standing": payload.good_standing,
            "arrears_rupiah": payload.arrears.rupiah,
        })


def build(ctx: ServiceContext) -> ReadModel:
    return ReadModel(ctx)


def consumers(read_model: ReadModel) -> list[ConsumerSpec]:
    return [ConsumerSpec(MEMBERSHIP_CONSUMER, ("membership",), read_model.membership),
            ConsumerSpec(STANDING_CONSUMER, ("contributions",), read_model.contributions)]
