"""Commands the workers use cases take and the results they return (domain values).

The entrypoint decodes a request into one of these (bad input: InvalidArgument naming the
request field) and encodes the result (`workers_mapping`), so a use case runs, and is
tested, without gRPC.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.chassis.errors import Violations
from services.membership.domain.employment_history import EmploymentPeriod, EndReason
from services.membership.domain.family import FamilyMember
from services.membership.domain.person import MaritalStatus
from services.membership.domain.workers import Worker, WorkerStatus


# ---- commands ------------------------------------------------------------------------
@dataclass(frozen=True)
class GetWorker:
    kpj: str


@dataclass(frozen=True)
class FindKpj:
    nik: str
    birth_date: date


@dataclass(frozen=True)
class ListWorkers:
    npp: str
    status: WorkerStatus | None
    after_kpj: str | None
    size: int


@dataclass(frozen=True)
class GetFamily:
    kpj: str
    on_date: date | None = None  # None: today


@dataclass(frozen=True)
class GetEmploymentHistory:
    kpj: str
    on_date: date | None = None  # None: today


@dataclass(frozen=True)
class ChangeWage:
    kpj: str
    monthly_wage_rupiah: int
    effective_date: date


@dataclass(frozen=True)
class ChangeMaritalStatus:
    kpj: str
    status: MaritalStatus
    effective_date: date | None = None  # None: today


@dataclass(frozen=True)
class ChangeFamily:
    kpj: str
    members: tuple[FamilyMember, ...]
    # Decoding problems, raised together with the domain's once the worker is known.
    problems: Violations = field(default_factory=Violations)


@dataclass(frozen=True)
class TerminateWorker:
    kpj: str
    termination_date: date
    reason: EndReason


@dataclass(frozen=True)
class RecordDeath:
    kpj: str
    death_date: date


# ---- results -------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkerView:
    """A member's record with the wage in force (a wage change may be dated ahead, M-4)."""

    worker: Worker
    monthly_wage_rupiah: int | None = None


@dataclass(frozen=True)
class KpjFound:
    kpj: str
    name: str
    status: WorkerStatus


@dataclass(frozen=True)
class WorkerPage:
    workers: tuple[WorkerView, ...]
    next_after_kpj: str | None


@dataclass(frozen=True)
class FamilyView:
    """The family list, the dependants covered on the day and the status that decided it (M-6)."""

    members: tuple[FamilyMember, ...]
    covered: tuple[FamilyMember, ...]
    marital_status: MaritalStatus


@dataclass(frozen=True)
class EmploymentHistoryView:
    periods: tuple[EmploymentPeriod, ...]
    months_of_membership: int
    active_on_date: bool
    member_since: date | None
