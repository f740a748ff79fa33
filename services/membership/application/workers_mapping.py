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
from services.chassis.convert import (
    decode_page_token, encode_page_token, enum_in, from_date, from_rupiah, page_size, to_date, to_rupiah,
)
from services.chassis.errors import FieldViolation, InvalidArgument, Violations
from services.membership.domain.employment_history import EmploymentPeriod, EndReason
from services.membership.domain.family import FamilyMember, Relation
from services.membership.domain.person import MaritalStatus, Sex
from services.membership.application import workers_commands as c
from services.membership.domain.nik import normalise_nik
from services.membership.domain.numbers import validate_kpj, validate_npp
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
            member_id=m.member_id.strip() or None,
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
        member_id=member.member_id or "",
    )


def period_to_proto(period: EmploymentPeriod) -> workers_pb2.EmploymentPeriod:
    message = workers_pb2.EmploymentPeriod(
        npp=period.npp, branch_code=period.branch_code, start_date=from_date(period.start_date),
        end_reason=period.end_reason.value if period.end_reason else "",
    )
    if period.end_date:
        message.end_date.CopyFrom(from_date(period.end_date))
    return message


# ---- requests -> commands (authorise first: decoding reads the request) -------------
def _enum(mapping: dict, value: int, field: str, *, required: bool = True):
    v = Violations()
    found = enum_in(mapping, value, field, v, required=required)
    v.raise_if_any()
    return found


def get_worker(request: workers_pb2.GetWorkerRequest) -> c.GetWorker:
    return c.GetWorker(validate_kpj(request.kpj))


def find_kpj(request: workers_pb2.FindKpjRequest) -> c.FindKpj:
    return c.FindKpj(normalise_nik(request.nik), to_date(request, "birth_date"))


def list_workers(request: workers_pb2.ListWorkersRequest) -> c.ListWorkers:
    npp = validate_npp(request.npp, "npp")
    size = page_size(request.page)
    after = (decode_page_token(request.page.page_token) or {}).get("kpj")
    if after is not None and not isinstance(after, str):
        raise InvalidArgument.field("page.page_token", "not a token this service issued")
    return c.ListWorkers(npp, _enum(STATUS, request.status, "status", required=False), after, size)


def get_family(request: workers_pb2.GetFamilyRequest) -> c.GetFamily:
    return c.GetFamily(validate_kpj(request.kpj), to_date(request, "on_date", required=False))


def employment_history(request: workers_pb2.GetEmploymentHistoryRequest) -> c.GetEmploymentHistory:
    return c.GetEmploymentHistory(validate_kpj(request.kpj), to_date(request, "on_date", required=False))


def change_wage(request: workers_pb2.ChangeWageRequest) -> c.ChangeWage:
    wage, effective = to_rupiah(request, "monthly_wage"), to_date(request, "effective_date")
    return c.ChangeWage(validate_kpj(request.kpj), wage, effective)


def change_marital_status(request: workers_pb2.ChangeMaritalStatusRequest) -> c.ChangeMaritalStatus:
    status = _enum(MARITAL, request.marital_status, "marital_status")
    effective = to_date(request, "effective_date", required=False)
    return c.ChangeMaritalStatus(validate_kpj(request.kpj), status, effective)


def change_family(request: workers_pb2.ChangeFamilyRequest) -> c.ChangeFamily:
    family, problems = family_from_proto(request.members)
    return c.ChangeFamily(validate_kpj(request.kpj), tuple(family), problems)


def terminate_worker(request: workers_pb2.TerminateWorkerRequest) -> c.TerminateWorker:
    reason = _enum(TERMINATION, request.reason, "reason")
    day = to_date(request, "termination_date")
    return c.TerminateWorker(validate_kpj(request.kpj), day, reason)


def record_death(request: workers_pb2.RecordDeathRequest) -> c.RecordDeath:
    day = to_date(request, "death_date")
    return c.RecordDeath(validate_kpj(request.kpj), day)


# ---- results -> responses -----------------------------------------------------------
def view_to_proto(view: c.WorkerView) -> workers_pb2.Worker:
    return worker_to_proto(view.worker, view.monthly_wage_rupiah)


def enrolment_to_proto(enrolment, worker: workers_pb2.Worker | None = None) -> workers_pb2.EnrolWorkerResponse:
    """The answer to EnrolWorker; `worker` is the enrolment's worker already encoded (for its event)."""
    return workers_pb2.EnrolWorkerResponse(
        worker=worker if worker is not None else worker_to_proto(enrolment.worker),
        outcome=workers_pb2.ENROLMENT_OUTCOME_TRANSFERRED if enrolment.is_transfer else workers_pb2.ENROLMENT_OUTCOME_ENROLLED,
        previous_npp=enrolment.closed.npp if enrolment.closed else "",
    )


def kpj_found_to_proto(found: c.KpjFound) -> workers_pb2.FindKpjResponse:
    return workers_pb2.FindKpjResponse(kpj=found.kpj, name=found.name, status=STATUS_TO_PROTO[found.status])


def page_to_proto(page: c.WorkerPage) -> workers_pb2.ListWorkersResponse:
    response = workers_pb2.ListWorkersResponse(workers=[view_to_proto(w) for w in page.workers])
    if page.next_after_kpj is not None:
        response.page.next_page_token = encode_page_token({"kpj": page.next_after_kpj})
    return response


def family_to_proto(view: c.FamilyView) -> workers_pb2.GetFamilyResponse:
    return workers_pb2.GetFamilyResponse(
        members=[family_member_to_proto(m) for m in view.members],
        covered_dependants=[family_member_to_proto(m) for m in view.covered],
        marital_status=MARITAL_TO_PROTO[view.marital_status],
    )


def changed_family_to_proto(view: c.FamilyView) -> workers_pb2.ChangeFamilyResponse:
    return workers_pb2.ChangeFamilyResponse(
        members=[family_member_to_proto(m) for m in view.members],
        covered_dependants=[family_member_to_proto(m) for m in view.covered],
    )


def history_to_proto(view: c.EmploymentHistoryView) -> workers_pb2.GetEmploymentHistoryResponse:
    response = workers_pb2.GetEmploymentHistoryResponse(
        periods=[period_to_proto(p) for p in view.periods],
        months_of_membership=view.months_of_membership, active_on_date=view.active_on_date,
    )
    if view.member_since is not None:
        response.member_since.CopyFrom(from_date(view.member_since))
    return response
