"""Correction bills (C-5): a back-dated change of a billed period is billed as a difference.

When a change of wage (C-1..C-4), marital status (C-4 JPK) or risk group (C-3) takes
effect in a period already billed, the issued bill is never rewritten: for each billed
period from the change on, the facts before and after the change are priced with the rule
version of that period (domain `correction_lines`) and the differences become a
CORRECTION bill (sequence 1, 2, ... per employer and period). A correction that lowers
what was billed is a CREDIT bill (negative total).

A correction is due on the later of the period's own due date and the due date of the
month it is issued in (C-6): the employer cannot be late on a difference it was told of
today.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, UTC
from collections.abc import Callable

from jamsos.contributions.v1 import events_pb2
from services.chassis import metrics
from services.chassis.config import topic_of
from services.chassis.convert import from_date, from_period, from_rupiah
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import bill_store, billing_facts
from services.contributions.adapters.rule_repository import RuleRepository
from services.contributions.adapters.bill_queries import billed_periods_of_employers
from services.contributions.application.billing.pricing import enrolled_programs, shares
from services.contributions.domain.calculation import WorkerWageFacts, compute_lines, correction_lines
from services.contributions.domain.due_dates import due_date
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import rules_for_period

CORRECTION = "CORRECTION"


@dataclass(frozen=True)
class _Target:
    """A billed (employer, period) and the workers on its bill the change may touch."""

    npp: str
    period: Period
    branch_code: str
    due_date: date
    kpjs: tuple[str, ...]


def correct_billed_periods(uow: UnitOfWork, *, since: date, today: date, apply: Callable[[], None],
                           kpj: str | None = None, npp: str | None = None) -> list[str]:
    """Run `apply` (the read-model change effective `since`, for worker `kpj` or for every
    worker of employer `npp`) and issue the correction bills it calls for; returns their numbers."""
    session = uow.session
    targets = _targets(session, Period.of(since), kpj=kpj, npp=npp)
    before = {t: _facts(session, t) for t in targets}
    apply()
    if not targets:
        return []
    stored = RuleRepository(session)
    table, calendar = stored.load_contribution_rules(), stored.load_calendar()
    now_period = Period.of(today)
    due_now = due_date(now_period.year, now_period.month, rules_for_period(table, now_period.year, now_period.month), calendar)
    issued = []
    for target in targets:
        rules = rules_for_period(table, target.period.year, target.period.month)
        after = _facts(session, target)
        rows = []
        for worker in target.kpjs:
            if worker not in before[target] or worker not in after:
                continue
            (old, _), (new, enrolled) = before[target][worker], after[worker]
            priced = {(l.program, l.payer): l for l in compute_lines(new, rules)}
            for line in correction_lines(old, new, rules):
                if line.program.value in enrolled:
                    current = priced[(line.program, line.payer)]
                    rows.append((worker, line.program.value, line.payer.value, current.base_rupiah, current.rate_bp, line.amount_rupiah))
        if rows:
            issued.append(_issue(uow, target, rows, max(target.due_date, due_now), since))
    return issued


def _targets(session, since: Period, *, kpj: str | None, npp: str | None) -> list[_Target]:
    npps = [npp] if npp else billing_facts.employers_of_worker(session, kpj)
    targets = []
    billed = billed_periods_of_employers(session, npps, since)
    numbers = [bill_store.bill_number(n, p) for n, p in billed]
    on_bill = bill_store.kpjs_on_bills(session, numbers)
    for (employer, period), number in zip(billed, numbers, strict=True):
        workers = on_bill.get(number, set())
        chosen = tuple(sorted(workers)) if kpj is None else ((kpj,) if kpj in workers else ())
        if chosen:
            bill = bill_store.regular_bill(session, employer, period)
            targets.append(_Target(employer, period, bill.branch_code, bill.due_date, chosen))
    return targets


def _facts(session, target: _Target) -> dict[str, tuple[WorkerWageFacts, frozenset[str]]]:
    """The target's workers' facts as the read model has them now (C-6a UMK floor included)."""
    risk_group = billing_facts.employer_risk_group(session, target.npp, target.period)
    umk = RuleRepository(session).umk_in_force(target.branch_code, billing_facts.last_day(target.period))
    facts = {}
    for worker, (wage, marital, programs) in billing_facts.facts_of_workers(session, list(target.kpjs), target.period).items():
        if wage is not None and risk_group is not None:
            facts[worker] = (WorkerWageFacts(worker, wage, marital, risk_group, umk), enrolled_programs(programs))
    return facts


def _issue(uow: UnitOfWork, target: _Target, rows: list[tuple], due: date, since: date) -> str:
    session = uow.session
    sequence = bill_store.next_correction_sequence(session, target.npp, target.period)
    number = bill_store.bill_number(target.npp, target.period, sequence)
    employer, worker = shares([(r[2], r[5]) for r in rows])
    total = employer + worker
    bill_store.insert_bills(session, [{
        "bill_number": number, "npp": target.npp, "branch_code": target.branch_code,
        "period_year": target.period.year, "period_month": target.period.month, "kind": CORRECTION,
        "sequence": sequence, "due_date": due, "total_rupiah": total, "employer_rupiah": employer,
        "worker_rupiah": worker, "paid_rupiah": 0, "status": "OPEN" if total > 0 else "CREDIT",
        "settled_on": None, "run_id": None, "issued_at": datetime.now(UTC),
    }])
    bill_store.insert_lines(session, [(number,) + row for row in rows])
    workers = len({r[0] for r in rows})
    uow.emit(topic_of("contributions"), events_pb2.BillIssued(
        bill_number=number, npp=target.npp, branch_code=target.branch_code,
        period=from_period(target.period.year, target.period.month), kind=CORRECTION, total=from_rupiah(total),
        due_date=from_date(due), worker_count=workers,
    ), aggregate_type="employer", aggregate_id=target.npp, branch_code=target.branch_code)
    uow.audit("billing.correction", number, {"period": str(target.period), "total_rupiah": total, "workers": workers},
              reason=f"back-dated change effective {since.isoformat()}")
    metrics.BUSINESS_EVENTS.labels("contributions", "correction_bill_issued").inc()
    return number
