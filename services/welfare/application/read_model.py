"""The read model of what the welfare rules need, from other services' events:

- membership: employers (registration date, branch) and workers (member since, active,
  wage, employer): W-S-2, W-K-1, W-P-2;
- contributions: StandingChanged, the employer's good standing (C-8);
- benefits: MemberDeceased and MemberTotallyDisabled with `work_accident`, the orphan and
  disabled-parent path of W-S-2.

Every handler writes upserts keyed by business ids (NPP, KPJ, dates, kinds), so a
redelivery, or the same payload re-sent with a new event id, changes nothing. Each
source has a consumer group of its own; the office tree and the UMK replica keep theirs.
"""
from __future__ import annotations


from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.common.v1 import envelope_pb2
from jamsos.contributions.v1 import events_pb2 as contributions_events
from jamsos.membership.v1 import employers_pb2, workers_pb2
from jamsos.membership.v1 import events_pb2 as membership_events
from services.chassis.consumer import HandlerRegistry
from services.chassis.convert import enum_word, event_day, to_date
from services.chassis.runtime import ConsumerSpec
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.read_model_store import ReadModelStore

MEMBERSHIP_CONSUMER = "welfare-membership"
STANDING_CONSUMER = "welfare-standing"
BENEFITS_CONSUMER = "welfare-benefits"
Envelope = envelope_pb2.EventEnvelope




class ReadModel:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx
        self.membership = HandlerRegistry()
        for payload, handler in (
            (membership_events.EmployerRegistered, self.on_employer),
            (membership_events.EmployerChanged, self.on_employer),
            (membership_events.WorkerEnrolled, self.on_worker_enrolled),
            (membership_events.WorkerTransferred, self.on_worker_transferred),
            (membership_events.WorkerWageChanged, self.on_wage_changed),
            (membership_events.WorkerTerminated, self.on_worker_terminated),
            (membership_events.WorkerDied, self.on_worker_died),
        ):
            self.membership.on(payload, handler)
        self.standing = HandlerRegistry()
        self.standing.on(contributions_events.StandingChanged, self.on_standing_changed)
        self.benefits = HandlerRegistry()
        self.benefits.on(benefits_events.MemberDeceased, self.on_member_deceased)
        self.benefits.on(benefits_events.MemberTotallyDisabled, self.on_member_disabled)

    # ---- membership: employers (M-1) --------------------------------------------------------
    def on_employer(self, uow: UnitOfWork, envelope: Envelope, payload) -> None:
        employer = payload.employer
        ReadModelStore(uow.session).upsert_employer(
            employer.npp, employer.branch_code, employer.legal_name, to_date(employer, "registration_date"),
            enum_word(employers_pb2.EmployerStatus, employer.status, "EMPLOYER_STATUS_", "ACTIVE"))

    # ---- membership: workers (M-3, M-4, M-8) ---------------------------------------------------
    def on_worker_enrolled(self, uow: UnitOfWork, envelope: Envelope, payload: membership_events.WorkerEnrolled) -> None:
        self._take_up_employment(uow, payload.worker)

    def on_worker_transferred(self, uow: UnitOfWork, envelope: Envelope,
                              payload: membership_events.WorkerTransferred) -> None:
        """Mutasi: the previous employment ends, the same KPJ (and membership) goes on."""
        worker = payload.worker
        end = to_date(payload, "previous_end_date", required=False) or to_date(worker, "start_date")
        ReadModelStore(uow.session).close_employment(worker.kpj, payload.previous_npp, end)
        self._take_up_employment(uow, worker)

    def _take_up_employment(self, uow: UnitOfWork, worker: workers_pb2.Worker) -> None:
        store, start = ReadModelStore(uow.session), to_date(worker, "start_date")
        store.upsert_worker({
            "kpj": worker.kpj, "npp": worker.npp, "branch_code": worker.branch_code, "name": worker.name[:200],
            "status": enum_word(workers_pb2.WorkerStatus, worker.status, "WORKER_STATUS_", "ACTIVE"),
            "death_date": to_date(worker, "death_date", required=False)})
        store.upsert_employment(worker.kpj, worker.npp, start, to_date(worker, "end_date", required=False))
        store.set_wage(worker.kpj, start, worker.monthly_wage.rupiah)

    def on_wage_changed(self, uow: UnitOfWork, envelope: Envelope, payload: membership_events.WorkerWageChanged) -> None:
        ReadModelStore(uow.session).set_wage(payload.kpj, event_day(payload, "effective_date", envelope.occurred_at),
                                             payload.monthly_wage.rupiah)

    def on_worker_terminated(self, uow: UnitOfWork, envelope: Envelope,
                             payload: membership_events.WorkerTerminated) -> None:
        store = ReadModelStore(uow.session)
        store.close_employment(payload.kpj, payload.npp, to_date(payload, "termination_date"))
        store.mark_non_active(payload.kpj)

    def on_worker_died(self, uow: UnitOfWork, envelope: Envelope, payload: membership_events.WorkerDied) -> None:
        ReadModelStore(uow.session).record_death(payload.kpj, to_date(payload, "death_date"))

    # ---- contributions: standing (C-8) ----------------------------------------------------------
    def on_standing_changed(self, uow: UnitOfWork, envelope: Envelope,
                            payload: contributions_events.StandingChanged) -> None:
        ReadModelStore(uow.session).set_standing(payload.npp, event_day(payload, "as_of", envelope.occurred_at), payload.good_standing,
                                                 payload.in_arrears, payload.arrears.rupiah)

    # ---- benefits: deaths and disabilities established by claims (W-S-2) -------------------------
    def on_member_deceased(self, uow: UnitOfWork, envelope: Envelope, payload: benefits_events.MemberDeceased) -> None:
        ReadModelStore(uow.session).record_incident(payload.kpj, "DECEASED", payload.work_accident,
                                                    event_day(payload, "death_date", envelope.occurred_at), payload.claim_id)

    def on_member_disabled(self, uow: UnitOfWork, envelope: Envelope,
                           payload: benefits_events.MemberTotallyDisabled) -> None:
        ReadModelStore(uow.session).record_incident(payload.kpj, "TOTALLY_DISABLED", payload.work_accident,
                                                    event_day(payload, "established_on", envelope.occurred_at), payload.claim_id)


def build(ctx: ServiceContext) -> ReadModel:
    return ReadModel(ctx)


def consumers(read_model: ReadModel) -> list[ConsumerSpec]:
    return [ConsumerSpec(MEMBERSHIP_CONSUMER, ("membership",), read_model.membership),
            ConsumerSpec(STANDING_CONSUMER, ("contributions",), read_model.standing),
            ConsumerSpec(BENEFITS_CONSUMER, ("benefits",), read_model.benefits)]
