"""Contributions' employer standing (C-8) as another service keeps it: one component.

Contributions decides standing and publishes `StandingChanged`; benefits (JPK: when were
the arrears paid off, B-JPK-6) and welfare (good standing of an applicant's employer,
W-S-2, W-K-1) keep its history, one row per employer and day:

    standing = StandingReplica(metadata)                    # tables.py: `rm_employer_standing`
    standing.consumer("welfare-standing")                   # its own consumer group on contributions' events
    standing.queries(session).latest(npp)                   # reading it back

Writes are upserts by (NPP, day), so a redelivered event, or the same payload under a new
event id, leaves the same rows. `with_branch=True` keeps the employer's branch on each row
(benefits' table has it, so row security filters it by branch; welfare's has not).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, Boolean, Column, Date, MetaData, String, Table, func, select
from sqlalchemy.orm import Session

from jamsos.common.v1 import envelope_pb2
from jamsos.contributions.v1 import events_pb2

from .consumer import HandlerRegistry
from .convert import event_day
from .runtime import ConsumerSpec
from .unit_of_work import UnitOfWork
from .upsert import upsert

TABLE = "rm_employer_standing"


@dataclass(frozen=True)
class Standing:
    """The standing contributions published for an employer on a day."""
    npp: str
    as_of: date
    good_standing: bool
    in_arrears: bool
    arrears_rupiah: int


class StandingQueries:
    """Reading the history back (for the platform: a service checks the caller's scope first)."""

    def __init__(self, table: Table, session: Session):
        self.t = table
        self.session = session

    def latest(self, npp: str, on: date | None = None) -> Standing | None:
        """The standing last published for `npp` (up to `on` when given); None if none yet."""
        s = self.t
        statement = select(s.c.npp, s.c.as_of, s.c.good_standing, s.c.in_arrears, s.c.arrears_rupiah).where(
            s.c.npp == npp)
        if on is not None:
            statement = statement.where(s.c.as_of <= on)
        row = self.session.execute(statement.order_by(s.c.as_of.desc()).limit(1)).first()
        return None if row is None else Standing(row.npp, row.as_of, bool(row.good_standing), bool(row.in_arrears),
                                                 int(row.arrears_rupiah))

    def in_arrears_on(self, npp: str, on: date) -> bool:
        """Whether the standing in force on `on` was in arrears (never published: not)."""
        standing = self.latest(npp, on)
        return standing is not None and standing.in_arrears

    def arrears_paid_off_on(self, npp: str, on: date) -> date | None:
        """The day the employer's arrears were last paid off, up to `on` (B-JPK-6): the first
        day of good standing after the latest day in arrears; None if never in arrears or
        not paid off yet."""
        s = self.t
        last_arrears = self.session.execute(select(func.max(s.c.as_of)).where(
            s.c.npp == npp, s.c.as_of <= on, s.c.in_arrears.is_(True))).scalar()
        if last_arrears is None:
            return None
        return self.session.execute(select(func.min(s.c.as_of)).where(
            s.c.npp == npp, s.c.as_of > last_arrears, s.c.as_of <= on, s.c.in_arrears.is_(False))).scalar()


class StandingReplica:
    """The `rm_employer_standing` table and the handler that keeps it current."""

    def __init__(self, metadata: MetaData, *, with_branch: bool = False):
        self.with_branch = with_branch
        self.table = Table(
            TABLE, metadata,
            Column("npp", String(12), primary_key=True),
            Column("as_of", Date, primary_key=True),
            *([Column("branch_code", String(30), nullable=False)] if with_branch else []),
            Column("in_arrears", Boolean, nullable=False),
            Column("good_standing", Boolean, nullable=False),
            Column("arrears_rupiah", BigInteger, nullable=False),
        )

    def queries(self, session: Session) -> StandingQueries:
        return StandingQueries(self.table, session)

    def register(self, registry: HandlerRegistry) -> None:
        """Apply contributions' StandingChanged to this service's history."""
        registry.on(events_pb2.StandingChanged, self._on_standing_changed)

    def consumer(self, name: str) -> ConsumerSpec:
        """A consumer group of its own on contributions' events, applying only standing (in batches)."""
        registry = HandlerRegistry(in_batches=True)
        self.register(registry)
        return ConsumerSpec(name, ("contributions",), registry)

    def _on_standing_changed(self, uow: UnitOfWork, envelope: envelope_pb2.EventEnvelope,
                             payload: events_pb2.StandingChanged) -> None:
        """One row per employer and day (the day computed, else the event's)."""
        values: dict[str, object] = {
            "npp": payload.npp, "as_of": event_day(payload, "as_of", envelope.occurred_at),
            "in_arrears": payload.in_arrears, "good_standing": payload.good_standing,
            "arrears_rupiah": payload.arrears.rupiah,
        }
        if self.with_branch:
            values["branch_code"] = payload.branch_code
        upsert(uow.session, self.table, values, ["npp", "as_of"])


__all__ = ["Standing", "StandingQueries", "StandingReplica"]
