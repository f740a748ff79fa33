"""Billing runs and their per-branch jobs (C-5) in the contributions database.

`BillingJobStore` is the job machinery's view (claim with a lease, progress, completion):
it acts for the platform, on the jobs a run was split into. `BillingRunRepository` is a caller's
view of a run (O-2): a branch run of another branch is NotFound, and of a run over every
branch only the jobs of the caller's branches are visible.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any

from sqlalchemy import func, insert, select, text, tuple_, update
from sqlalchemy.orm import Session

from services.chassis.errors import NotFound
from services.chassis.repository import ScopedRepository
from services.contributions.adapters.tables import billing_jobs, billing_run_positions, billing_runs, rm_employers
from services.contributions.domain.periods import Period

ALL_BRANCHES = "ALL"  # the scope of a run over every branch
PENDING, RUNNING, DONE, COMPLETED = "PENDING", "RUNNING", "DONE", "COMPLETED"


@dataclass(frozen=True)
class BillingRun:
    run_id: str
    period_year: int
    period_month: int
    scope: str  # a branch code or ALL_BRANCHES
    status: str
    requested_by: str
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class BillingJob:
    run_id: str
    branch_code: str
    status: str
    employers_total: int
    employers_done: int
    bills_issued: int
    last_npp: str | None


@dataclass(frozen=True)
class RunProgress:
    run: BillingRun
    jobs: list[BillingJob]
    visible_jobs: list[BillingJob]  # the jobs of the branches the caller reads


def _run(r) -> BillingRun:
    return BillingRun(r.run_id, r.period_year, r.period_month, r.scope, r.status, r.requested_by, r.created_at,
                      r.completed_at)


def _job(r) -> BillingJob:
    return BillingJob(r.run_id, r.branch_code, r.status, r.employers_total, r.employers_done, r.bills_issued,
                      r.last_npp)


class BillingJobStore:
    """Runs and jobs as the billing machinery sees them (for the platform, no branch scope)."""

    def __init__(self, session: Session):
        self.session = session

    # ---- runs ----------------------------------------------------------------------
    def run_period(self, run_id: str) -> Period | None:
        row = self.session.execute(select(billing_runs.c.period_year, billing_runs.c.period_month)
                                   .where(billing_runs.c.run_id == run_id)).first()
        return None if row is None else Period(row.period_year, row.period_month)

    def unfinished_run(self, period: Period, scope: str) -> str | None:
        """The period's unfinished run of this scope; on PostgreSQL, two requests for the same
        period and scope are serialised here so that they cannot both create a run."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"billing-run:{period}:{scope}".encode())
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return self.session.execute(select(billing_runs.c.run_id).where(
            billing_runs.c.period_year == period.year, billing_runs.c.period_month == period.month,
            billing_runs.c.scope == scope, billing_runs.c.status != COMPLETED,
        ).order_by(billing_runs.c.created_at).limit(1)).scalar()

    def branches_with_employers(self) -> list[str]:
        """Every branch the read model knows an employer of (the jobs of a national run)."""
        return list(self.session.execute(
            select(rm_employers.c.branch_code).distinct().order_by(rm_employers.c.branch_code)).scalars())

    def add_run(self, *, run_id: str, period: Period, scope: str, status: str, requested_by: str,
                created_at: datetime, completed_at: datetime | None) -> None:
        self.session.execute(insert(billing_runs).values(
            run_id=run_id, period_year=period.year, period_month=period.month, scope=scope, status=status,
            requested_by=requested_by, created_at=created_at, completed_at=completed_at))

    def add_jobs(self, run_id: str, totals: dict[str, int], now: datetime) -> None:
        """PENDING jobs of the run, one per branch, with the branch's employer count."""
        self.session.execute(insert(billing_jobs), [{
            "run_id": run_id, "branch_code": b, "status": PENDING, "employers_total": total, "employers_done": 0,
            "bills_issued": 0, "last_npp": None, "updated_at": now} for b, total in totals.items()])

    def progress(self, run_id: str) -> tuple[BillingRun, list[BillingJob]]:
        run = self.session.execute(select(billing_runs).where(billing_runs.c.run_id == run_id)).first()
        if run is None:
            raise NotFound("billing run", run_id)
        rows = self.session.execute(select(billing_jobs).where(billing_jobs.c.run_id == run_id)
                                    .order_by(billing_jobs.c.branch_code)).all()
        return _run(run), [_job(r) for r in rows]

    def complete_run_if_done(self, run_id: str) -> None:
        """The run is COMPLETED once every job is DONE. The run row is locked first, so of two
        jobs finishing together the second one sees the first one's commit."""
        session = self.session
        session.execute(select(billing_runs.c.run_id).where(billing_runs.c.run_id == run_id).with_for_update())
        open_jobs = session.execute(select(func.count()).select_from(billing_jobs).where(
            billing_jobs.c.run_id == run_id, billing_jobs.c.status != DONE)).scalar_one()
        if open_jobs == 0:
            session.execute(update(billing_runs).where(billing_runs.c.run_id == run_id,
                                                       billing_runs.c.status != COMPLETED)
                            .values(status=COMPLETED, completed_at=datetime.now(UTC)))

    def record_positions(self, run_id: str, positions: dict[tuple[str, int], int]) -> None:
        """Issue 12 (b): the read model's positions (topic, partition) -> offset the run billed from."""
        if positions:
            self.session.execute(insert(billing_run_positions), [
                {"run_id": run_id, "topic": topic, "partition": partition, "last_offset": offset}
                for (topic, partition), offset in sorted(positions.items())])

    def positions(self, run_id: str) -> dict[tuple[str, int], int]:
        p = billing_run_positions
        rows = self.session.execute(select(p.c.topic, p.c.partition, p.c.last_offset).where(p.c.run_id == run_id)
                                    .order_by(p.c.topic, p.c.partition)).all()
        return {(r.topic, r.partition): int(r.last_offset) for r in rows}

    # ---- jobs ----------------------------------------------------------------------
    def lock_job(self, run_id: str, branch_code: str) -> BillingJob | None:
        row = self.session.execute(
            select(billing_jobs).where(billing_jobs.c.run_id == run_id, billing_jobs.c.branch_code == branch_code)
            .with_for_update()
        ).first()
        return _job(row) if row is not None else None

    def mark_running(self, run_id: str, branch_code: str) -> None:
        """The job (and its run) RUNNING, if still PENDING."""
        now = datetime.now(UTC)
        self.session.execute(update(billing_jobs).where(
            billing_jobs.c.run_id == run_id, billing_jobs.c.branch_code == branch_code,
            billing_jobs.c.status == PENDING,
        ).values(status=RUNNING, updated_at=now))
        self.session.execute(update(billing_runs).where(
            billing_runs.c.run_id == run_id, billing_runs.c.status == PENDING).values(status=RUNNING))

    def update_job(self, run_id: str, branch_code: str, **values: Any) -> None:
        self.session.execute(update(billing_jobs).where(
            billing_jobs.c.run_id == run_id, billing_jobs.c.branch_code == branch_code).values(**values))

    def runs_past_employer(self, branch_code: str, npp: str, since: Period) -> dict[Period, str]:
        """Period -> a run that billed `branch_code` for it from `since` on and is past
        employer `npp` (its job DONE, or its resume point at or beyond the NPP): a run that
        will not come back to that employer for that period."""
        j, r = billing_jobs, billing_runs
        rows = self.session.execute(
            select(r.c.period_year, r.c.period_month, r.c.run_id).join(j, j.c.run_id == r.c.run_id)
            .where(j.c.branch_code == branch_code, (j.c.status == DONE) | (j.c.last_npp >= npp),
                   tuple_(r.c.period_year, r.c.period_month) >= (since.year, since.month))
            .order_by(r.c.period_year, r.c.period_month, r.c.created_at)
        ).all()
        return {Period(row.period_year, row.period_month): row.run_id for row in rows}

    @staticmethod
    def _free(now: datetime):
        return billing_jobs.c.lease_until.is_(None) | (billing_jobs.c.lease_until < now)

    def any_claimable(self, now: datetime) -> bool:
        """Whether some job not DONE has a free or expired lease: an idle worker's look,
        read-only (on SQLite it does not take the write lock the claim takes)."""
        j = billing_jobs
        return self.session.execute(select(j.c.run_id).where(j.c.status.in_((PENDING, RUNNING)), self._free(now))
                                    .limit(1)).first() is not None

    def claim_job(self, worker: str, now: datetime, lease_until: datetime) -> tuple[str, str] | None:
        """(run id, branch) of the oldest run's next job not DONE whose lease is free or
        expired, now leased to `worker` until `lease_until`; None when there is none.
        PostgreSQL: a job another worker has locked (a chunk in flight) is skipped, not
        waited for; SQLite: the transaction holds the write lock, the UPDATE is conditional."""
        j, r = billing_jobs, billing_runs
        free = self._free(now)
        query = (select(j.c.run_id, j.c.branch_code).join(r, r.c.run_id == j.c.run_id)
                 .where(j.c.status.in_((PENDING, RUNNING)), free)
                 .order_by(r.c.created_at, j.c.run_id, j.c.branch_code).limit(1))
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=j, skip_locked=True)
        row = self.session.execute(query).first()
        if row is None:
            return None
        claimed = self.session.execute(update(j).where(j.c.run_id == row.run_id, j.c.branch_code == row.branch_code,
                                                       free).values(claimed_by=worker, lease_until=lease_until))
        return (row.run_id, row.branch_code) if claimed.rowcount == 1 else None

    def release_job(self, run_id: str, branch_code: str, worker: str) -> None:
        """`worker` lets the job go (it stops): another worker may take it at once."""
        self.session.execute(update(billing_jobs).where(
            billing_jobs.c.run_id == run_id, billing_jobs.c.branch_code == branch_code,
            billing_jobs.c.claimed_by == worker).values(lease_until=None))

    def stalled_jobs(self, idle_since: datetime, now: datetime) -> int:
        """Jobs not DONE whose last progress is older than `idle_since` and whose lease is
        free or expired (no worker claimed them, or the replica billing them died and
        nothing took them over)."""
        j = billing_jobs
        return int(self.session.execute(select(func.count()).select_from(j).where(
            j.c.status != DONE, j.c.updated_at < idle_since, self._free(now))).scalar_one())

    def unfinished_jobs(self, run_id: str) -> list[str]:
        return list(self.session.execute(select(billing_jobs.c.branch_code).where(
            billing_jobs.c.run_id == run_id, billing_jobs.c.status != DONE)
            .order_by(billing_jobs.c.branch_code)).scalars())


class BillingRunRepository(ScopedRepository):
    """A caller's view of billing runs (O-2)."""

    def visible_progress(self, run_id: str) -> RunProgress:
        """The run with its jobs; NotFound for a branch run the caller may not read; of a run
        over every branch, `visible_jobs` are those of the branches the caller reads."""
        run, jobs = BillingJobStore(self.session).progress(run_id)
        if run.scope != ALL_BRANCHES:
            self.scope.require_read_record(run.scope, "billing run", run.run_id)
            return RunProgress(run, jobs, jobs)
        return RunProgress(run, jobs, [j for j in jobs if self.scope.can_read(j.branch_code)])
