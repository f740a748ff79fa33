"""What a change of a worker's employments needs to know of billing (C-5), prebuilt.

`correct_worker_billing` runs for every enrolment, transfer, termination and death the
read model applies, nearly always with no billed period to correct: its reads are built
once here (`prebuilt.py`) and made per employer as one statement, the periods with the
employer's regular bill and those a branch run has gone past, instead of four statements
built per call (statement building was most of the read model's CPU per event). A late
event that does reach billed periods reads the worker's standing on each bill with the
billing run's own statement (`billing_facts.worker_facts_statement`), built once.
"""
from __future__ import annotations

from sqlalchemy import String, bindparam, literal, null, select, tuple_, union_all

from services.chassis.prebuilt import PrebuiltConnection
from services.contributions.adapters.billing_facts import worker_facts_statement, last_day
from services.contributions.adapters.billing_run_repository import DONE
from services.contributions.adapters.tables import billing_jobs, billing_runs, bills, rm_employers, rm_employments
from services.contributions.domain.periods import Period


def _periods_of_employers(many: bool):
    """Per period from (`year`, `month`) on of employer `npp` (with `many`, of each of
    `npps`): source 0, the branch of its regular bill (`bill_queries.billed_periods_of_employers`
    with `bill_store.regular_bill`); source 1, the employer's branch where a run of that branch
    is past the employer (`BillingJobStore.runs_past_employer`), in period then run-creation order."""
    since = tuple_(bindparam("year"), bindparam("month"))
    of = ((lambda column: column.in_(bindparam("npps", expanding=True))) if many
          else (lambda column: column == bindparam("npp", type_=String)))
    billed = (select(literal(0).label("source"), bills.c.npp, bills.c.period_year, bills.c.period_month,
                     bills.c.branch_code, null().label("created_at"))
              .where(of(bills.c.npp), bills.c.kind == "REGULAR", bills.c.sequence == 0,
                     tuple_(bills.c.period_year, bills.c.period_month) >= since))
    j, r, e = billing_jobs, billing_runs, rm_employers
    passed = (select(literal(1).label("source"), e.c.npp, r.c.period_year, r.c.period_month, e.c.branch_code,
                     r.c.created_at)
              .join(j, j.c.run_id == r.c.run_id).join(e, e.c.branch_code == j.c.branch_code)
              .where(of(e.c.npp), (j.c.status == DONE) | (j.c.last_npp >= e.c.npp),
                     tuple_(r.c.period_year, r.c.period_month) >= since))
    return union_all(billed, passed).order_by("npp", "source", "period_year", "period_month", "created_at")


_PERIODS_OF_EMPLOYER = _periods_of_employers(many=False)
_PERIODS_OF_EMPLOYERS = _periods_of_employers(many=True)  # a run of enrolments: once for all their employers
_EMPLOYERS_OF_WORKERS = (select(rm_employments.c.kpj, rm_employments.c.npp)
                         .where(rm_employments.c.kpj.in_(bindparam("kpjs", expanding=True))).distinct())

# `billing_facts.worker_facts` of one worker at one employer: the run's own statement (its
# rule of who is billed), built once.
_WORKER_ON_BILL = (worker_facts_statement(rm_employments.c.npp == bindparam("npp", type_=String))
                   .where(rm_employments.c.kpj == bindparam("kpj", type_=String)))


def billed_periods(db: PrebuiltConnection, employers: list[str], since: Period) -> dict[tuple[str, Period], str]:
    """(npp, period) -> branch of every period from `since` a run has billed (regular bill)
    or gone past for these employers; in the order of the statements it replaces: every
    regular bill by NPP and period first, then each employer's passed periods."""
    billed: list[tuple[tuple[str, Period], str]] = []
    passed: list[tuple[tuple[str, Period], str]] = []
    if not employers:
        return {}
    if len(employers) == 1:  # a change of one employment: the statement runs prebuilt
        rows = db.execute(_PERIODS_OF_EMPLOYER, {"npp": employers[0], "year": since.year, "month": since.month})
    else:
        rows = db.execute(_PERIODS_OF_EMPLOYERS, {"npps": sorted(set(employers)), "year": since.year,
                                                  "month": since.month})
    for row in rows:
        (passed if row.source else billed).append(((row.npp, Period(row.period_year, row.period_month)), row.branch_code))
    found = dict(billed)
    for key, branch in passed:
        found.setdefault(key, branch)
    return found


def employers_of_workers(db: PrebuiltConnection, kpjs: list[str]) -> dict[str, list[str]]:
    """KPJ -> the employers of its employments held (`billing_facts.employers_of_worker` of each)."""
    found: dict[str, list[str]] = {}
    for row in db.execute(_EMPLOYERS_OF_WORKERS, {"kpjs": kpjs}) if kpjs else ():
        found.setdefault(row.kpj, []).append(row.npp)
    return found


def worker_on_bill(db: PrebuiltConnection, kpj: str, npp: str, period: Period) -> list:
    """`billing_facts.worker_facts(session, period, npps=[npp], kpjs=[kpj])`, prebuilt: the
    worker's (npp, kpj, programs, wage, marital) row when the run bills them there."""
    return db.execute(_WORKER_ON_BILL, {"npp": npp, "kpj": kpj, "period_start": period.first_day,
                                        "period_end": last_day(period)}).all()
