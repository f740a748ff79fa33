"""What a billing run leaves in a contributions database, in a form two databases compare
by: bills and lines without the columns that differ between two runs of the same work
(run id, issue time, line id), and the BillIssued events in the outbox.

Also the read model of a billing fault, loaded in bulk: thousands of employers are what
make a run long enough to be killed between its branch jobs, and one event per row
through the consumer would take longer than the whole suite may.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select

from jamsos.contributions.v1 import events_pb2
from services.chassis.database import make_engine, make_read_session_factory
from services.chassis.events import parse_envelope, unpack_payload
from services.contributions.adapters.tables import (
    bill_lines, bills, platform, rm_employer_risk_groups, rm_employers, rm_employments, rm_worker_marital,
    rm_worker_wages, rm_workers,
)

BILL_COLUMNS = [c for c in bills.columns if c.name not in ("run_id", "issued_at")]
LINE_COLUMNS = [c for c in bill_lines.columns if c.name != "id"]

# C-1..C-4 of one married worker on Rp4,000,000 in all four programs, by JKK risk group:
#   JHT 3.7% + 2% = 148,000 + 80,000 = 228,000;  JK 0.3% = 12,000;
#   JPK 6% of the Rp1,000,000 cap = 60,000;      JKK I..V: 0.24/0.54/0.89/1.27/1.74% of 4,000,000
#   = 9,600 / 21,600 / 35,600 / 50,800 / 69,600.  300,000 + JKK:
WAGE = 4_000_000
PER_WORKER_BY_RISK_GROUP = {1: 309_600, 2: 321_600, 3: 335_600, 4: 350_800, 5: 369_600}


@dataclass(frozen=True)
class BilledState:
    bills: list[tuple]
    lines: list[tuple]
    bill_issued: list[str]  # bill numbers of the BillIssued events in the outbox, one per event

    @property
    def total_rupiah(self) -> int:
        return sum(row[BILL_COLUMNS.index(bills.c.total_rupiah)] for row in self.bills)


def billed_state(database_url: str) -> BilledState:
    engine = make_engine(database_url)
    outbox = platform["outbox"]
    try:
        with make_read_session_factory(engine)() as session:
            bill_rows = sorted(tuple(r) for r in session.execute(select(*BILL_COLUMNS)))
            line_rows = sorted(tuple(r) for r in session.execute(select(*LINE_COLUMNS)))
            raw = session.execute(select(outbox.c.envelope).where(
                outbox.c.event_type == events_pb2.BillIssued.DESCRIPTOR.full_name)).scalars().all()
    finally:
        engine.dispose()
    issued = sorted(unpack_payload(parse_envelope(bytes(r)), events_pb2.BillIssued).bill_number for r in raw)
    return BilledState(bill_rows, line_rows, issued)


def count_rows(database_url: str, table) -> int:
    engine = make_engine(database_url)
    try:
        with make_read_session_factory(engine)() as session:
            return session.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Employer:
    npp: str
    branch_code: str
    risk_group: int
    workers: int


def employers_of(branches: list[str], per_branch: int, workers_each: int) -> list[Employer]:
    """Risk groups I..V in turn within each branch; NPPs of 8 digits, unique per branch."""
    return [Employer(f"{b + 1}{e + 1:07d}", branch, e % 5 + 1, workers_each)
            for b, branch in enumerate(branches) for e in range(per_branch)]


def expected_total(employers: list[Employer]) -> int:
    """The run's total from the hand-computed figures above: workers x per-worker bill."""
    return sum(e.workers * PER_WORKER_BY_RISK_GROUP[e.risk_group] for e in employers)


def load_read_model(runtime, employers: list[Employer], start: date = date(2020, 1, 6)) -> int:
    """Employers and their married workers on Rp4,000,000 in every program, straight into
    the rm_* tables in one transaction (the shapes the membership consumer writes)."""
    rows: dict = {t: [] for t in (rm_employers, rm_employer_risk_groups, rm_workers, rm_employments,
                                  rm_worker_wages, rm_worker_marital)}
    kpj = 0
    for e in employers:
        rows[rm_employers].append(dict(npp=e.npp, branch_code=e.branch_code, legal_name=f"PT Contoh {e.npp}",
                                       address="Jl. Sudirman 1", kind="COMPANY", registration_date=date(2015, 1, 5),
                                       status="ACTIVE"))
        rows[rm_employer_risk_groups].append(dict(npp=e.npp, effective_date=date(2015, 1, 5), risk_group=e.risk_group))
        for _ in range(e.workers):
            kpj += 1
            k = f"{kpj:011d}"
            rows[rm_workers].append(dict(kpj=k, name=f"Pekerja {k}", npp=e.npp, branch_code=e.branch_code,
                                         status="ACTIVE", programs="JHT,JKK,JK,JPK", death_date=None))
            rows[rm_employments].append(dict(kpj=k, npp=e.npp, start_date=start, end_date=None))
            rows[rm_worker_wages].append(dict(kpj=k, effective_date=start, monthly_wage=WAGE))
            rows[rm_worker_marital].append(dict(kpj=k, effective_date=start, marital_status="MARRIED"))
    with runtime.app.ctx.base.unit_of_work() as uow:
        for table, values in rows.items():
            uow.session.execute(insert(table), values)
        uow.commit()
    return kpj
