"""Feeding the contributions read model with membership-shaped events, no broker needed.

Events go through the consumer's own EventApplier (inbox included), exactly as the
runner applies them; builders make the payloads membership publishes.
"""
from __future__ import annotations

from datetime import date

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, events_pb2, offices_pb2, workers_pb2
from services.chassis.consumer import EventApplier
from services.chassis.events import make_envelope
from services.contributions.application.read_model import CONSUMER

OFFICES = (
    ("KP", offices_pb2.OFFICE_LEVEL_HEAD, ""),
    ("KW-SUMBAGUT", offices_pb2.OFFICE_LEVEL_REGIONAL, "KP"),
    ("KW-DKI", offices_pb2.OFFICE_LEVEL_REGIONAL, "KP"),
    ("KC-MEDAN", offices_pb2.OFFICE_LEVEL_BRANCH, "KW-SUMBAGUT"),
    ("KC-BINJAI", offices_pb2.OFFICE_LEVEL_BRANCH, "KW-SUMBAGUT"),
    ("KC-SIBOLGA", offices_pb2.OFFICE_LEVEL_BRANCH, "KW-SUMBAGUT"),
    ("KC-JAKSEL", offices_pb2.OFFICE_LEVEL_BRANCH, "KW-DKI"),
    ("KC-JAKPUS", offices_pb2.OFFICE_LEVEL_BRANCH, "KW-DKI"),
    ("KC-JAKTIM", offices_pb2.OFFICE_LEVEL_BRANCH, "KW-DKI"),
)
MARITAL = {"SINGLE": workers_pb2.MARITAL_STATUS_SINGLE, "MARRIED": workers_pb2.MARITAL_STATUS_MARRIED,
           "DIVORCED": workers_pb2.MARITAL_STATUS_DIVORCED}
PROGRAMS = {"JHT": workers_pb2.PROGRAM_JHT, "JKK": workers_pb2.PROGRAM_JKK, "JK": workers_pb2.PROGRAM_JK,
            "JPK": workers_pb2.PROGRAM_JPK}


def d(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


def rp(amount: int) -> types_pb2.Money:
    return types_pb2.Money(rupiah=amount)


def office_tree() -> events_pb2.OfficeTreeChanged:
    return events_pb2.OfficeTreeChanged(offices=[
        offices_pb2.Office(code=c, name=c, level=level, parent_code=parent) for c, level, parent in OFFICES])


def employer(npp: str, branch: str = "KC-BINJAI", risk_group: int = 1, registered: date = date(2015, 1, 5),
             name: str | None = None) -> employers_pb2.Employer:
    return employers_pb2.Employer(
        npp=npp, branch_code=branch, legal_name=name or f"PT Contoh {npp}", sector="Manufaktur", address="Jl. Sudirman 1",
        registration_date=d(registered), risk_group=risk_group, kind=employers_pb2.EMPLOYER_KIND_COMPANY,
        status=employers_pb2.EMPLOYER_STATUS_ACTIVE, risk_group_effective_date=d(registered))


def employer_registered(npp: str, **kwargs) -> events_pb2.EmployerRegistered:
    return events_pb2.EmployerRegistered(employer=employer(npp, **kwargs))


def risk_group_changed(npp: str, risk_group: int, effective: date, branch: str = "KC-BINJAI") -> events_pb2.EmployerChanged:
    changed = employer(npp, branch=branch, risk_group=risk_group)
    return events_pb2.EmployerChanged(employer=changed, change="risk_group", effective_date=d(effective))


def worker(kpj: str, npp: str, wage: int, start: date = date(2015, 2, 1), branch: str = "KC-BINJAI",
           marital: str = "SINGLE", programs: tuple[str, ...] = (), name: str | None = None) -> workers_pb2.Worker:
    return workers_pb2.Worker(
        kpj=kpj, nik="1275010101900001", name=name or f"Pekerja {kpj}", birth_date=d(date(1990, 1, 1)),
        sex=workers_pb2.SEX_MALE, marital_status=MARITAL[marital], monthly_wage=rp(wage), npp=npp, branch_code=branch,
        start_date=d(start), status=workers_pb2.WORKER_STATUS_ACTIVE, programs=[PROGRAMS[p] for p in programs],
        kind=workers_pb2.MEMBERSHIP_KIND_EMPLOYEE)


def worker_enrolled(kpj: str, npp: str, wage: int, **kwargs) -> events_pb2.WorkerEnrolled:
    return events_pb2.WorkerEnrolled(worker=worker(kpj, npp, wage, **kwargs))


def worker_transferred(kpj: str, new_npp: str, previous_npp: str, wage: int, start: date, branch: str = "KC-BINJAI",
                       **kwargs) -> events_pb2.WorkerTransferred:
    return events_pb2.WorkerTransferred(
        worker=worker(kpj, new_npp, wage, start=start, branch=branch, **kwargs), previous_npp=previous_npp,
        previous_branch_code=branch, previous_end_date=d(start))


def wage_changed(kpj: str, npp: str, wage: int, effective: date, previous: int = 0) -> events_pb2.WorkerWageChanged:
    return events_pb2.WorkerWageChanged(kpj=kpj, npp=npp, previous_wage=rp(previous), monthly_wage=rp(wage),
                                        effective_date=d(effective))


def family_changed(kpj: str, npp: str, marital: str, effective: date,
                   since: date | None = None) -> events_pb2.WorkerFamilyChanged:
    """A status report from `effective` (its own entry), or with `since` a change of the family
    list on `effective` naming the status entry in force then (M-6)."""
    return events_pb2.WorkerFamilyChanged(kpj=kpj, npp=npp, marital_status=MARITAL[marital], effective_date=d(effective),
                                          marital_status_since=d(since or effective))


def worker_terminated(kpj: str, npp: str, day: date) -> events_pb2.WorkerTerminated:
    return events_pb2.WorkerTerminated(kpj=kpj, npp=npp, termination_date=d(day),
                                       reason=workers_pb2.TERMINATION_REASON_RESIGNED)


def worker_died(kpj: str, npp: str, day: date) -> events_pb2.WorkerDied:
    return events_pb2.WorkerDied(kpj=kpj, npp=npp, death_date=d(day))


def envelope(payload, branch: str = "KC-BINJAI"):
    """The envelope membership would publish (keyed by NPP, KPJ or the office tree)."""
    key = getattr(payload, "kpj", "") or getattr(getattr(payload, "employer", None), "npp", "") \
        or getattr(getattr(payload, "worker", None), "kpj", "") or "office-tree"
    kind = "office_tree" if key == "office-tree" else "worker" if len(key) == 11 else "employer"
    return make_envelope(payload, aggregate_type=kind, aggregate_id=key, branch_code=branch, producer="membership")


class Feed:
    """`feed(payload, ...)` applies each event once through the consumer's inbox."""

    def __init__(self, runtime):
        app = runtime.app
        self.applier = EventApplier(CONSUMER, "contributions", app.read_model.registry, app.ctx.base.unit_of_work)

    def __call__(self, *events) -> list[str]:
        return [self.applier.apply(e if hasattr(e, "event_id") else envelope(e)) for e in events]
