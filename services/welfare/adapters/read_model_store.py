"""The read model of other services' events (rm_* tables), as the consumers write it.

Membership's employers and workers and contributions' standing are the chassis's
replicas (`membership_replica.py`, `standing_replica.py`, which write them themselves);
what is welfare's own is the incidents benefits established. Every write is an
upsert keyed by business ids (NPP, KPJ, dates), so a redelivered event, or one re-sent
with a new event id, leaves the rows as they were. Rows here belong to no caller: only
this process's consumers write them (reads go through MemberRepository).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.chassis.upsert import upsert
from services.welfare.adapters.tables import rm_member_incidents


class ReadModelStore:
    def __init__(self, session: Session):
        self.session = session

    def record_incident(self, kpj: str, kind: str, work_accident: bool, on: date, claim_id: str) -> None:
        """A death or total disability benefits established (one row per KPJ and kind)."""
        upsert(self.session, rm_member_incidents, {"kpj": kpj, "kind": kind, "work_accident": work_accident,
                                                   "on_date": on, "claim_id": claim_id[:100]}, ["kpj", "kind"])
