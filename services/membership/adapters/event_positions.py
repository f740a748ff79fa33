"""Where membership's published events stand in the broker, from its outbox (which keeps the
partition and offset the broker acknowledged for each row)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.chassis.outbox_relay import acknowledged_offsets
from services.membership.adapters.tables import platform

outbox = platform["outbox"]


def last_event_id(session: Session) -> int:
    """The outbox id of the latest event committed so far (0 when none)."""
    return int(session.execute(select(func.coalesce(func.max(outbox.c.id), 0))).scalar_one())


def unpublished_up_to(session: Session, last_id: int) -> int:
    """How many of the events up to `last_id` still wait to be published."""
    return int(session.execute(select(func.count()).select_from(outbox).where(
        outbox.c.published_at.is_(None), outbox.c.id <= last_id)).scalar_one())


def published_positions(session: Session, topic: str) -> dict[int, int]:
    """Partition -> the highest offset the broker acknowledged for `topic`."""
    return {partition: offset for (_, partition), offset in acknowledged_offsets(session, outbox, topic).items()}
