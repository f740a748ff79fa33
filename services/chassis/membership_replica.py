"""Membership's employers and workers as another service keeps them: one component.

Membership owns employers, workers, employments, wages and families and publishes their
changes; contributions, benefits and welfare each keep a replica of what they need:

    replica = MembershipReplica(metadata, {Part.RISK_GROUPS})      # tables.py: the rm_* tables
    replica.register(registry, hooks)                              # beside its other handlers, or
    replica.consumer("welfare-membership")                         # a consumer group of its own
    MembershipQueries(replica.tables, session).wage_on(kpj, day)   # reading it back

Every service has employers, workers, employments and wages; a service adds the parts it
uses (`Part`). Every write is keyed by natural keys (upserts), so a redelivered event, or
the same payload under a new event id, leaves the same rows. `ChangeHooks` lets a service
act on a change in the same transaction (contributions turns a change of a billed period
into a correction bill, C-5); by default a change is simply applied.

The replica also records, per source topic partition, the highest offset it has applied
(in the transaction that applied it, ignored and duplicate events included: they are
behind it too), so a reader can tell how far it has caught up (`positions()`).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, Index, Integer, MetaData, Row, String, Table, Text, bindparam, delete,
    exists, insert, select, update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import SchemaItem

from jamsos.common.v1 import envelope_pb2
from jamsos.membership.v1 import employers_pb2, events_pb2, workers_pb2

from .consumer import HandlerRegistry, MessagePosition
from .convert import enum_word, event_day, to_date
from .prebuilt import PrebuiltConnection
from .replica_enrolments import Held, distinct_runs, enrolment_rows, start_date
from .row_security import not_branch_data
from .runtime import ConsumerSpec
from .unit_of_work import UnitOfWork
from .upsert import upsert

if TYPE_CHECKING:
    from alembic.operations import Operations

Envelope = envelope_pb2.EventEnvelope
POSITIONS = "rm_replica_positions"
NAMES_VERSION = "rm_names_version"
NAMES_VERSION_ROW = 1


class Part(StrEnum):
    """What a service keeps beyond employers, workers, employments and wages."""
    EMPLOYER_DETAILS = "employer_details"  # address and kind (the SPI's header)
    RISK_GROUPS = "risk_groups"            # JKK risk group by effective date (C-3)
    MARITAL_HISTORY = "marital_history"    # marital status by effective date (C-4)
    WORKER_IDENTITY = "worker_identity"    # NIK, birth date, marital status now, member since, end of work,
                                           # each employment's branch (what a claim is decided on)
    FAMILY = "family"                      # the family as last listed (M-6)
    NAMES_VERSION = "names_version"        # one counter, moved with every change of a held worker's name
                                           # (what a kept answer showing names is checked against in one row)


@dataclass(frozen=True)
class MembershipTables:
    employers: Table
    workers: Table
    employments: Table
    wages: Table
    positions: Table
    risk_groups: Table | None = None
    marital: Table | None = None
    family: Table | None = None
    names_version: Table | None = None
    parts: frozenset[Part] = field(default_factory=frozenset)


def _tables(metadata: MetaData, parts: frozenset[Part]) -> MembershipTables:
    details = Part.EMPLOYER_DETAILS in parts
    identity = Part.WORKER_IDENTITY in parts
    employers = Table(
        "rm_employers", metadata,
        Column("npp", String(12), primary_key=True),
        Column("branch_code", String(30), nullable=False, index=True),
        Column("legal_name", String(200), nullable=False),
        *([Column("address", Text, nullable=False), Column("kind", String(30), nullable=False)] if details else []),
        Column("registration_date", Date, nullable=False),
        Column("status", String(12), nullable=False),
        Index("ix_rm_employers_branch_npp", "branch_code", "npp"),  # billing walks a branch in NPP order
    )
    identity_columns: list[SchemaItem] = [
        Column("nik", String(16), nullable=False),
        Column("birth_date", Date, nullable=False),
        Column("marital_status", String(10), nullable=False),
        Column("member_since", Date, nullable=False),  # the first employment's start (M-3)
        Column("end_date", Date, nullable=True),  # last day worked after PHK (M-8)
        Column("end_reason", String(30), nullable=True),
    ] if identity else []
    workers = Table(
        "rm_workers", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("npp", String(12), nullable=False, index=True),  # the current (or last) employer
        Column("branch_code", String(30), nullable=False, index=True),
        Column("status", String(12), nullable=False),  # ACTIVE, NON_ACTIVE, DECEASED
        Column("programs", String(40), nullable=False),  # "JHT,JKK,JK,JPK"
        Column("death_date", Date, nullable=True),
        *identity_columns,
    )
    # Employment periods: who works for which employer when (mutasi moves a KPJ, M-3).
    employments = Table(
        "rm_employments", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("npp", String(12), primary_key=True),
        Column("start_date", Date, primary_key=True),
        *([Column("branch_code", String(30), nullable=False)] if identity else []),
        Column("end_date", Date, nullable=True),
        Index("ix_rm_employments_npp", "npp", "start_date"),
    )
    # Effective-dated, so a day is read with the wage in force then (and a back-dated change lands there).
    wages = Table(
        "rm_worker_wages", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("effective_date", Date, primary_key=True),
        Column("monthly_wage", BigInteger, nullable=False),
    )
    positions = Table(
        POSITIONS, metadata,
        Column("topic", String(200), primary_key=True),
        Column("partition", Integer, primary_key=True),
        Column("last_offset", BigInteger, nullable=False),  # the highest offset applied
        Column("event_id", String(36), nullable=False),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    risk_groups = Table(
        "rm_employer_risk_groups", metadata,
        Column("npp", String(12), primary_key=True),
        Column("effective_date", Date, primary_key=True),
        Column("risk_group", Integer, nullable=False),
    ) if Part.RISK_GROUPS in parts else None
    marital = Table(
        "rm_worker_marital", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("effective_date", Date, primary_key=True),
        Column("marital_status", String(10), nullable=False),
    ) if Part.MARITAL_HISTORY in parts else None
    family = Table(
        "rm_family_members", metadata,
        Column("kpj", String(11), primary_key=True),
        Column("position", Integer, primary_key=True),
        Column("name", String(100), nullable=False),
        Column("relation", String(10), nullable=False),  # SPOUSE, CHILD
        Column("birth_date", Date, nullable=True),
        Column("married", Boolean, nullable=False),
        Column("member_id", String(36), nullable=True),  # membership's stable id (M-6)
    ) if Part.FAMILY in parts else None
    # A single row (id 1). Moved in the transaction that renames a worker the replica holds,
    # so an answer built from names at version v is current while the row still reads v; a
    # KPJ's first row changes no name held before (a kept answer showing "" for an unknown
    # worker is its keeper's to refuse). Events of one worker arrive in order (keyed by KPJ).
    names_version = Table(
        NAMES_VERSION, metadata,
        Column("id", Integer, primary_key=True),
        Column("version", BigInteger, nullable=False),
        info=not_branch_data("one counter of the replica's worker names, no branch's data"),
    ) if Part.NAMES_VERSION in parts else None
    return MembershipTables(employers, workers, employments, wages, positions, risk_groups, marital, family,
                            names_version, parts)


def known_names(t: MembershipTables) -> set[str]:
    """What an enrolment reads of a held worker's row, by the replica's parts."""
    return ({"member_since"} if Part.WORKER_IDENTITY in t.parts else set()) | (
        {"name"} if t.names_version is not None else set())


class _Statements:
    """The statements of every enrolment and position, built once per set of tables (run
    prebuilt: building and executing them through the Session was most of an event's CPU)."""

    def __init__(self, t: MembershipTables):
        kpj: Any = bindparam("kpj")
        e, m, w, p = t.employments, t.marital, t.workers, t.positions
        known = []  # what take_up_employment reads before it writes, as one row
        if Part.WORKER_IDENTITY in t.parts:
            known.append(select(w.c.member_since).where(w.c.kpj == kpj).scalar_subquery().label("member_since"))
        if m is not None:
            known.append(exists().where(e.c.kpj == kpj, e.c.npp == bindparam("npp"),
                                        e.c.start_date == bindparam("start_date")).label("employed"))
            known.append(self.latest_marital(m, kpj, bindparam("on")).label("marital"))
        if t.names_version is not None:
            known.append(select(w.c.name).where(w.c.kpj == kpj).scalar_subquery().label("name"))
        self.known = select(*known) if known else None
        v = t.names_version
        self.bump_names = (update(v).where(v.c.id == NAMES_VERSION_ROW).values(version=v.c.version + 1)
                           if v is not None else None)
        self.marital_in_force = select(self.latest_marital(m, kpj, bindparam("on"))) if m is not None else None
        # The same for many workers at once (a run of enrolments): a row each of what is held.
        kpjs: Any = bindparam("kpjs", expanding=True)
        held = [w.c[name] for name in ("member_since", "name") if name in known_names(t)]
        self.held_workers = select(w.c.kpj, *held).where(w.c.kpj.in_(kpjs)) if held else None
        self.held_employments = (select(e.c.kpj, e.c.npp, e.c.start_date).where(e.c.kpj.in_(kpjs))
                                 if m is not None else None)
        self.held_marital = (select(m.c.kpj, m.c.marital_status).where(m.c.kpj.in_(kpjs))
                             .order_by(m.c.kpj, m.c.effective_date) if m is not None else None)
        # Parameters named b_<column> (a column's own name is the SET clause's).
        self.advance_position = (update(p).where(p.c.topic == bindparam("b_topic"),
                                                 p.c.partition == bindparam("b_partition"),
                                                 p.c.last_offset < bindparam("b_last_offset"))
                                 .values(last_offset=bindparam("b_last_offset"), event_id=bindparam("b_event_id"),
                                         applied_at=bindparam("b_applied_at")))

    @staticmethod
    def latest_marital(m: Table, kpj: Any, on: Any) -> Any:
        return (select(m.c.marital_status).where(m.c.kpj == kpj, m.c.effective_date <= on)
                .order_by(m.c.effective_date.desc()).limit(1).scalar_subquery())


@dataclass(frozen=True)
class EmploymentChange:
    """Worker `kpj` joins or leaves employers `npps` from `since`."""

    kpj: str
    npps: tuple[str, ...]
    since: date


class ChangeHooks(Protocol):
    """What a service does around a change (contributions: corrections of billed periods, C-5)."""

    def employments_changed(self, uow: UnitOfWork, changes: Sequence[EmploymentChange],
                            apply: Callable[[], None]) -> None:
        """Workers join or leave employers (enrolment, transfer, PHK, death): one change, or a
        run of enrolments of distinct workers applied together by `apply`."""

    def fact_changed(self, uow: UnitOfWork, *, since: date, apply: Callable[[], None],
                     kpj: str | None = None, npp: str | None = None) -> None:
        """A fact that prices a period (wage, marital status, risk group) changes from `since`."""


class ApplyAtOnce:
    """The default hooks: a change is applied, nothing else."""

    def employments_changed(self, uow: UnitOfWork, changes: Sequence[EmploymentChange],
                            apply: Callable[[], None]) -> None:
        apply()

    def fact_changed(self, uow: UnitOfWork, *, since: date, apply: Callable[[], None],
                     kpj: str | None = None, npp: str | None = None) -> None:
        apply()


class MembershipStore:
    """The replica's writes, by natural key; with `db` (the unit of work's prebuilt
    connection, same transaction) an event's frequent statements run prebuilt."""

    def __init__(self, tables: MembershipTables, session: Session, db: PrebuiltConnection | None = None,
                 statements: _Statements | None = None):
        self.t = tables
        self.session = session
        self.db = db
        self._statements = statements

    def _has(self, part: Part) -> bool:
        return part in self.t.parts

    @property
    def statements(self) -> _Statements:
        if self._statements is None:
            self._statements = _Statements(self.t)
        return self._statements

    def _execute(self, statement: Any, params: Mapping[str, Any]) -> Any:
        return (self.db or self.session).execute(statement, params)

    def _upsert(self, table: Table, values: Mapping[str, Any] | Sequence[Mapping[str, Any]], key: Sequence[str], *,
                update: Sequence[str] | None = None) -> None:
        upsert(self.db or self.session, table, values, key, update=update)

    # ---- employers (M-1) -------------------------------------------------------------------
    def upsert_employer(self, employer: employers_pb2.Employer) -> None:
        values: dict[str, Any] = {
            "npp": employer.npp, "branch_code": employer.branch_code, "legal_name": employer.legal_name[:200],
            "registration_date": to_date(employer, "registration_date"),
            "status": enum_word(employers_pb2.EmployerStatus, employer.status, "EMPLOYER_STATUS_", "ACTIVE"),
        }
        if self._has(Part.EMPLOYER_DETAILS):
            values["address"] = employer.address
            values["kind"] = enum_word(employers_pb2.EmployerKind, employer.kind, "EMPLOYER_KIND_", "COMPANY")
        upsert(self.session, self.t.employers, values, ["npp"])

    def set_risk_group(self, npp: str, since: date, risk_group: int) -> None:
        if self.t.risk_groups is not None and 1 <= risk_group <= 5:
            upsert(self.session, self.t.risk_groups, {"npp": npp, "effective_date": since, "risk_group": risk_group},
                   ["npp", "effective_date"])

    # ---- workers (M-3, M-4, M-8) -----------------------------------------------------------
    def take_up_employment(self, worker: workers_pb2.Worker) -> None:
        """The worker as the event carries it, a new employment from its start, its wage then."""
        self._take_up([worker], {worker.kpj: self._known_of(worker)})

    def take_up_employments(self, workers: Sequence[workers_pb2.Worker]) -> None:
        """`take_up_employment` of each of these workers (distinct KPJs), a statement per table
        for all of them."""
        if len(workers) == 1:
            self.take_up_employment(workers[0])
            return
        assert len({w.kpj for w in workers}) == len(workers), "a run of enrolments names each worker once"
        self._take_up(workers, self._known_of_many(workers))

    def _known_of(self, worker: workers_pb2.Worker) -> Held:
        """One read of one worker (the `known` statement's row)."""
        statement = self.statements.known
        if statement is None:
            return Held()
        row = self._execute(statement, {"kpj": worker.kpj, "npp": worker.npp, "start_date": to_date(worker, "start_date"),
                                        "on": date.max}).first()
        mapping = row._mapping
        return Held(member_since=mapping.get("member_since"), name=mapping.get("name"),
                      employed=bool(mapping.get("employed")), marital=mapping.get("marital"))

    def _known_of_many(self, workers: Sequence[workers_pb2.Worker]) -> dict[str, Held]:
        """The same of many workers: a statement per table for all of them."""
        st, kpjs = self.statements, [w.kpj for w in workers]
        held: dict[str, Any] = {}
        if st.held_workers is not None:
            held = {row.kpj: row._mapping for row in self._execute(st.held_workers, {"kpjs": kpjs})}
        employments: set[tuple[str, str, date]] = set()
        latest: dict[str, str] = {}
        if st.held_employments is not None and st.held_marital is not None:
            employments = {(r.kpj, r.npp, r.start_date) for r in self._execute(st.held_employments, {"kpjs": kpjs})}
            latest = {r.kpj: r.marital_status for r in self._execute(st.held_marital, {"kpjs": kpjs})}  # oldest first
        known = {}
        for worker in workers:
            row = held.get(worker.kpj, {})
            known[worker.kpj] = Held(member_since=row.get("member_since"), name=row.get("name"),
                                       employed=(worker.kpj, worker.npp, to_date(worker, "start_date")) in employments,
                                       marital=latest.get(worker.kpj))
        return known

    def _take_up(self, workers: Sequence[workers_pb2.Worker], known: Mapping[str, Held]) -> None:
        rows = [enrolment_rows(worker, known[worker.kpj], identity=self._has(Part.WORKER_IDENTITY),
                               marital_history=self.t.marital is not None, names_version=self.t.names_version is not None)
                for worker in workers]
        if any(r.renamed for r in rows):
            self._bump_names_version()
        self._upsert(self.t.workers, [r.worker for r in rows], ["kpj"])
        self._upsert(self.t.employments, [r.employment for r in rows], ["kpj", "npp", "start_date"])
        self._upsert(self.t.wages, [r.wage for r in rows], ["kpj", "effective_date"])
        marital = [r.marital for r in rows if r.marital is not None]
        if marital and self.t.marital is not None:
            self._upsert(self.t.marital, marital, ["kpj", "effective_date"])

    def _bump_names_version(self) -> None:
        """A held worker's name changes in this transaction: every answer built before is stale.
        The row is the migration's; were it missing, it is made (an update of nothing would
        leave every kept answer current forever)."""
        assert self.t.names_version is not None and self.statements.bump_names is not None
        if self._execute(self.statements.bump_names, {}).rowcount == 0:
            self._upsert(self.t.names_version, {"id": NAMES_VERSION_ROW, "version": 1}, ["id"])

    def set_wage(self, kpj: str, since: date, monthly_wage: int) -> None:
        self._upsert(self.t.wages, {"kpj": kpj, "effective_date": since, "monthly_wage": monthly_wage},
                     ["kpj", "effective_date"])

    def marital_in_force(self, kpj: str, on: date) -> str | None:
        statement = self.statements.marital_in_force
        if statement is None:
            return None
        status: str | None = self._execute(statement, {"kpj": kpj, "on": on}).scalar()
        return status

    def set_marital(self, kpj: str, since: date, marital_status: str) -> None:
        if self.t.marital is not None:
            self._upsert(self.t.marital, {"kpj": kpj, "effective_date": since, "marital_status": marital_status},
                         ["kpj", "effective_date"])

    def set_current_marital(self, kpj: str, marital_status: str) -> None:
        if self._has(Part.WORKER_IDENTITY):
            w = self.t.workers
            self.session.execute(update(w).where(w.c.kpj == kpj).values(marital_status=marital_status))

    def replace_family(self, kpj: str, members: Sequence[Mapping[str, Any]]) -> None:
        """The whole family as the event lists it (M-6) replaces the one held."""
        f = self.t.family
        if f is None:
            return
        self.session.execute(delete(f).where(f.c.kpj == kpj))
        if members:
            self.session.execute(insert(f), [{"kpj": kpj, "position": i, **m} for i, m in enumerate(members)])

    def close_employment(self, kpj: str, npp: str, end: date) -> None:
        """Ends the latest employment of `kpj` at `npp` that started on or before `end`."""
        e = self.t.employments
        start = self.session.execute(select(e.c.start_date).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date <= end)
                                     .order_by(e.c.start_date.desc()).limit(1)).scalar()
        if start is not None:
            self.session.execute(update(e).where(e.c.kpj == kpj, e.c.npp == npp, e.c.start_date == start)
                                 .values(end_date=end))

    def terminate(self, kpj: str, npp: str, day: date, reason: str) -> None:
        """PHK (M-8): the employment ends and the worker is no longer active (a deceased one stays DECEASED)."""
        w = self.t.workers
        self.close_employment(kpj, npp, day)
        if self._has(Part.WORKER_IDENTITY):
            self.session.execute(update(w).where(w.c.kpj == kpj).values(end_date=day, end_reason=reason))
        self.session.execute(update(w).where(w.c.kpj == kpj, w.c.status != "DECEASED").values(status="NON_ACTIVE"))

    def record_death(self, kpj: str, died: date) -> None:
        """Death (M-8) ends every open employment on that day; the worker is DECEASED."""
        e, w = self.t.employments, self.t.workers
        self.session.execute(update(e).where(e.c.kpj == kpj, e.c.end_date.is_(None)).values(end_date=died))
        self.session.execute(update(w).where(w.c.kpj == kpj).values(status="DECEASED", death_date=died))

    # ---- how far it has caught up ------------------------------------------------------------
    def record_position(self, position: MessagePosition, event_id: str) -> None:
        """The partition's highest offset applied: it only moves forward (a replay is behind it)."""
        row = {"topic": position.topic, "partition": position.partition, "last_offset": position.offset,
               "event_id": event_id[:36], "applied_at": datetime.now(UTC)}
        self._upsert(self.t.positions, row, ["topic", "partition"], update=())
        self._execute(self.statements.advance_position, {f"b_{name}": value for name, value in row.items()})


class MembershipQueries:
    """Reading the replica back (for the platform: a service checks the caller's scope first)."""

    def __init__(self, tables: MembershipTables, session: Session):
        self.t = tables
        self.session = session

    def worker(self, kpj: str) -> Row[Any] | None:
        return self.session.execute(select(self.t.workers).where(self.t.workers.c.kpj == kpj)).first()

    def employer(self, npp: str) -> Row[Any] | None:
        return self.session.execute(select(self.t.employers).where(self.t.employers.c.npp == npp)).first()

    def employments_of(self, kpj: str) -> list[Row[Any]]:
        e = self.t.employments
        return list(self.session.execute(select(e).where(e.c.kpj == kpj).order_by(e.c.start_date)).all())

    def wage_on(self, kpj: str, day: date) -> int | None:
        """The monthly wage in force on `day`."""
        w = self.t.wages
        value = self.session.execute(select(w.c.monthly_wage).where(w.c.kpj == kpj, w.c.effective_date <= day)
                                     .order_by(w.c.effective_date.desc()).limit(1)).scalar()
        return None if value is None else int(value)

    def family_of(self, kpj: str) -> list[Row[Any]]:
        f = self.t.family
        if f is None:
            return []
        return list(self.session.execute(select(f).where(f.c.kpj == kpj).order_by(f.c.position)).all())

    def positions(self) -> dict[tuple[str, int], int]:
        """(topic, partition) -> the highest offset applied."""
        p = self.t.positions
        return {(r.topic, r.partition): int(r.last_offset)
                for r in self.session.execute(select(p.c.topic, p.c.partition, p.c.last_offset)).all()}


class MembershipReplica:
    """The rm_* tables a service keeps of membership, and the handlers that keep them current."""

    def __init__(self, metadata: MetaData, parts: Iterable[Part] = ()):
        self.tables = _tables(metadata, frozenset(parts))
        self._statements = _Statements(self.tables)

    def store(self, session: Session, db: PrebuiltConnection | None = None) -> MembershipStore:
        return MembershipStore(self.tables, session, db, self._statements)

    def queries(self, session: Session) -> MembershipQueries:
        return MembershipQueries(self.tables, session)

    def consumer(self, name: str, hooks: ChangeHooks | None = None) -> ConsumerSpec:
        """A consumer group of its own on membership's events (upserts through the unit of work:
        applied in batches)."""
        registry = HandlerRegistry(in_batches=True)
        self.register(registry, hooks)
        return ConsumerSpec(name, ("membership",), registry)

    def register(self, registry: HandlerRegistry, hooks: ChangeHooks | None = None) -> None:
        """Membership's employer and worker events into this replica, each through `hooks`."""
        handlers = _Handlers(self, hooks or ApplyAtOnce())
        registry.on(events_pb2.EmployerRegistered, handlers.on_employer_registered)
        registry.on(events_pb2.EmployerChanged, handlers.on_employer_changed)
        registry.on(events_pb2.WorkerEnrolled, handlers.on_worker_enrolled, many=handlers.on_workers_enrolled)
        registry.on(events_pb2.WorkerTransferred, handlers.on_worker_transferred)
        registry.on(events_pb2.WorkerWageChanged, handlers.on_wage_changed)
        if self.tables.parts & {Part.MARITAL_HISTORY, Part.WORKER_IDENTITY, Part.FAMILY}:
            registry.on(events_pb2.WorkerFamilyChanged, handlers.on_family_changed)
        registry.on(events_pb2.WorkerTerminated, handlers.on_worker_terminated)
        registry.on(events_pb2.WorkerDied, handlers.on_worker_died)
        registry.track_positions(lambda uow, envelope, position: self.store(uow.session, uow.prebuilt)
                                 .record_position(position, envelope.event_id))


class _Handlers:
    def __init__(self, replica: MembershipReplica, hooks: ChangeHooks):
        self.replica = replica
        self.hooks = hooks

    def _store(self, uow: UnitOfWork) -> MembershipStore:
        return self.replica.store(uow.session, uow.prebuilt)

    # ---- employers (M-1, C-3) --------------------------------------------------------------
    def on_employer_registered(self, uow: UnitOfWork, envelope: Envelope, payload: events_pb2.EmployerRegistered) -> None:
        employer, store = payload.employer, self._store(uow)
        store.upsert_employer(employer)
        since = to_date(employer, "risk_group_effective_date", required=False) or to_date(employer, "registration_date")
        assert since is not None  # registration_date is required
        store.set_risk_group(employer.npp, since, employer.risk_group)

    def on_employer_changed(self, uow: UnitOfWork, envelope: Envelope, payload: events_pb2.EmployerChanged) -> None:
        employer, store = payload.employer, self._store(uow)
        store.upsert_employer(employer)
        if payload.change == "risk_group" and self.replica.tables.risk_groups is not None:
            since = event_day(payload, "effective_date", envelope.occurred_at)
            self.hooks.fact_changed(uow, since=since, npp=employer.npp,
                                    apply=lambda: store.set_risk_group(employer.npp, since, employer.risk_group))

    # ---- workers (M-3, M-4, M-6, M-8) --------------------------------------------------------
    def on_worker_enrolled(self, uow: UnitOfWork, envelope: Envelope, payload: events_pb2.WorkerEnrolled) -> None:
        """M-3: a new employment from its start (a start in a billed period is the hooks' to correct)."""
        self.on_workers_enrolled(uow, [(envelope, payload)])

    def on_workers_enrolled(self, uow: UnitOfWork, events: Sequence[tuple[Envelope, events_pb2.WorkerEnrolled]]) -> None:
        """A batch's consecutive enrolments, as one by one: a run of distinct workers at a time
        (the same worker twice waits for the next run), its writes a statement per table."""
        store = self._store(uow)
        for run in distinct_runs([payload.worker for _, payload in events]):
            changes = [EmploymentChange(w.kpj, (w.npp,), start_date(w)) for w in run]
            self.hooks.employments_changed(uow, changes, apply=functools.partial(store.take_up_employments, run))

    def on_worker_transferred(self, uow: UnitOfWork, envelope: Envelope, payload: events_pb2.WorkerTransferred) -> None:
        """Mutasi: the previous employment ends, the same KPJ starts at the new employer."""
        worker, store = payload.worker, self._store(uow)
        start = to_date(worker, "start_date")
        assert start is not None
        end = to_date(payload, "previous_end_date", required=False) or start

        def apply() -> None:
            store.close_employment(worker.kpj, payload.previous_npp, end)
            store.take_up_employment(worker)

        change = EmploymentChange(worker.kpj, (payload.previous_npp, worker.npp), min(start, end))
        self.hooks.employments_changed(uow, [change], apply=apply)

    def on_wage_changed(self, uow: UnitOfWork, envelope: Envelope, payload: events_pb2.WorkerWageChanged) -> None:
        """The new wage from its effective date."""
        since = event_day(payload, "effective_date", envelope.occurred_at)
        wage = payload.monthly_wage.rupiah
        self.hooks.fact_changed(uow, since=since, kpj=payload.kpj,
                                apply=lambda: self._store(uow).set_wage(payload.kpj, since, wage))

    def on_family_changed(self, uow: UnitOfWork, envelope: Envelope, payload: events_pb2.WorkerFamilyChanged) -> None:
        """M-6: the marital status from the change on (dated where kept), and the family as listed now."""
        store = self._store(uow)
        if Part.FAMILY in self.replica.tables.parts:
            store.replace_family(payload.kpj, [
                {"name": m.name, "relation": enum_word(workers_pb2.Relation, m.relation, "RELATION_", "CHILD"),
                 "birth_date": to_date(m, "birth_date", required=False), "married": m.married,
                 "member_id": m.member_id.strip()[:36] or None}
                for m in payload.members])
        if not payload.marital_status:
            return
        marital = enum_word(workers_pb2.MaritalStatus, payload.marital_status, "MARITAL_STATUS_", "SINGLE")
        store.set_current_marital(payload.kpj, marital)
        if self.replica.tables.marital is not None:
            # One entry of membership's history: from its own date until the next entry, so a
            # report dated before a later one (arriving after it) never overrides the later one;
            # an entry that changes no day's status (a family list change) changes nothing.
            since = to_date(payload, "marital_status_since", required=False) or event_day(
                payload, "effective_date", envelope.occurred_at)
            if store.marital_in_force(payload.kpj, since) != marital:
                self.hooks.fact_changed(uow, since=since, kpj=payload.kpj,
                                        apply=lambda: store.set_marital(payload.kpj, since, marital))

    def on_worker_terminated(self, uow: UnitOfWork, envelope: Envelope, payload: events_pb2.WorkerTerminated) -> None:
        """M-8 PHK: the employment ends on the last day worked."""
        ended = to_date(payload, "termination_date")
        assert ended is not None
        reason = enum_word(workers_pb2.TerminationReason, payload.reason, "TERMINATION_REASON_", "OTHER")
        self.hooks.employments_changed(uow, [EmploymentChange(payload.kpj, (payload.npp,), ended)],
                                       apply=lambda: self._store(uow).terminate(payload.kpj, payload.npp, ended, reason))

    def on_worker_died(self, uow: UnitOfWork, envelope: Envelope, payload: events_pb2.WorkerDied) -> None:
        """M-8: death ends every open employment."""
        died = to_date(payload, "death_date")
        assert died is not None
        change = EmploymentChange(payload.kpj, (payload.npp,) if payload.npp else (), died)
        self.hooks.employments_changed(uow, [change], apply=lambda: self._store(uow).record_death(payload.kpj, died))


def create_positions_table_op(op: Operations) -> None:
    """The positions table in a service's migration (explicit, so history never changes)."""
    import sqlalchemy as sa

    op.create_table(POSITIONS,
                    sa.Column("topic", sa.String(length=200), nullable=False),
                    sa.Column("partition", sa.Integer(), nullable=False),
                    sa.Column("last_offset", sa.BigInteger(), nullable=False),
                    sa.Column("event_id", sa.String(length=36), nullable=False),
                    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint("topic", "partition"))


def create_names_version_table_op(op: Operations) -> None:
    """The names version's one row (Part.NAMES_VERSION) in a service's migration."""
    import sqlalchemy as sa

    table = op.create_table(NAMES_VERSION,
                            sa.Column("id", sa.Integer(), nullable=False),
                            sa.Column("version", sa.BigInteger(), nullable=False),
                            sa.PrimaryKeyConstraint("id"))
    op.bulk_insert(table, [{"id": NAMES_VERSION_ROW, "version": 0}])


__all__ = ["ApplyAtOnce", "ChangeHooks", "MembershipQueries", "MembershipReplica", "MembershipStore",
           "MembershipTables", "Part", "create_names_version_table_op", "create_positions_table_op"]
