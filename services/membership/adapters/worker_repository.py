"""Workers in the membership database: records, employment periods, wages, family, KPJ numbers.

The branch scope (O-2) lives here: `readable`/`writable` refuse a worker of a branch the
caller may not see or change, and `list_for_employer` filters by the caller's branches,
so no use case can forget the check.

The employers table belongs to the employer component; it is only *read* here, to know
whether an employer a worker enrols into exists, its branch and its kind (M-7).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Date, bindparam, case, delete, insert, select, update, text
from sqlalchemy.orm import Session

from services.chassis.lookups import LookupConnection
from services.chassis.repository import ScopedRepository
from services.chassis.prebuilt import PrebuiltConnection, Step
from services.chassis.row_security import dialect_of, system_path_steps
from services.membership.adapters.tables import (
    bulk_enrol_rows, employers, employments, family_members, marital_status_history, sequences, wage_history, workers,
)
from services.membership.domain.employers import EmployerKind
from services.membership.domain.employment_history import EmploymentPeriod, EndReason
from services.membership.domain.family import FamilyMember, Relation
from services.membership.domain.marital_history import MaritalStatusEntry
from services.membership.domain.numbers import make_kpj
from services.membership.domain.person import MaritalStatus, Sex
from services.membership.domain.workers import IdentityOnRecord, MembershipKind, Program, Worker, WorkerStatus

KPJ_SEQUENCE = "kpj"
PROGRAM_ORDER = (Program.JHT, Program.JKK, Program.JK, Program.JPK)


@dataclass(frozen=True)
class EmployerRef:
    """What enrolment needs to know about an employer (M-1, M-7)."""

    npp: str
    branch_code: str
    kind: EmployerKind
    status: str


@dataclass(frozen=True)
class BulkOutcome:
    """The stored answer to one row of a bulk enrolment batch."""

    row_number: int
    npp: str
    outcome: str
    kpj: str | None
    reasons: tuple[str, ...]
    fingerprint: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def programs_text(programs: Iterable[Program]) -> str:
    held = set(programs)
    return ",".join(p.value for p in PROGRAM_ORDER if p in held)


def _worker(row) -> Worker:
    return Worker(
        kpj=row.kpj, nik=row.nik, name=row.name, birth_date=row.birth_date, sex=Sex(row.sex),
        marital_status=MaritalStatus(row.marital_status), monthly_wage_rupiah=int(row.monthly_wage),
        employer_npp=row.npp, branch_code=row.branch_code, start_date=row.start_date,
        status=WorkerStatus(row.status),
        programs=frozenset(Program(p) for p in row.programs.split(",") if p),
        kind=MembershipKind(row.kind), end_date=row.end_date,
        end_reason=EndReason(row.end_reason) if row.end_reason else None, death_date=row.death_date,
        totally_disabled_on=row.totally_disabled_on,
    )


def _worker_values(worker: Worker) -> dict:
    return {
        "nik": worker.nik, "name": worker.name, "birth_date": worker.birth_date, "sex": worker.sex.value,
        "marital_status": worker.marital_status.value, "monthly_wage": worker.monthly_wage_rupiah,
        "npp": worker.employer_npp, "branch_code": worker.branch_code, "start_date": worker.start_date,
        "status": worker.status.value, "programs": programs_text(worker.programs), "kind": worker.kind.value,
        "end_date": worker.end_date, "end_reason": worker.end_reason.value if worker.end_reason else None,
        "death_date": worker.death_date, "totally_disabled_on": worker.totally_disabled_on,
    }


# Built once: the lookups of every call (a select built per call cost more than its query).
_BY_KPJ = select(workers).where(workers.c.kpj == bindparam("kpj"))
_BY_NIK = select(workers).where(workers.c.nik == bindparam("nik"))
# Ordered, so that concurrent batches lock shared rows in the same order (no deadlock).
_BY_NIKS = select(workers).where(workers.c.nik.in_(bindparam("niks", expanding=True))).order_by(workers.c.nik)
_BY_NIKS_LOCKED = _BY_NIKS.with_for_update()
_BY_NIK_LOCKED = _BY_NIK.with_for_update()
_IDENTITY_BY_NIK = select(workers.c.kpj, workers.c.nik, workers.c.birth_date, workers.c.name, workers.c.status,
                          workers.c.branch_code).where(workers.c.nik == bindparam("nik"))
# The day whose wage a record shows: today, or the first day of a future start (M-4).
_WAGE_DAY = case((workers.c.start_date > bindparam("today", type_=Date), workers.c.start_date),
                 else_=bindparam("today", type_=Date))
_WAGE_IN_FORCE = (
    select(wage_history.c.monthly_wage)
    .where(wage_history.c.kpj == workers.c.kpj, wage_history.c.effective_date <= _WAGE_DAY)
    .order_by(wage_history.c.effective_date.desc())
    .limit(1)
    .scalar_subquery()
)
_BY_KPJ_WITH_WAGE = select(workers, _WAGE_IN_FORCE.label("wage_in_force")).where(workers.c.kpj == bindparam("kpj"))


_EMPLOYER_REF = select(employers.c.npp, employers.c.branch_code, employers.c.kind, employers.c.status) \
    .where(employers.c.npp == bindparam("npp"))


def _lock_keys(niks: Iterable[str], batch: str | None = None) -> list[str]:
    """An enrolment's advisory lock keys, in sorted order (two enrolments never deadlock)."""
    return sorted({f"nik:{''.join(ch for ch in nik if ch.isdigit())}" for nik in niks}
                  | ({f"batch:{batch}"} if batch else set()))


def find_employer(session: Session | Connection | LookupConnection, npp: str) -> EmployerRef | None:
    """The employer a worker enrols into, unscoped: enrolment needs its kind to know which
    role (O-3, M-7) and so which scope the caller acts with, before any scope exists."""
    row = session.execute(_EMPLOYER_REF, {"npp": npp}).first()
    if row is None:
        return None
    return EmployerRef(row.npp, row.branch_code, EmployerKind(row.kind), row.status)


def bulk_batch_npp(session: Session, request_id: str) -> str | None:
    """The employer a bulk batch id was first used for, if it was used before (checked
    before the employer, and so the scope, of the batch is known)."""
    return session.execute(
        select(bulk_enrol_rows.c.npp).where(bulk_enrol_rows.c.request_id == request_id).limit(1)
    ).scalar_one_or_none()


# The write statements, built once (a statement built per call cost four times its execution).
# Rows of an INSERT come with each execution; WHERE parameters are named apart from the
# columns an UPDATE sets (`of_kpj`, `day`).
_INSERT_WORKERS = insert(workers)
_INSERT_EMPLOYMENTS = insert(employments)
_INSERT_WAGES = insert(wage_history)
_INSERT_MARITAL_STATUSES = insert(marital_status_history)
_UPDATE_WORKER = update(workers).where(workers.c.kpj == bindparam("of_kpj"))
_CLOSE_OPEN_PERIOD = update(employments).where(employments.c.kpj == bindparam("of_kpj"), employments.c.end_date.is_(None))
_DELETE_WAGE_OF_DAY = delete(wage_history).where(
    wage_history.c.kpj == bindparam("of_kpj"), wage_history.c.effective_date == bindparam("day", type_=Date))
_DELETE_MARITAL_STATUS_OF_DAY = delete(marital_status_history).where(
    marital_status_history.c.kpj == bindparam("of_kpj"), marital_status_history.c.effective_date == bindparam("day", type_=Date))
_ADVANCE_KPJS = (update(sequences).where(sequences.c.name == KPJ_SEQUENCE)
                 .values(next_value=sequences.c.next_value + bindparam("count")).returning(sequences.c.next_value))
_NEXT_KPJS = text("SELECT nextval('kpj_sequence') FROM generate_series(1, :n)")
# A volatile function in a CASE runs only on the branch taken: no number burnt for a NIK on record.
_NEXT_KPJ_UNLESS_HELD = text("SELECT CASE WHEN EXISTS (SELECT 1 FROM workers WHERE nik = :nik) THEN NULL"
                             " ELSE nextval('kpj_sequence') END")
_LOCK_KEYS = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
                  "FROM (SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k) AS ordered")


class WorkerRepository(ScopedRepository):
    """One transaction's (or read's) view of workers; `scope` is the caller's (O-2).
    Consumers and jobs open it with `WorkerRepository.for_system(session)`."""

    # ---- employers (read only) -----------------------------------------------------
    def employer(self, npp: str) -> EmployerRef | None:
        return find_employer(self.session, npp)

    def employer_readable(self, npp: str) -> EmployerRef:
        """The employer, or NotFound, also when the caller may not read its branch."""
        row = super().readable(_employer_ref_query(npp), employers.c.branch_code, "employer", npp)
        return EmployerRef(row.npp, row.branch_code, EmployerKind(row.kind), row.status)

    def employer_writable(self, npp: str) -> EmployerRef:
        """The employer a change is made for: NotFound when hidden, PermissionDenied when read-only."""
        row = super().writable(_employer_ref_query(npp), employers.c.branch_code, "employer", npp, lock=False)
        return EmployerRef(row.npp, row.branch_code, EmployerKind(row.kind), row.status)

    # ---- workers -------------------------------------------------------------------
    def get(self, kpj: str, *, lock: bool = False) -> Worker | None:
        """The worker, unscoped: for re-reading one `writable` already let through."""
        statement = select(workers).where(workers.c.kpj == kpj)
        row = self.session.execute(statement.with_for_update() if lock else statement).first()
        return _worker(row) if row else None

    def readable(self, kpj: str) -> Worker:  # type: ignore[override]
        """The worker, or NotFound, also when it is of a branch the caller may not read."""
        return _worker(super().readable(_BY_KPJ, workers.c.branch_code, "worker", kpj, {"kpj": kpj}))

    def readable_with_wage(self, kpj: str, today: date) -> tuple[Worker, int | None]:
        """The worker and the wage it shows today (M-4), in one query; scoped as `readable`."""
        row = super().readable(_BY_KPJ_WITH_WAGE, workers.c.branch_code, "worker", kpj, {"kpj": kpj, "today": today})
        return _worker(row), None if row.wage_in_force is None else int(row.wage_in_force)

    def writable(self, kpj: str, *, lock: bool = True) -> Worker:  # type: ignore[override]
        """The worker (locked for the change): NotFound when unknown or hidden,
        PermissionDenied when the caller may only read it."""
        return _worker(super().writable(_BY_KPJ, workers.c.branch_code, "worker", kpj, lock=lock, params={"kpj": kpj}))

    def by_niks(self, niks: Iterable[str], *, lock: bool = False) -> dict[str, Worker]:
        """Records of these NIKs (one query; bulk enrolment pre-loads a chunk with it).
        National, as a NIK is: whichever branch holds them (row security's system path);
        the caller decides what the scope lets it do with each (a transfer, OUT_OF_SCOPE)."""
        niks = sorted(set(niks))
        if not niks:
            return {}
        with self.every_branch():
            rows = self.session.execute(_BY_NIKS_LOCKED if lock else _BY_NIKS, {"niks": niks}).all()
        return {row.nik: _worker(row) for row in rows}

    def by_nik(self, nik: str, *, lock: bool = False) -> Worker | None:
        """The record of this NIK, whichever branch holds it (as `by_niks`)."""
        with self.every_branch():
            row = self.session.execute(_BY_NIK_LOCKED if lock else _BY_NIK, {"nik": nik}).first()
        return _worker(row) if row else None

    def identity_by_nik(self, nik: str) -> IdentityOnRecord | None:
        """What FindKpj needs of the record of this NIK, whichever branch holds it (as `by_nik`)."""
        with self.every_branch():
            row = self.session.execute(_IDENTITY_BY_NIK, {"nik": nik}).first()
        return IdentityOnRecord(row.kpj, row.nik, row.birth_date, row.name, WorkerStatus(row.status),
                                row.branch_code) if row else None

    def _write(self, statement: Any, rows: list[dict[str, Any]]) -> None:
        """A new member's rows: through a unit of work's prebuilt connection sent with the
        transaction's next statement (`PrebuiltConnection.defer`: on PostgreSQL, an
        enrolment's rows, audit, stored answer and event in one query); else at once."""
        if isinstance(self.session, PrebuiltConnection):
            self.session.defer(statement, rows)
        else:
            self.session.execute(statement, rows)

    def insert_workers(self, new: Sequence[Worker]) -> None:
        if not new:
            return
        now = _now()
        self._write(_INSERT_WORKERS, [{"kpj": w.kpj, **_worker_values(w), "created_at": now, "updated_at": now}
                                      for w in new])

    def update_worker(self, worker: Worker) -> None:
        self.session.execute(_UPDATE_WORKER, {"of_kpj": worker.kpj, **_worker_values(worker), "updated_at": _now()})

    def list_for_employer(self, npp: str, status: WorkerStatus | None, after_kpj: str | None, limit: int) -> list[Worker]:
        """Workers whose current (or last) employer is `npp`, by KPJ, within the caller's scope."""
        statement = select(workers).where(workers.c.npp == npp)
        if status is not None:
            statement = statement.where(workers.c.status == status.value)
        if after_kpj:
            statement = statement.where(workers.c.kpj > after_kpj)
        statement = self.scoped(statement, workers.c.branch_code)
        rows = self.session.execute(statement.order_by(workers.c.kpj).limit(limit)).all()
        return [_worker(row) for row in rows]

    # ---- employment periods --------------------------------------------------------
    def open_periods(self, opened: Sequence[tuple[str, EmploymentPeriod]]) -> None:
        if not opened:
            return
        self._write(_INSERT_EMPLOYMENTS, [
            {"kpj": kpj, "npp": p.npp, "branch_code": p.branch_code, "start_date": p.start_date,
             "end_date": p.end_date, "end_reason": p.end_reason.value if p.end_reason else None}
            for kpj, p in opened
        ])

    def close_open_period(self, kpj: str, end_date: date, reason: EndReason) -> None:
        self.session.execute(_CLOSE_OPEN_PERIOD, {"of_kpj": kpj, "end_date": end_date, "end_reason": reason.value})

    def periods(self, kpj: str) -> list[EmploymentPeriod]:
        rows = self.session.execute(
            select(employments).where(employments.c.kpj == kpj).order_by(employments.c.start_date, employments.c.id)
        ).all()
        return [
            EmploymentPeriod(r.npp, r.branch_code, r.start_date, r.end_date, EndReason(r.end_reason) if r.end_reason else None)
            for r in rows
        ]

    # ---- wages ---------------------------------------------------------------------
    def add_wages(self, rows: Sequence[tuple[str, date, int]]) -> None:
        """First wages of new members (no earlier row can exist)."""
        if rows:
            self._write(_INSERT_WAGES, [
                {"kpj": kpj, "effective_date": day, "monthly_wage": wage} for kpj, day, wage in rows
            ])

    def set_wage(self, kpj: str, effective_date: date, wage: int) -> None:
        """Record the wage from `effective_date`; a second report for the same date replaces it."""
        self.session.execute(_DELETE_WAGE_OF_DAY, {"of_kpj": kpj, "day": effective_date})
        self.session.execute(_INSERT_WAGES, {"kpj": kpj, "effective_date": effective_date, "monthly_wage": wage})

    def wages_on(self, requests: dict[str, date]) -> dict[str, int]:
        """The wage in force per KPJ on its given day (latest row on or before it)."""
        if not requests:
            return {}
        rows = self.session.execute(
            select(wage_history.c.kpj, wage_history.c.effective_date, wage_history.c.monthly_wage)
            .where(wage_history.c.kpj.in_(sorted(requests)))
            .order_by(wage_history.c.kpj, wage_history.c.effective_date)
        ).all()
        found: dict[str, int] = {}
        for row in rows:
            if row.effective_date <= requests[row.kpj]:
                found[row.kpj] = int(row.monthly_wage)
        return found

    def wage_on(self, kpj: str, day: date) -> int | None:
        return self.wages_on({kpj: day}).get(kpj)

    # ---- family (M-6) --------------------------------------------------------------
    def family(self, kpj: str) -> list[FamilyMember]:
        rows = self.session.execute(
            select(family_members).where(family_members.c.kpj == kpj).order_by(family_members.c.position)
        ).all()
        return [
            FamilyMember(name=r.name, relation=Relation(r.relation), birth_date=r.birth_date, married=bool(r.married),
                         nik=r.nik, order=r.position + 1, member_id=r.member_id)
            for r in rows
        ]

    def replace_family(self, kpj: str, members: Sequence[FamilyMember]) -> None:
        """The whole list replaces the previous one; each member carries its stable id."""
        self.session.execute(delete(family_members).where(family_members.c.kpj == kpj))
        if members:
            self.session.execute(insert(family_members), [
                {"kpj": kpj, "name": m.name, "relation": Relation(m.relation).value, "birth_date": m.birth_date,
                 "married": m.married, "nik": m.nik, "position": i, "member_id": m.member_id}
                for i, m in enumerate(members)
            ])

    # ---- marital status history (M-4, M-6) ----------------------------------------
    def marital_history(self, kpj: str) -> tuple[MaritalStatusEntry, ...]:
        rows = self.session.execute(
            select(marital_status_history.c.effective_date, marital_status_history.c.marital_status)
            .where(marital_status_history.c.kpj == kpj).order_by(marital_status_history.c.effective_date)
        ).all()
        return tuple(MaritalStatusEntry(r.effective_date, MaritalStatus(r.marital_status)) for r in rows)

    def add_marital_statuses(self, rows: Sequence[tuple[str, date, MaritalStatus]]) -> None:
        """First statuses of new members (no earlier row can exist)."""
        if rows:
            self._write(_INSERT_MARITAL_STATUSES, [
                {"kpj": kpj, "effective_date": day, "marital_status": status.value} for kpj, day, status in rows
            ])

    def record_marital_status(self, kpj: str, entry: MaritalStatusEntry) -> None:
        """Record the status from its date; a second report for the same date replaces it."""
        self.session.execute(_DELETE_MARITAL_STATUS_OF_DAY, {"of_kpj": kpj, "day": entry.effective_date})
        self.add_marital_statuses([(kpj, entry.effective_date, entry.status)])

    # ---- KPJ numbers (M-3) ---------------------------------------------------------
    def allocate_kpjs(self, count: int) -> list[str]:
        """`count` fresh KPJs from the national sequence.

        PostgreSQL: a real SEQUENCE (migration 0005): `nextval` takes no lock that lasts
        the transaction, so enrolments in different branches do not queue behind one
        another; a rolled-back enrolment leaves a gap, which a card number can afford.
        SQLite (embedded): the counter row, advanced inside the transaction, which
        SQLite's single writer serialises anyway.
        """
        if count <= 0:
            return []
        if dialect_of(self.session).name == "postgresql":
            values = self.session.execute(_NEXT_KPJS, {"n": count}).scalars().all()
            return [make_kpj(v) for v in sorted(values)]
        # One statement: the new end of the range (SQLite's writer lock keeps it ours).
        after = self.session.execute(_ADVANCE_KPJS, {"count": count}).scalar_one_or_none()
        if after is None:
            # First KPJ ever (normally created at start-up by `ensure_kpj_sequence`).
            after = 1 + count
            self.session.execute(insert(sequences).values(name=KPJ_SEQUENCE, next_value=after))
        current = after - count
        return [make_kpj(current + i) for i in range(count)]

    def locked_for_enrolment(self, nik: str) -> tuple[Worker | None, str | None]:
        """`lock_enrolment([nik])`, then `by_nik(nik, lock=True)`, and a fresh KPJ when the NIK
        has no record (`allocate_kpjs(1)`). On PostgreSQL through a unit of work's prebuilt
        connection one round trip where there were five: the lock, the system path's flag
        on, the read, the sequence only if the read finds nothing, the flag off, one query."""
        if not isinstance(self.session, PrebuiltConnection) or dialect_of(self.session).name != "postgresql":
            self.lock_enrolment([nik])
            existing = self.by_nik(nik, lock=True)
            return existing, None if existing else self.allocate_kpjs(1)[0]
        lock: Step = (_LOCK_KEYS, {"keys": _lock_keys([nik])})
        results = self.session.execute_together([lock, *system_path_steps(
            (_BY_NIK_LOCKED, {"nik": nik}), (_NEXT_KPJ_UNLESS_HELD, {"nik": nik}))])
        row, fresh = results[2].first(), results[3].scalar()
        if row:
            return _worker(row), None
        assert fresh is not None  # the NIK has no record: the sequence was advanced
        return None, make_kpj(fresh)

    def lock_enrolment(self, niks: Iterable[str], batch: str | None = None) -> None:
        """Take the locks of an enrolment first thing in its transaction (M-3).

        One lock per person (NIK) and, for a bulk batch, one per batch id: a second
        enrolment of the same NIK, or a resend of the same batch, waits, then sees the
        first one's records and answers ALREADY_EXISTS, transfers or replays, instead of
        failing on a unique key. Enrolments of different people run side by side. The
        keys are taken in sorted order, so two enrolments never deadlock.
        PostgreSQL: transaction-scoped advisory locks. SQLite: its single writer lock
        (BEGIN IMMEDIATE) already serialises every enrolment.
        """
        if dialect_of(self.session).name != "postgresql":
            return
        self.session.execute(_LOCK_KEYS, {"keys": _lock_keys(niks, batch)})

    def ensure_kpj_sequence(self) -> bool:
        if self.session.execute(select(sequences.c.name).where(sequences.c.name == KPJ_SEQUENCE)).first():
            return False
        self.session.execute(insert(sequences).values(name=KPJ_SEQUENCE, next_value=1))
        return True

    # ---- bulk enrolment outcomes ---------------------------------------------------
    def bulk_outcomes(self, request_id: str, row_numbers: Iterable[int]) -> dict[int, BulkOutcome]:
        numbers = sorted(set(row_numbers))
        if not numbers:
            return {}
        rows = self.session.execute(
            select(bulk_enrol_rows).where(bulk_enrol_rows.c.request_id == request_id,
                                          bulk_enrol_rows.c.row_number.in_(numbers))
        ).all()
        return {
            r.row_number: BulkOutcome(r.row_number, r.npp, r.outcome, r.kpj,
                                      tuple(r.reasons.split("\n")) if r.reasons else (), r.row_fingerprint)
            for r in rows
        }

    def record_bulk_outcomes(self, request_id: str, outcomes: Sequence[BulkOutcome]) -> None:
        if outcomes:
            self.session.execute(insert(bulk_enrol_rows), [
                {"request_id": request_id, "row_number": o.row_number, "npp": o.npp, "outcome": o.outcome,
                 "kpj": o.kpj, "reasons": "\n".join(o.reasons) or None, "row_fingerprint": o.fingerprint}
                for o in outcomes
            ])



def _employer_ref_query(npp: str):
    return select(employers.c.npp, employers.c.branch_code, employers.c.kind, employers.c.status).where(
        employers.c.npp == npp)


__all__ = ["BulkOutcome", "EmployerRef", "WorkerRepository", "bulk_batch_npp", "find_employer"]
