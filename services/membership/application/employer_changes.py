"""Changes to a registered employer (M-1): its address and its work-accident risk group.

Both take an effective date, never before the registration. Only the owning branch's
marketing or administration officers change an employer (O-2, O-3). Each change emits
EmployerChanged naming what changed and from when, so the contributions service can
apply a new risk group (JKK rate, C-3) from the right period.
"""
from __future__ import annotations

from datetime import date
from collections.abc import Callable

from sqlalchemy import Row

from jamsos.membership.v1 import employers_pb2, events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_date, to_date
from services.chassis.errors import InvalidArgument, NotFound, Violations
from services.chassis.scope import BranchScope
from services.membership.adapters.employer_repository import EmployerRepository, employer_from_row
from services.membership.application.context import MembershipContext
from services.membership.application.employer_messages import employer_to_proto
from services.membership.domain.employers import ChangeEmployer, RiskGroup, change_employer
from services.membership.domain.numbers import validate_npp
from services.membership.domain.roles import MembershipAction
from services.membership.domain.values import collect


class EmployerChanges:
    """Mixed into EmployerUseCases; needs `self.ctx`."""

    ctx: MembershipContext

    def change_address(self, request: employers_pb2.ChangeEmployerAddressRequest) -> employers_pb2.ChangeEmployerAddressResponse:
        """A new address from `effective_date` (M-1). No address history is kept, so the
        date may not lie ahead: a move is recorded once it has happened."""
        scope = self.ctx.authorise(MembershipAction.CHANGE_EMPLOYER)
        today = self.ctx.today()
        v = Violations()
        npp = collect(v, validate_npp, request.npp)
        effective = collect(v, to_date, request, "effective_date")
        if effective is not None and effective > today:
            v.add("effective_date", f"{effective.isoformat()} is in the future: record an address change once it has happened")
        v.raise_if_any()

        def use_case(uow) -> employers_pb2.ChangeEmployerAddressResponse:
            repo = EmployerRepository(uow.session)
            row = _owned_employer(repo, scope, npp, effective)
            changed = change_employer(employer_from_row(row), ChangeEmployer(address=request.address))
            repo.change_address(npp, changed.address)
            current = repo.current_risk_groups([npp], today).get(npp)
            message = employer_to_proto(repo.get(npp), current)
            _record(uow, message, "address", effective, {"from": row.address, "to": changed.address})
            return employers_pb2.ChangeEmployerAddressResponse(employer=message)

        return self._mutate_change("ChangeEmployerAddress", request, employers_pb2.ChangeEmployerAddressResponse, use_case)

    def change_risk_group(self, request: employers_pb2.ChangeRiskGroupRequest) -> employers_pb2.ChangeRiskGroupResponse:
        """A new risk group I-V from `effective_date` (M-1; sets the JKK rate, C-3).

        The history keeps one row per effective date (the same date again replaces it);
        the group in force on a day is the latest row on or before it, so a future date
        waits. The response and the event show the employer with this change applied:
        the new group and the date it takes effect.
        """
        scope = self.ctx.authorise(MembershipAction.CHANGE_EMPLOYER)
        today = self.ctx.today()
        v = Violations()
        npp = collect(v, validate_npp, request.npp)
        group = collect(v, RiskGroup.parse, request.risk_group)
        effective = collect(v, to_date, request, "effective_date")
        v.raise_if_any()

        def use_case(uow) -> employers_pb2.ChangeRiskGroupResponse:
            repo = EmployerRepository(uow.session)
            row = _owned_employer(repo, scope, npp, effective)
            repo.record_risk_group(npp, effective, group.number, today)
            message = employer_to_proto(repo.get(npp), (group.number, effective))
            _record(uow, message, "risk_group", effective, {"from": row.risk_group, "to": group.number})
            return employers_pb2.ChangeRiskGroupResponse(employer=message)

        return self._mutate_change("ChangeRiskGroup", request, employers_pb2.ChangeRiskGroupResponse, use_case)

    def _mutate_change(self, method: str, request, response_cls, use_case: Callable):
        def counted(uow):
            uow.count("employer_changed")
            return use_case(uow)

        return self.ctx.base.mutation(request, response_cls, counted)


def _owned_employer(repo: EmployerRepository, scope: BranchScope, npp: str, effective: date) -> Row:
    """The employer, locked for the change, when the caller may change it (O-2)."""
    row = repo.get(npp, for_update=True)
    if row is None:
        raise NotFound("employer", npp)
    scope.require_write_record(row.branch_code, "employer", npp)
    if effective < row.registration_date:
        raise InvalidArgument.field(
            "effective_date", f"{effective.isoformat()} is before the registration on {row.registration_date.isoformat()}")
    return row


def _record(uow, employer: employers_pb2.Employer, change: str, effective: date, detail: dict) -> None:
    uow.emit(topic_of("membership"),
             events_pb2.EmployerChanged(employer=employer, change=change, effective_date=from_date(effective)),
             aggregate_type="employer", aggregate_id=employer.npp, branch_code=employer.branch_code)
    uow.audit(f"employer.change_{change}", employer.npp, {**detail, "effective_date": effective.isoformat()})
