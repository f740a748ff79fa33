"""Billing one chunk of a branch's employers for one period (C-5, C-6): the hot path.

Per chunk: which employers already have the period's bill (skipped: billing twice is
impossible by the bills' unique key and avoided here), one query for every billable
worker of the rest with the facts in force, pricing in Python with the domain
(memoised), then the bills, their lines (COPY on PostgreSQL) and one BillIssued event
per bill through the outbox, all in the caller's transaction.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, UTC

from jamsos.contributions.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_date, from_period, from_rupiah
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import bill_store, billing_facts
from services.contributions.adapters.billing_facts import EmployerFacts
from services.contributions.adapters.rule_repository import RuleRepository
from services.contributions.application.billing.pricing import LinePricer
from services.contributions.domain.due_dates import due_date
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import rules_for_period

log = logging.getLogger("jamsos.contributions.billing")
REGULAR = "REGULAR"


@dataclass
class JobTerms:
    """What every bill of one branch job shares: the period, its rules and due date, the UMK."""

    run_id: str
    branch_code: str
    period: Period
    due_date: date
    pricer: LinePricer


def job_terms(uow: UnitOfWork, run_id: str, branch_code: str, period: Period) -> JobTerms:
    """C-6, C-6a: the rule version in force for the period, its due date and the branch's UMK."""
    session = uow.session
    stored = RuleRepository(session)
    rules = rules_for_period(stored.load_contribution_rules(), period.year, period.month)
    due = due_date(period.year, period.month, rules, stored.load_calendar())
    umk = stored.umk_in_force(branch_code, billing_facts.last_day(period))
    return JobTerms(run_id, branch_code, period, due, LinePricer(rules, umk))


def bill_chunk(uow: UnitOfWork, terms: JobTerms, employers: list[EmployerFacts]) -> int:
    """Issue the regular bills of `employers` not billed yet for the period; returns how many."""
    session = uow.session
    billing_facts.tune_for_billing(session)
    billable = [e for e in employers if e.risk_group is not None]
    for skipped in (e for e in employers if e.risk_group is None):
        log.warning("employer has no risk group: not billed", extra={"npp": skipped.npp, "period": str(terms.period)})
    billing_facts.lock_employers(session, [e.npp for e in billable])
    done = billing_facts.already_billed(session, [e.npp for e in billable], terms.period)
    risk = {e.npp: e.risk_group for e in billable if e.npp not in done}
    if not risk:
        return 0
    now = datetime.now(UTC)
    bill_rows: list[tuple[dict, int]] = []
    lines = bill_store.LineBatch(session)
    price = terms.pricer.lines
    npp_now, number, group, employer_total, worker_total, billed = None, "", 0, 0, 0, 0
    for npp, kpj, programs, wage, marital in billing_facts.billable_workers(session, terms.period, sorted(risk)):
        if npp != npp_now:  # rows come in NPP order: the previous employer's bill is complete
            _close_bill(bill_rows, npp_now, number, terms, employer_total, worker_total, billed, now)
            npp_now, group, employer_total, worker_total, billed = npp, risk[npp], 0, 0, 0
            number = bill_store.bill_number(npp, terms.period)
            lines.start_bill(number)
        if wage is None or wage < 0:
            log.warning("worker has no valid wage in force: not billed", extra={"kpj": kpj, "period": str(terms.period)})
            continue
        priced = price(kpj, wage, marital, group, programs)
        lines.add(kpj, priced)
        employer_total += priced.employer_rupiah
        worker_total += priced.worker_rupiah
        billed += 1
    _close_bill(bill_rows, npp_now, number, terms, employer_total, worker_total, billed, now)
    bill_store.insert_bills(session, [row for row, _ in bill_rows])
    lines.write()
    period = from_period(terms.period.year, terms.period.month)
    due = from_date(terms.due_date)
    for row, count in bill_rows:
        uow.emit(topic_of("contributions"), events_pb2.BillIssued(
            bill_number=row["bill_number"], npp=row["npp"], branch_code=terms.branch_code, period=period, kind=REGULAR,
            total=from_rupiah(row["total_rupiah"]), due_date=due, worker_count=count,
        ), aggregate_type="employer", aggregate_id=row["npp"], branch_code=terms.branch_code)
    uow.count("bill_issued", len(bill_rows))
    return len(bill_rows)


def _close_bill(bill_rows: list[tuple[dict, int]], npp: str | None, number: str, terms: JobTerms, employer: int,
                worker: int, billed: int, now: datetime) -> None:
    """The employer's bill row and its worker count, when it has a billed worker (no bill for nobody)."""
    if npp is not None and billed:
        bill_rows.append(({
            "bill_number": number, "npp": npp, "branch_code": terms.branch_code,
            "period_year": terms.period.year, "period_month": terms.period.month, "kind": REGULAR, "sequence": 0,
            "due_date": terms.due_date, "total_rupiah": employer + worker, "employer_rupiah": employer,
            "worker_rupiah": worker, "paid_rupiah": 0, "status": "OPEN", "settled_on": None,
            "run_id": terms.run_id, "issued_at": now,
        }, billed))
