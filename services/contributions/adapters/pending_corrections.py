"""Workers waiting to be corrected onto or off a billed period's bill (C-5), and what the
bills of that period already charged them: the correction is the difference."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, UTC

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from services.chassis.upsert import upsert
from services.contributions.adapters.tables import bill_lines, bills, pending_corrections
from services.contributions.domain.periods import Period

_KEY = ["npp", "period_year", "period_month", "kpj"]


def record(session: Session, npp: str, period: Period, kpj: str, branch_code: str, since: date) -> None:
    """Once per worker, employer and period: a second change before the run keeps one row."""
    upsert(session, pending_corrections, {"npp": npp, "period_year": period.year, "period_month": period.month,
                                          "kpj": kpj, "branch_code": branch_code, "since": since,
                                          "recorded_at": datetime.now(UTC)}, _KEY)


def of_branch(session: Session, branch_code: str) -> dict[tuple[str, Period], tuple[list[str], date]]:
    """(npp, period) -> (its waiting workers, the earliest change date), in NPP and period order."""
    p = pending_corrections
    rows = session.execute(select(p).where(p.c.branch_code == branch_code)
                           .order_by(p.c.npp, p.c.period_year, p.c.period_month, p.c.kpj)).all()
    found: dict[tuple[str, Period], tuple[list[str], date]] = {}
    for r in rows:
        key = (r.npp, Period(r.period_year, r.period_month))
        workers, since = found.get(key, ([], r.since))
        found[key] = ([*workers, r.kpj], min(since, r.since))
    return found


def clear(session: Session, npp: str, period: Period) -> None:
    p = pending_corrections
    session.execute(delete(p).where(p.c.npp == npp, p.c.period_year == period.year, p.c.period_month == period.month))


def billed_lines(session: Session, npp: str, period: Period, kpjs: list[str]) -> dict[str, dict[tuple[str, str], tuple[int, int, int]]]:
    """kpj -> (program, payer) -> (amount, base, rate): the net of every bill of the period
    (regular and corrections) with the base and rate of the latest line."""
    b, l = bills, bill_lines
    rows = session.execute(
        select(l.c.kpj, l.c.program, l.c.payer, func.sum(l.c.amount_rupiah).label("amount"),
               func.max(l.c.base_rupiah).label("base"), func.max(l.c.rate_bp).label("rate"))
        .join(b, and_(b.c.bill_number == l.c.bill_number))
        .where(b.c.npp == npp, b.c.period_year == period.year, b.c.period_month == period.month, l.c.kpj.in_(kpjs))
        .group_by(l.c.kpj, l.c.program, l.c.payer)
    ).all()
    found: dict[str, dict[tuple[str, str], tuple[int, int, int]]] = defaultdict(dict)
    for r in rows:
        found[r.kpj][(r.program, r.payer)] = (int(r.amount), int(r.base), int(r.rate))
    return found
