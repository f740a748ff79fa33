"""Component `read_model`: membership's and contributions' events into benefits' read model.

Membership's worker and employer events give the facts a claim is decided on (programs,
employments, wages, family, termination, death: M-3..M-8), through the chassis's
membership replica; contributions' StandingChanged keeps each employer's standing history
(C-8), from which JPK learns when arrears were paid off (B-JPK-6), through the chassis's
standing replica. Both write by natural key, so a redelivery, even under a new event id,
leaves the same rows. The office tree has its own consumer (bootstrap).
"""
from __future__ import annotations

from services.benefits.adapters.tables import membership, standing
from services.chassis.runtime import ConsumerSpec
from services.chassis.service_context import ServiceContext

MEMBERSHIP_CONSUMER = "benefits-membership"
STANDING_CONSUMER = "benefits-standing"


class ReadModel:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx


def build(ctx: ServiceContext) -> ReadModel:
    return ReadModel(ctx)


def consumers(read_model: ReadModel) -> list[ConsumerSpec]:
    return [membership.consumer(MEMBERSHIP_CONSUMER), standing.consumer(STANDING_CONSUMER)]
