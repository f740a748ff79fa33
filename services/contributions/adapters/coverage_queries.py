"""What the coverage report (C-5) compares, for one branch (or employer) and period, in a
few set-based queries: employments overlapping the period, the wage in force at its end,
the period's bills and lines net per worker, the pending corrections and the runs past."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from services.contributions.adapters.billing_facts import _latest, last_day, risk_group_in_force
from services.contributions.adapters.billing_run_repository import DONE
from services.contributions.adapters.tables import (
    bill_lines, billing_jobs, billing_runs, bills, pending_corrections, rm_employers, rm_employments, rm_worker_wages,
    rm_workers,
)
from services.contributions.domain.coverage import ActiveWorker, BilledWorker, EmployerPeriodFacts
from services.contributions.domain.periods import Period

REGULAR = "REGULAR"


@dataclass(frozen=True)
class CoverageFacts:
    """The facts of every employer of the selection, with names for the report."""

    employers: list[tuple[str, str, EmployerPeriodFacts]]  # (npp, legal name, facts)
    worker_names: dict[str, str]


def coverage_facts(session: Session, branch_code: str, period: Period, npp: str | None = None) -> CoverageFacts:
    start, end = period.first_day, last_day(period)
    e = rm_employers
    employer_filter = and_(e.c.branch_code == branch_code, *([e.c.npp == npp] if npp else []))
    employers = session.execute(
        select(e.c.npp, e.c.legal_name, risk_group_in_force(e.c.npp, end).label("risk_group"))
        .where(employer_filter).order_by(e.c.npp)).all()
    active = _active(session, employer_filter, start, end)
    billed = _billed(session, employer_filter, period)
    pending = _pending(session, employer_filter, period)
    past = _runs_past(session, branch_code, period)
    regular = set(session.execute(select(bills.c.npp).join(e, e.c.npp == bills.c.npp).where(
        employer_filter, bills.c.period_year == period.year, bills.c.period_month == period.month,
        bills.c.kind == REGULAR)).scalars())
    kpjs = {w.kpj for workers in active.values() for w in workers} | {b.kpj for workers in billed.values() for b in workers}
    names = dict(session.execute(select(rm_workers.c.kpj, rm_workers.c.name).where(rm_workers.c.kpj.in_(sorted(kpjs)))).all()) \
        if kpjs else {}
    found = []
    for row in employers:
        facts = EmployerPeriodFacts(
            npp=row.npp, has_risk_group=row.risk_group is not None,
            period_billed=row.npp in regular or past(row.npp),
            active=tuple(active.get(row.npp, ())), billed=tuple(billed.get(row.npp, ())),
            pending=frozenset(pending.get(row.npp, ())))
        found.append((row.npp, row.legal_name, facts))
    return CoverageFacts(found, names)


def _overlapping(table, start, end):
    return and_(table.c.start_date <= end, or_(table.c.end_date.is_(None), table.c.end_date >= start))


def _active(session: Session, employer_filter, start, end) -> dict[str, list[ActiveWorker]]:
    """npp -> workers employed there during the period, with whether a wage is in force at
    its end and, for a transfer within the period, the employer that started later."""
    emp, other, w = rm_employments, rm_employments.alias("other"), rm_worker_wages
    rows = session.execute(
        select(emp.c.npp, emp.c.kpj, emp.c.start_date,
               _latest(w, w.c.monthly_wage, w.c.kpj, emp.c.kpj, end).label("wage"))
        .join(rm_employers, rm_employers.c.npp == emp.c.npp)
        .where(employer_filter, _overlapping(emp, start, end))
        .order_by(emp.c.npp, emp.c.kpj, emp.c.start_date)).all()
    kpjs = sorted({r.kpj for r in rows})
    latest: dict[str, tuple] = {}
    if kpjs:  # of each worker, the employment of the period that started last (any branch)
        for r in session.execute(select(other.c.kpj, other.c.npp, other.c.start_date)
                                 .where(other.c.kpj.in_(kpjs), _overlapping(other, start, end))).all():
            if r.kpj not in latest or r.start_date > latest[r.kpj][1]:
                latest[r.kpj] = (r.npp, r.start_date)
    found: dict[str, dict[str, ActiveWorker]] = defaultdict(dict)
    for r in rows:
        later_npp, later_start = latest[r.kpj]
        later = later_npp if (later_npp, later_start) != (r.npp, r.start_date) and later_npp != r.npp else None
        found[r.npp][r.kpj] = ActiveWorker(r.kpj, r.wage is not None and r.wage >= 0, later)
    return {npp: list(workers.values()) for npp, workers in found.items()}


def _billed(session: Session, employer_filter, period: Period) -> dict[str, list[BilledWorker]]:
    """npp -> each worker on the period's bills: net charged, on the regular bill or not,
    and the correction bills that carry lines of theirs."""
    b, line = bills, bill_lines
    rows = session.execute(
        select(b.c.npp, b.c.bill_number, b.c.kind, line.c.kpj, func.sum(line.c.amount_rupiah).label("amount"))
        .join(line, line.c.bill_number == b.c.bill_number).join(rm_employers, rm_employers.c.npp == b.c.npp)
        .where(employer_filter, b.c.period_year == period.year, b.c.period_month == period.month)
        .group_by(b.c.npp, b.c.bill_number, b.c.kind, line.c.kpj)
        .order_by(b.c.npp, line.c.kpj, b.c.bill_number)).all()
    net: dict[tuple[str, str], int] = defaultdict(int)
    on_regular: set[tuple[str, str]] = set()
    corrections: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        key = (r.npp, r.kpj)
        net[key] += int(r.amount)
        if r.kind == REGULAR:
            on_regular.add(key)
        else:
            corrections[key].append(r.bill_number)
    found: dict[str, list[BilledWorker]] = defaultdict(list)
    for (npp, kpj), amount in net.items():
        found[npp].append(BilledWorker(kpj, amount, (npp, kpj) in on_regular, tuple(corrections[(npp, kpj)])))
    return found


def _pending(session: Session, employer_filter, period: Period) -> dict[str, set[str]]:
    p = pending_corrections
    found: dict[str, set[str]] = defaultdict(set)
    for r in session.execute(select(p.c.npp, p.c.kpj).join(rm_employers, rm_employers.c.npp == p.c.npp).where(
            employer_filter, p.c.period_year == period.year, p.c.period_month == period.month)).all():
        found[r.npp].add(r.kpj)
    return found


def _runs_past(session: Session, branch_code: str, period: Period):
    """npp -> whether a run of the period has gone past the employer (done, or resumed beyond)."""
    j, r = billing_jobs, billing_runs
    jobs = session.execute(
        select(j.c.status, j.c.last_npp).join(r, r.c.run_id == j.c.run_id)
        .where(j.c.branch_code == branch_code,
               r.c.period_year == period.year, r.c.period_month == period.month)).all()
    done = any(job.status == DONE for job in jobs)
    furthest = max((job.last_npp for job in jobs if job.last_npp), default=None)
    return lambda npp: done or (furthest is not None and furthest >= npp)
