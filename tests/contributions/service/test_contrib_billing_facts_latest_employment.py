"""M-3, M-8: the billing facts read asks for the latest employment as "no overlapping employment
of the worker starts later" (a probe that nearly always finds nothing) instead of comparing with
max(start_date); the workers billed and their facts are those the former statement gave.

Compared on a varied read model (several employers, workers with one to three employments:
transfers on the 1st and mid-month, terminations, two employments starting the same day, starts
after the period, wage and marital changes, no wage, every programme list) for every period of a
year and a half, through each reader of the statement: the chunk's `billable_workers` (the
driver's cursor on PostgreSQL), `worker_facts` with and without `kpjs` (corrections) and the
prebuilt `worker_on_bill`.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import ColumnElement, Date, Engine, Select, bindparam, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from services.chassis.context import SYSTEM, request_context
from services.chassis.database import make_engine
from services.chassis.migrations import upgrade_to_head
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import billing_facts, worker_billing_facts
from services.contributions.adapters.billing_facts import _latest, _overlaps
from services.contributions.adapters.tables import (
    rm_employers, rm_employments, rm_worker_marital, rm_worker_wages, rm_workers,
)
from services.contributions.bootstrap import definition
from services.contributions.domain.periods import Period

EMPLOYERS = [f"3000000{n}" for n in range(1, 7)]
PROGRAMS = ["JHT,JKK,JK,JPK", "JKK,JK", "JHT,JKK,JK", ""]
PERIODS = [Period(2023 + (m - 1) // 12, (m - 1) % 12 + 1) for m in range(6, 24)]  # June 2023 .. November 2024


def former_worker_facts_statement(employers: ColumnElement[bool]) -> Select[Any]:
    """`billing_facts.worker_facts_statement` as it was: the employment whose start is the
    latest start among the worker's employments overlapping the period."""
    start, end = bindparam("period_start", type_=Date), bindparam("period_end", type_=Date)
    emp, other, w = rm_employments, rm_employments.alias("other"), rm_workers
    wages, marital = rm_worker_wages, rm_worker_marital
    latest_start = (select(func.max(other.c.start_date))
                    .where(other.c.kpj == emp.c.kpj, _overlaps(other, start, end)).scalar_subquery())
    return (
        select(emp.c.npp, emp.c.kpj,
               select(w.c.programs).where(w.c.kpj == emp.c.kpj).scalar_subquery().label("programs"),
               _latest(wages, wages.c.monthly_wage, wages.c.kpj, emp.c.kpj, end).label("wage"),
               _latest(marital, marital.c.marital_status, marital.c.kpj, emp.c.kpj, end).label("marital"))
        .where(employers, _overlaps(emp, start, end), emp.c.start_date == latest_start)
        .order_by(emp.c.npp, emp.c.kpj)
    )


def former_facts(session: Session, period: Period, npps: list[str], kpjs: list[str] | None = None) -> list[tuple[Any, ...]]:
    statement = former_worker_facts_statement(rm_employments.c.npp.in_(npps))
    if kpjs is not None:
        statement = statement.where(rm_employments.c.kpj.in_(kpjs))
    bounds = {"period_start": period.first_day, "period_end": billing_facts.last_day(period)}
    return [tuple(row) for row in session.execute(statement, bounds)]


def employment_histories(rng: random.Random) -> list[tuple[str, str, date, date | None]]:
    """(kpj, npp, start, end) of 90 workers, each a path through one to three employers, or
    one employment with a short side job at another employer."""
    rows: list[tuple[str, str, date, date | None]] = []
    for n in range(90):
        kpj = f"4{n:010d}"
        npps = rng.sample(EMPLOYERS, rng.randint(1, 3))
        start = date(2023, 1, 1) + timedelta(days=rng.randint(0, 540))
        for position, npp in enumerate(npps):
            last = position == len(npps) - 1
            shape = rng.choice(["open", "ended", "transfer_first", "transfer_mid", "overlap", "same_day"])
            if last and shape in ("open", "transfer_first", "transfer_mid", "overlap", "same_day"):
                rows.append((kpj, npp, start, None))
                break
            end = start + timedelta(days=rng.randint(20, 200))
            rows.append((kpj, npp, start, end))
            if shape == "ended" and not last:  # a gap (PHK, then hired elsewhere)
                start = end + timedelta(days=rng.randint(1, 90))
            elif shape == "transfer_first":
                start = date(end.year, end.month, 1) + timedelta(days=32)
                start = date(start.year, start.month, 1)
            elif shape == "overlap":  # the next employment starts before this one ends
                start = end - timedelta(days=rng.randint(1, 15))
            elif shape == "same_day":  # two employments starting the same day (both billed, as before)
                start = rows[-1][2]
            else:
                start = end + timedelta(days=1)
        if n % 5 == 2:  # a side job started after the main one and ended: the main one is billed again
            main = next(row for row in rows if row[0] == kpj)
            rows = [row for row in rows if row[0] != kpj]
            side = next(npp for npp in EMPLOYERS if npp != main[1])
            rows += [(kpj, main[1], main[2], None), (kpj, side, main[2] + timedelta(days=10), main[2] + timedelta(days=50))]
        if n % 17 == 0:  # an employment starting after every period read
            rows.append((kpj, rng.choice(EMPLOYERS), date(2025, 3, 1), None))
    return sorted(set(rows))


def load(session: Session) -> list[str]:
    rng = random.Random(14)
    session.execute(insert(rm_employers), [
        {"npp": npp, "branch_code": "KC-BINJAI", "legal_name": f"PT {npp}", "address": "Jl. Uji", "kind": "COMPANY",
         "registration_date": date(2010, 1, 4), "status": "ACTIVE"} for npp in EMPLOYERS])
    histories = employment_histories(rng)
    kpjs = sorted({kpj for kpj, *_ in histories})
    session.execute(insert(rm_workers), [
        {"kpj": kpj, "name": f"Pekerja {kpj}", "npp": EMPLOYERS[0], "branch_code": "KC-BINJAI", "status": "ACTIVE",
         "programs": PROGRAMS[n % len(PROGRAMS)]} for n, kpj in enumerate(kpjs)])
    session.execute(insert(rm_employments), [
        {"kpj": kpj, "npp": npp, "start_date": start, "end_date": end} for kpj, npp, start, end in histories])
    wages, marital = [], []
    for n, kpj in enumerate(kpjs):
        if n % 11 == 5:
            continue  # no wage at all: the run logs and skips them, the read gives None
        days = sorted(rng.sample(range(0, 700), rng.randint(1, 3)))
        wages += [{"kpj": kpj, "effective_date": date(2023, 1, 1) + timedelta(days=d),
                   "monthly_wage": 50_000 * rng.randint(40, 300)} for d in days]
        if n % 3:
            days = sorted(rng.sample(range(0, 700), rng.randint(1, 2)))
            marital += [{"kpj": kpj, "effective_date": date(2023, 1, 1) + timedelta(days=d),
                         "marital_status": rng.choice(["MARRIED", "SINGLE", "DIVORCED"])} for d in days]
    session.execute(insert(rm_worker_wages), wages)
    session.execute(insert(rm_worker_marital), marital)
    return kpjs


@pytest.fixture
def contributions_database(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_to_head(engine, definition().migrations)
    yield engine
    engine.dispose()


@pytest.mark.rule("M-3", "M-8")
def test_m3_m8_billing_facts_of_the_latest_employment_are_those_the_former_statement_read(contributions_database: Engine) -> None:
    engine = contributions_database
    with request_context(SYSTEM, None), UnitOfWork(sessionmaker(bind=engine), {}, "contributions") as uow:
        session = uow.session
        kpjs = load(session)
        billed_elsewhere_later = 0  # a worker with an earlier employment also overlapping: not billed there
        billed_twice = 0  # two employments started the same day: both billed, as before
        for period in PERIODS:
            old = former_facts(session, period, EMPLOYERS)
            assert billing_facts.billable_workers(session, period, EMPLOYERS) == old, period
            assert [tuple(r) for r in billing_facts.worker_facts(session, period, npps=EMPLOYERS)] == old, period
            for npps in (EMPLOYERS[:1], EMPLOYERS[2:5], EMPLOYERS[::-2]):
                assert billing_facts.billable_workers(session, period, sorted(npps)) == former_facts(
                    session, period, npps), (period, npps)
            overlapping = session.execute(select(rm_employments.c.kpj).where(_overlaps(
                rm_employments, period.first_day, billing_facts.last_day(period)))).scalars().all()
            billed_elsewhere_later += len(overlapping) - len(old)
            billed_twice += len(old) - len({row[1] for row in old})
        # the data had every case
        assert billed_elsewhere_later > 20 and billed_twice and any(row[3] is None for row in old)

        for kpj in kpjs[::7]:
            for npp in EMPLOYERS[::2]:
                for period in PERIODS[::3]:
                    expected = former_facts(session, period, [npp], [kpj])
                    assert [tuple(r) for r in billing_facts.worker_facts(
                        session, period, npps=[npp], kpjs=[kpj])] == expected, (kpj, npp, period)
                    assert [tuple(r) for r in worker_billing_facts.worker_on_bill(
                        uow.prebuilt, kpj, npp, period)] == expected, (kpj, npp, period)
        uow.rollback()
