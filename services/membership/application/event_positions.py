"""Component `event_positions`: how far membership's events have reached the broker (issue 12 b).

A client that changed membership and wants another service to act on it (contributions
billing a late worker) needs a point to wait for that it can actually obtain: the broker's
positions of membership's events, taken once every event committed before the call has been
published (the relay publishes within milliseconds; waited for a few seconds at most).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from services.chassis.config import topic_of
from services.membership.adapters.event_positions import last_event_id, published_positions, unpublished_up_to
from services.membership.application.context import MembershipContext
from services.membership.domain.roles import MembershipAction

TOPIC = topic_of("membership")
PUBLISH_WAIT_SECONDS = 3.0  # how long the answer waits for the relay to publish what was committed
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class EventPositionView:
    topic: str
    positions: dict[int, int]  # partition -> highest offset acknowledged
    unpublished: int  # events committed before the call, not yet published


class EventPositions:
    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def get(self) -> EventPositionView:
        self.ctx.authorise(MembershipAction.READ)
        with self.ctx.base.read_session() as session:
            last = last_event_id(session)
        deadline = time.monotonic() + PUBLISH_WAIT_SECONDS
        while True:
            with self.ctx.base.read_session() as session:
                waiting = unpublished_up_to(session, last)
                if not waiting or time.monotonic() >= deadline:
                    return EventPositionView(TOPIC, published_positions(session, TOPIC), waiting)
            time.sleep(POLL_SECONDS)


def build(ctx: MembershipContext) -> EventPositions:
    return EventPositions(ctx)
