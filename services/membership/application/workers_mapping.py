"""Protobuf <-> domain conversions for workers (M-3..M-8), with the request's field names.

The domain names a few fields its own way (`monthly_wage_rupiah`, `employer_npp`,
`family[i]`); errors leave this layer named as the client sent them (`monthly_wage`,
`npp`, `members[i]`), so a BadRequest field violation points at the request field.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from collections.abc import Iterator

from jamsos.membership.v1 import workers_pb2
from services.chassis.convert import from_date, from_rupiah
from services.chassis.errors import FieldViolation, InvalidArgument, Violations
from services.membership.domain.employment_history import EmploymentPeriod, EndReason
from services.membership.domain.family import FamilyMember, Relation
from services.membership.domain.person import MaritalStatus, Sex
from services.membership.domain.workers import (
    WAGE_FIELD, EnrolWorker, MembershipKind, Program, Worker, WorkerStatus, validate_enrolment,
)

SEX = {workers_pb2.SEX_MALE: Sex.MALE, workers_pb2.SEX_FEMALE: Sex.FEMALE}
MARITAL = {
    workers_pb2.MARITAL_STATUS_SINGLE: MaritalStatus.SINGLE,
    workers_pb2.MARITAL_STATUS_MARRIED: MaritalStatus.MARRIED,
    workers_pb2.MARITAL_STATUS_DIVORCED: MaritalStatus.DIVORCED,
    workers_pb2.MARITAL_STATUS_WIDOWED: MaritalStatus.WIDOWED,
}
STATUS = {
    workers_pb2.WORKER_STATUS_ACTIVE: WorkerStatus.ACTIVE,
    workers_pb2.WORKER_STATUS_NON_ACTIVE: WorkerStatus.NON_ACTIVE,
    workers_pb2.WORKER_STATUS_DECEASED: WorkerStatus.DECEASED,
}
PROGRAM = {
    workers_pb2.PROGRAM_JHT: Program.JHT, workers_pb2.PROGRAM_JKK: Program.JKK,
    workers_pb2.PROGRAM_JK: Program.JK, workers_pb2.PROGRAM_JPK: Program.JPK,
}
KIND = {
    workers_pb2.MEMBERSHIP_KIND_EMPLOYEE: MembershipKind.EMPLOYEE,
    workers_pb2.MEMBERSHIP_KIND_INFORMAL_SECTOR: MembershipKind.INFORMAL_SECTOR,
}
TERMINATION = {
    workers_pb2.TERMINATION_REASON_RESIGNED: EndReason.RESIGNED,
    workers_pb2.TERMINATION_REASON_LAID_OFF: EndReason.LAID_OFF,
    workers_pb2.TERMINATION_REASON_CONTRACT_ENDED: EndReason.CONTRACT_ENDED,
    workers_pb2.TERMINATION_REASON_RETIRED: EndReason.RETIRED,
    workers_pb2.TERMINATION_REASON_OTHER: EndReason.OTHER,
}
RELATION = {workers_pb2.RELATION_SPOUSE: Relation.SPOUSE, workers_pb2.RELATION_CHILD: Relation.CHILD}


def _inverse(mapping: dict) -> dict:
    return {v: k for k, v in mapping.items()}


SEX_TO_PROTO, MARITAL_TO_PROTO, STATUS_TO_PROTO = _inverse(SEX), _inverse(MARITAL), _inverse(STATUS)
PROGRAM_TO_PROTO, KIND_TO_PROTO, TERMINATION_TO_PROTO = _inverse(PROGRAM), _inverse(KIND), _inverse(TERMINATION)
RELATION_TO_PROTO = _inverse(RELATION)

# Domain field name -> request field name.
_FIELD_NAMES = {WAGE_FIELD: "monthly_wage", "employer_npp": "npp"}


def request_field(name: str) -> str:
    if name.startswith("family["):
        return "members[" + name[len("family["):]
    return _FIELD_NAMES.get(name, name)


def renamed(error: InvalidArgument) -> InvalidArgument:
    return InvalidArgument([FieldViolation(request_field(v.field), v.reason) for v in error.violations])


@contextmanager
def request_fields() -> Iterator[None]:
    """Re-raise the domain's InvalidArgument with the request's field names."""
    try:
        yield
    except InvalidArgument as error:
        raise renamed(error) from None


def merge(decoding: Violations, domain: InvalidArgument | None) -> None:
    """Raise every problem: decoding ones first; a domain complaint about a field that
    decoding already flagged (e.g. "is required" after an impossible date) is dropped."""
    flagged = {v.field for v in decoding.items}
    items = list(decoding.items)
    if domain is not None:
        items += [v for v in renamed(domain).violations if v.field not in flagged]
    if items:
        raise InvalidArgument(items)


# ---- decoding -----------------------------------------------------------------------
def optional_date(parent, name: str, v: Violations, field: str | None = None) -> date | None:
    """`parent.<name>` as a date; unset is None (the domain says "is required" where it is)."""
    field = field or name
    if not parent.HasField(name):
        return None
    d = getattr(parent, name)
    try:
        return date(d.year, d.month, d.day)
    except ValueError as exc:
        v.add(field, f"not a calendar date ({d.year}-{d.month}-{d.day}): {exc}")
        return None


def enum_in(mapping: dict, value: int, field: str, v: Violations, *, required: bool = True):
    if value in mapping:
        return mapping[value]
    if value == 0:
        if required:
            v.add(field, "is required")
        return None
    v.add(field, f"{value} is not a known value")
    return None


def enrolment_command(message, *, npp: str, branch_code: str, kind: MembershipKind, today: date) -> EnrolWorker:
    """An EnrolWorkerRequest or BulkEnrolRow as a validated EnrolWorker (M-3, M-4), or
    InvalidArgument naming every bad field: NIK format and agreement with the birth date
    and sex, dates, wage, age at start, programs."""
    v = Violations()
    wage = None
    if message.HasField("monthly_wage"):
        wage = int(message.monthly_wage.rupiah)
    else:
        v.add("monthly_wage", "is required")
    programs = [PROGRAM[value] for value in message.programs if value in PROGRAM]
    if len(programs) != len(message.programs):
        v.add("programs", "each must be one of PROGRAM_JHT, PROGRAM_JKK, PROGRAM_JK, PROGRAM_JPK")
    command = EnrolWorker(
        nik=message.nik, name=message.name, birth_date=optional_date(message, "birth_date", v),
        sex=enum_in(SEX, message.sex, "sex", v), marital_status=enum_in(MARITAL, message.marital_status, "marital_status", v),
        monthly_wage_rupiah=wage, employer_npp=npp, branch_code=branch_code,
        start_date=optional_date(message, "start_date", v),
        programs=programs or None,  # none listed: all four programs
        kind=kind,
    )
    try:
        validate_enrolment(command, today)
    except InvalidArgument as error:
        merge(v, error)
    merge(v, None)
    return command


def family_from_proto(members) -> tuple[list[FamilyMember], Violations]:
    v = Violations()
    family = []
    for i, m in enumerate(members):
        at = f"members[{i}]"
        family.append(FamilyMember(
            name=m.name, relation=enum_in(RELATION, m.relation, f"{at}.relation", v),
            birth_date=optional_date(m, "birth_date", v, f"{at}.birth_date"), married=m.married,
            nik=m.nik.strip() or None, order=i + 1,  # the family-card order, ties of twins
        ))
    return family, v


# ---- encoding -----------------------------------------------------------------------
def worker_to_proto(worker: Worker, monthly_wage: int | None = None) -> workers_pb2.Worker:
    """The worker record (M-4); `monthly_wage` is the wage in force, when known."""
    message = workers_pb2.Worker(
        kpj=worker.kpj, nik=worker.nik, name=worker.name, birth_date=from_date(worker.birth_date),
        sex=SEX_TO_PROTO[worker.sex], marital_status=MARITAL_TO_PROTO[worker.marital_status],
        monthly_wage=from_rupiah(worker.monthly_wage_rupiah if monthly_wage is None else monthly_wage),
        npp=worker.employer_npp, branch_code=worker.branch_code, start_date=from_date(worker.start_date),
        status=STATUS_TO_PROTO[worker.status],
        programs=[PROGRAM_TO_PROTO[p] for p in PROGRAM_TO_PROTO if p in worker.programs],
        kind=KIND_TO_PROTO[worker.kind], end_reason=worker.end_reason.value if worker.end_reason else "",
    )
    if worker.end_date:
        message.end_date.CopyFrom(from_date(worker.end_date))
    if worker.death_date:
        message.death_date.CopyFrom(from_date(worker.death_date))
    if worker.totally_disabled_on:
        message.totally_disabled_on.CopyFrom(from_date(worker.totally_disabled_on))
    return message


def family_member_to_proto(member: FamilyMember) -> workers_pb2.FamilyMember:
    return workers_pb2.FamilyMember(
        name=member.name, relation=RELATION_TO_PROTO[Relation(member.relation)],
        birth_date=from_date(member.birth_date), married=member.married, nik=member.nik or "",
    )


def period_to_proto(period: EmploymentPeriod) -> workers_pb2.EmploymentPeriod:
    message = workers_pb2.EmploymentPeriod(
        npp=period.npp, branch_code=period.branch_code, start_date=from_date(period.start_date),
        end_reason=period.end_reason.value if period.end_reason else "",
    )
    if period.end_date:
        message.end_date.CopyFrom(from_date(period.end_date))
    return message
