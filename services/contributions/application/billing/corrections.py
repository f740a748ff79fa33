"""Correction bills (C-5): a back-dated change of a billed period is billed as a difference.

When a change of wage (C-1..C-4), marital status (C-4 JPK) or risk group (C-3) takes
effect in a period already billed, the issued bill is never rewritten: for each billed
period from the change on, the facts before and after the change are priced with the rule
version of that period (domain `correction_lines`) and the differences become a
CORRECTION bill (sequence 1, 2, ... per employer and period). A correction that lowers
what was billed is a CREDIT bill (negative total).

A change of who is billable (`correct_worker_billing`) is recorded with its event and
billed by the branch's next billing job (`issue_pending_corrections`), one bill per
employer and period however many workers arrived: an enrolment or transfer whose start
falls in a billed period, or whose event arrives after the run, bills the worker's whole
lines (a debit, or the regular bill when the run found nobody to bill); a back-dated
termination, death or transfer away takes them off (a CREDIT). Whether a worker is on a
period's bill is decided by the run's own query (`billing_facts.worker_facts`), and the
correction is what the period's bills charged them against what they owe now.

Every correction first locks the employers' read-model rows (PostgreSQL; SQLite writes are
serialised anyway), as a billing chunk does before it reads: a change applied while a run
bills the same employer is either seen by the run or corrected after it, never neither.

A correction is due on the later of the period's own due date and the due date of the
month it is issued in (C-6): the employer cannot be late on a difference it was told of
today.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, UTC
from collections.abc import Callable, Sequence

from jamsos.contributions.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.membership_replica import EmploymentChange
from services.chassis.convert import from_date, from_period, from_rupiah
from services.chassis.prebuilt import PrebuiltConnection
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import bill_store, billing_facts, pending_corrections, worker_billing_facts
from services.contributions.adapters.rule_repository import RuleRepository
from services.contributions.adapters.bill_queries import billed_periods_of_employers
from services.contributions.application.billing.chunk import bill_chunk, job_terms
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
    billing_facts.lock_employers(session, [npp] if npp else billing_facts.employers_of_worker(session, kpj))
    targets = _targets(session, Period.of(since), kpj=kpj, npp=npp)
    before = {t: _facts(session, t) for t in targets}
    apply()
    if not targets:
        return []
    table, due_now = _rules_and_due_now(session, today)
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


def correct_worker_billing(uow: UnitOfWork, changes: Sequence[EmploymentChange], apply: Callable[[], None]) -> int:
    """Run `apply` (changes of workers' employments, each from its `since`: enrolment,
    transfer, termination, death, touching the employers `npps`; a run of enrolments of
    distinct workers at once) and record every billed period of those employers whose bill a
    worker joins or leaves by it; returns how many. The branch's next billing job bills them
    (`issue_pending_corrections`)."""
    if not changes:
        apply()
        return 0
    session, db = uow.session, uow.prebuilt  # the reads of every event prebuilt (worker_billing_facts)
    assert len({c.kpj for c in changes}) == len(changes), "each worker changes once in a run"
    held = (worker_billing_facts.employers_of_workers(db, [c.kpj for c in changes]) if len(changes) > 1
            else {c.kpj: billing_facts.employers_of_worker(db, c.kpj) for c in changes})
    employers = {c.kpj: sorted(set(c.npps) | set(held.get(c.kpj, ()))) for c in changes}
    every_employer = sorted({npp for npps in employers.values() for npp in npps})
    billing_facts.lock_employers(db, every_employer)
    periods = _billed_periods(db, every_employer, Period.of(min(c.since for c in changes)))
    # (change, (npp, period), branch): each worker's billed periods from its own change on
    touched = [(c, key, branch) for c in changes for key, branch in periods.items()
               if key[0] in employers[c.kpj] and key[1] >= Period.of(c.since)]
    terms = functools.cache(functools.partial(_employer_terms, session))  # once for both sides: the change leaves them alone
    before = [_billable(session, c.kpj, *key, terms=terms, db=db) for c, key, _ in touched]
    apply()
    recorded = 0
    for (change, (npp, period), branch), was in zip(touched, before, strict=True):
        if was != _billable(session, change.kpj, npp, period, terms=terms, db=db):
            pending_corrections.record(session, npp, period, change.kpj, branch, change.since)
            recorded += 1
    return recorded


def issue_pending_corrections(uow: UnitOfWork, run_id: str, branch_code: str, today: date) -> list[str]:
    """C-5: the branch's waiting workers, one bill per employer and period: the regular bill
    when the run found nobody to bill then (the worker is the employer's first), otherwise a
    correction of the difference between what the period's bills charged each worker and
    what the worker owes for it now (whole lines in, whole lines out). Returns the numbers."""
    session = uow.session
    waiting = pending_corrections.of_branch(session, branch_code)
    if not waiting:
        return []
    billing_facts.lock_employers(session, sorted({npp for npp, _ in waiting}))
    table, due_now = _rules_and_due_now(session, today)
    issued = []
    for (npp, period), (kpjs, since) in waiting.items():
        pending_corrections.clear(session, npp, period)
        bill = bill_store.regular_bill(session, npp, period)
        if bill is None:
            facts = billing_facts.employer_facts(session, npp, period)
            if facts is not None and bill_chunk(uow, job_terms(uow, run_id, branch_code, period), [facts]):
                issued.append(bill_store.bill_number(npp, period))
            continue
        rules = rules_for_period(table, period.year, period.month)
        charged = pending_corrections.billed_lines(session, npp, period, kpjs)
        rows = [row for kpj in kpjs for row in _rows_to(kpj, charged.get(kpj, {}), _billable(session, kpj, npp, period), rules)]
        if rows:
            target = _Target(npp, period, bill.branch_code, bill.due_date, tuple(kpjs))
            issued.append(_issue(uow, target, rows, max(bill.due_date, due_now), since))
    return issued


def _billed_periods(db: PrebuiltConnection, employers: list[str], since: Period) -> dict[tuple[str, Period], str]:
    """(npp, period) -> branch of every period from `since` that a run has billed or gone
    past for these employers: with a regular bill, or passed over because nobody was billable
    (one prebuilt statement per employer)."""
    return worker_billing_facts.billed_periods(db, employers, since)


_Priced = tuple[WorkerWageFacts, frozenset[str]]
_Terms = tuple[int | None, int | None]  # the employer's risk group, its branch's UMK


def _employer_terms(session, npp: str, period: Period) -> _Terms:
    """What prices `npp`'s workers of `period` besides their own facts: the employer's risk
    group (C-3) and, where it has one, the UMK of its branch (C-6a)."""
    risk_group = billing_facts.employer_risk_group(session, npp, period)
    if risk_group is None:
        return None, None
    branch = billing_facts.employer_branch(session, npp)
    return risk_group, RuleRepository(session).umk_in_force(branch, billing_facts.last_day(period)) if branch else None


def _billable(session, kpj: str, npp: str, period: Period, *, terms: Callable[[str, Period], _Terms] | None = None,
              db: PrebuiltConnection | None = None) -> _Priced | None:
    """The worker's facts on `npp`'s bill of `period` by the run's rule, or None when the
    run would not bill them there (no employment in the period, a later employer's, no wage,
    no risk group). With `db` the same statement runs prebuilt."""
    rows = (worker_billing_facts.worker_on_bill(db, kpj, npp, period) if db is not None
            else billing_facts.worker_facts(session, period, npps=[npp], kpjs=[kpj]))
    if not rows or rows[0].wage is None or rows[0].wage < 0:
        return None
    risk_group, umk = terms(npp, period) if terms is not None else _employer_terms(session, npp, period)
    if risk_group is None:
        return None
    row = rows[0]
    marital = row.marital or billing_facts.DEFAULT_MARITAL_STATUS
    return WorkerWageFacts(kpj, row.wage, marital, risk_group, umk), enrolled_programs(row.programs)


def _rows_to(kpj: str, charged: dict[tuple[str, str], tuple[int, int, int]], owed: _Priced | None, rules) -> list[tuple]:
    """Bill-line rows taking what the period's bills charged `kpj` to what it owes now."""
    now = {}
    if owed is not None:
        facts, enrolled = owed
        now = {(l.program.value, l.payer.value): (l.amount_rupiah, l.base_rupiah, l.rate_bp)
               for l in compute_lines(facts, rules) if l.program.value in enrolled}
    rows = []
    for key in sorted(set(now) | set(charged)):
        amount, base, rate = now.get(key) or (0, *charged[key][1:])
        difference = amount - charged.get(key, (0, 0, 0))[0]
        if difference:
            rows.append((kpj, key[0], key[1], base, rate, difference))
    return rows


def _rules_and_due_now(session, today: date):
    """The contribution rule table, and the due date of a correction issued `today` (C-6)."""
    stored = RuleRepository(session)
    table, calendar = stored.load_contribution_rules(), stored.load_calendar()
    now = Period.of(today)
    return table, due_date(now.year, now.month, rules_for_period(table, now.year, now.month), calendar)


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
    uow.count("correction_bill_issued")
    return number
