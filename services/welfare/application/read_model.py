"""The read model of what the welfare rules need, from other services' events:

- membership: employers (registration date, branch) and workers (member since, active,
  wage, employer): W-S-2, W-K-1, W-P-2, as the chassis's membership replica keeps them;
- contributions: StandingChanged, the employer's good standing (C-8), as the chassis's
  standing replica keeps it;
- benefits: MemberDeceased and MemberTotallyDisabled with `work_accident`, the orphan and
  disabled-parent path of W-S-2.

Every handler writes upserts keyed by business ids (NPP, KPJ, dates, kinds), so a
redelivery, or the same payload re-sent with a new event id, changes nothing. Each
source has a consumer group of its own; the office tree and the UMK replica keep theirs.
"""
from __future__ import annotations


from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.common.v1 import envelope_pb2
from services.chassis.consumer import HandlerRegistry
from services.chassis.convert import event_day
from services.chassis.runtime import ConsumerSpec
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.read_model_store import ReadModelStore
from services.welfare.adapters.tables import membership, standing

MEMBERSHIP_CONSUMER = "welfare-membership"
STANDING_CONSUMER = "welfare-standing"
BENEFITS_CONSUMER = "welfare-benefits"
Envelope = envelope_pb2.EventEnvelope


class ReadModel:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx
        self.benefits = HandlerRegistry()
        self.benefits.on(benefits_events.MemberDeceased, self.on_member_deceased)
        self.benefits.on(benefits_events.MemberTotallyDisabled, self.on_member_disabled)

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
    return [membership.consumer(MEMBERSHIP_CONSUMER), standing.consumer(STANDING_CONSUMER),
            ConsumerSpec(BENEFITS_CONSUMER, ("benefits",), read_model.benefits)]
