"""Employers, bills and clock for the money-side service tests (payments, penalties,
reconciliation, standing, JHT ledger), written with the service's own session.

Bills are issued by the billing side; these tests insert the rows they need directly so
the money side is tested on its own. This is the one place to change if the billing
tables change.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time

from sqlalchemy import insert, select

from jamsos.common.v1 import types_pb2
from services.chassis.events import parse_envelope, unpack_payload
from services.contributions.adapters.money_tables import ledger_entries
from services.contributions.adapters.tables import bill_lines, bills, platform, rm_employers, rm_workers
from services.contributions.domain.periods import Period
from tests.service_harness import rule_of  # noqa: F401 - re-exported for the money tests

BINJAI, MEDAN = "KC-BINJAI", "KC-MEDAN"
NPP, OTHER_NPP = "99000001", "99000002"


def d(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


def rp(amount: int) -> types_pb2.Money:
    return types_pb2.Money(rupiah=amount)


def set_today(contributions, day: date) -> None:
    """The service's clock: payments cannot be after it; ageing and postings use it."""
    contributions.app.ctx.today = lambda: day


def _write(contributions, statement, rows) -> None:
    with contributions.app.ctx.base.unit_of_work() as uow:
        uow.session.execute(statement, rows)
        uow.commit()


def add_employer(contributions, npp: str = NPP, branch: str = BINJAI, *, address: str = "Jl. Sudirman 1",
                 status: str = "ACTIVE") -> str:
    _write(contributions, insert(rm_employers), [dict(
        npp=npp, branch_code=branch, legal_name=f"PT {npp}", address=address, kind="COMPANY",
        registration_date=date(2005, 1, 1), status=status)])
    return npp


def add_worker(contributions, kpj: str, npp: str = NPP, branch: str = BINJAI) -> str:
    _write(contributions, insert(rm_workers), [dict(kpj=kpj, name=f"Worker {kpj}", npp=npp, branch_code=branch,
                                                    status="ACTIVE", programs="JHT,JKK,JK", death_date=None)])
    return kpj


def add_bill(contributions, period: Period, total: int, due: date, *, npp: str = NPP, branch: str = BINJAI,
             kind: str = "REGULAR", sequence: int = 0, issued_on: date | None = None, status: str = "OPEN",
             jht: Mapping[str, tuple[int, int]] | None = None) -> str:
    """A bill of `total` rupiah; `jht` gives each KPJ's (employer, worker) JHT lines. The rest
    of the total is one JKK line of the first worker (or of a placeholder KPJ). A credit
    note is a CORRECTION with a negative total and status "CREDIT"."""
    number = f"SPI-{period.year:04d}{period.month:02d}-{npp}" + (f"-K{sequence}" if sequence else "")
    lines = []
    for kpj, (employer_share, worker_share) in (jht or {}).items():
        lines += [dict(bill_number=number, kpj=kpj, program="JHT", payer="EMPLOYER", base_rupiah=0, rate_bp=370,
                       amount_rupiah=employer_share),
                  dict(bill_number=number, kpj=kpj, program="JHT", payer="WORKER", base_rupiah=0, rate_bp=200,
                       amount_rupiah=worker_share)]
    rest = total - sum(line["amount_rupiah"] for line in lines)
    if rest:
        lines.append(dict(bill_number=number, kpj=next(iter(jht or {}), "00000000000"), program="JKK",
                          payer="EMPLOYER", base_rupiah=0, rate_bp=24, amount_rupiah=rest))
    worker = sum(line["amount_rupiah"] for line in lines if line["payer"] == "WORKER")
    issued = datetime.combine(issued_on or Period(period.year, period.month).following().first_day, time(8),
                              tzinfo=UTC)
    _write(contributions, insert(bills), [dict(
        bill_number=number, npp=npp, branch_code=branch, period_year=period.year, period_month=period.month,
        kind=kind, sequence=sequence, due_date=due, total_rupiah=total, employer_rupiah=total - worker,
        worker_rupiah=worker, paid_rupiah=0, status=status, settled_on=None, run_id=None, issued_at=issued)])
    _write(contributions, insert(bill_lines), lines)
    return number


def bill(contributions, number: str):
    with contributions.app.ctx.base.read_session() as session:
        return session.execute(select(bills).where(bills.c.bill_number == number)).one()


def events(contributions, payload_cls) -> list:
    """Payloads of one type written to the outbox, oldest first."""
    outbox = platform["outbox"]
    with contributions.app.ctx.base.read_session() as session:
        rows = session.execute(select(outbox.c.envelope).where(outbox.c.event_type == payload_cls.DESCRIPTOR.full_name)
                               .order_by(outbox.c.id)).scalars().all()
    return [unpack_payload(parse_envelope(raw), payload_cls) for raw in rows]


def ledger_rows(contributions) -> list:
    with contributions.app.ctx.base.read_session() as session:
        return session.execute(select(ledger_entries)).all()


FINANCE = ("KC-BINJAI", "FINANCE_OFFICER")
