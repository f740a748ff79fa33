"""Employer messages: gRPC requests to domain commands, stored employers to protobuf (M-1, M-7).

Field violations are named after the request fields the client sent (e.g.
`project.contract_value`), not after the domain's attribute names, so a client can
point at the exact input that is wrong.
"""
from __future__ import annotations

from datetime import date

from jamsos.membership.v1 import employers_pb2
from services.chassis.convert import from_date, from_rupiah, to_date, to_rupiah
from services.chassis.errors import FieldViolation, InvalidArgument, Violations
from services.membership.adapters.employer_repository import StoredEmployer
from services.membership.domain.employers import Employer, EmployerKind, EmployerStatus, RegisterEmployer
from services.membership.domain.values import collect

KIND_FROM_PROTO = {
    employers_pb2.EMPLOYER_KIND_COMPANY: EmployerKind.COMPANY,
    employers_pb2.EMPLOYER_KIND_INFORMAL_SECTOR_GROUP: EmployerKind.INFORMAL_SECTOR_GROUP,
    employers_pb2.EMPLOYER_KIND_CONSTRUCTION_PROJECT: EmployerKind.CONSTRUCTION_PROJECT,
}
KIND_TO_PROTO = {v: k for k, v in KIND_FROM_PROTO.items()}
STATUS_TO_PROTO = {
    EmployerStatus.ACTIVE: employers_pb2.EMPLOYER_STATUS_ACTIVE,
    EmployerStatus.CLOSED: employers_pb2.EMPLOYER_STATUS_CLOSED,
}

# Domain attribute -> request field, for the violations a client sees.
_REQUEST_FIELDS = {
    "project_name": "project.project_name",
    "contract_value_rupiah": "project.contract_value",
    "project_start_date": "project.start_date",
    "project_end_date": "project.end_date",
}


def employer_kind(request: employers_pb2.RegisterEmployerRequest) -> EmployerKind:
    """The kind asked for; unset means a company (M-1), the common case."""
    if request.kind == employers_pb2.EMPLOYER_KIND_UNSPECIFIED:
        return EmployerKind.COMPANY
    try:
        return KIND_FROM_PROTO[request.kind]
    except KeyError:
        raise InvalidArgument.field("kind", f"{request.kind} is not an employer kind") from None


def registration_command(request: employers_pb2.RegisterEmployerRequest, kind: EmployerKind) -> tuple[RegisterEmployer, Violations]:
    """The domain command, plus the violations found while decoding it (bad dates...).

    Decoding problems are returned rather than raised so that `check_registration` can
    report them together with the domain's own checks.
    """
    v = Violations()
    project = request.project if request.HasField("project") else None
    command = RegisterEmployer(
        branch_code=request.branch_code.strip().upper(),
        legal_name=request.legal_name,
        sector=request.sector,
        address=request.address,
        registration_date=collect(v, to_date, request, "registration_date"),
        risk_group=request.risk_group,
        kind=kind,
        tax_number=request.tax_number or None,
        project_name=project.project_name if project else None,
        contract_value_rupiah=_optional(v, to_rupiah, project, "contract_value"),
        project_start_date=_optional(v, to_date, project, "start_date"),
        project_end_date=_optional(v, to_date, project, "end_date"),
    )
    return command, v


def _optional(v: Violations, convert, project, name: str):
    """A project field, None when the project or the field is absent (the domain says
    which are required for which kind)."""
    if project is None:
        return None
    return collect(v, lambda: convert(project, name, required=False, field=f"project.{name}"))


def request_violations(error: InvalidArgument, already: Violations) -> list[FieldViolation]:
    """The domain's violations renamed to request fields, after the decoding ones.

    A field that could not be decoded is reported once, with the decoding reason (the
    domain then only sees it as missing).
    """
    seen = {item.field for item in already.items}
    renamed = [FieldViolation(_REQUEST_FIELDS.get(item.field, item.field), item.reason) for item in error.violations]
    return [*already.items, *(item for item in renamed if item.field not in seen)]


def employer_to_proto(stored: StoredEmployer, current_risk: tuple[int, date] | None = None,
                      current_address: tuple[str, date] | None = None) -> employers_pb2.Employer:
    """A stored employer; `current_risk` (group, since) and `current_address` (address,
    since) override the cached ones (both have a dated history, M-1)."""
    risk_group, since = current_risk or (stored.employer.risk_group.number, stored.risk_group_since)
    message = _employer_message(stored.employer, risk_group, since)
    if current_address is not None:
        message.address = current_address[0]
        message.address_effective_date.CopyFrom(from_date(current_address[1]))
    return message


def domain_employer_to_proto(employer: Employer) -> employers_pb2.Employer:
    """A freshly registered employer: its risk group and address hold from the registration date."""
    message = _employer_message(employer, employer.risk_group.number, employer.registration_date)
    message.address_effective_date.CopyFrom(from_date(employer.registration_date))
    return message


def _employer_message(employer: Employer, risk_group: int, since: date) -> employers_pb2.Employer:
    message = employers_pb2.Employer(
        npp=employer.npp, branch_code=employer.branch_code, legal_name=employer.legal_name,
        sector=employer.sector, address=employer.address,
        registration_date=from_date(employer.registration_date), risk_group=risk_group,
        tax_number=employer.tax_number or "", kind=KIND_TO_PROTO[employer.kind],
        status=STATUS_TO_PROTO[employer.status], risk_group_effective_date=from_date(since),
    )
    if employer.project is not None:
        p = employer.project
        message.project.CopyFrom(employers_pb2.ConstructionProject(
            project_name=p.project_name, contract_value=from_rupiah(p.contract_value_rupiah),
            start_date=from_date(p.start_date), end_date=from_date(p.end_date),
        ))
    return message
