"""Changes to a registered employer (M-1): its address and its work-accident risk group.

Both take an effective date, never before the registration. Only the owning branch's
marketing or administration officers change an employer (O-2, O-3). Each change emits
EmployerChanged naming what changed and from when, so the contributions service can
apply a new risk group (JKK rate, C-3) from the right period.
"""
from __future__ import annotations

from datetime import date
from collections.abc import Callable

from jamsos.membership.v1 import employers_pb2, events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_date, to_date
from services.chassis.errors import InvalidArgument, Violations
from services.membership.adapters.employer_repository import EmployerRepository, StoredEmployer
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
        """A new address from `effective_date` (M-1), kept in the address history: a move
        announced ahead is recorded now and takes effect on its day (GetEmployer on a date
        answers the address of that date); the same date again replaces it. The response
        and the event show the employer with this change applied: the new address and the
        date it holds from."""
        scope = self.ctx.authorise(MembershipAction.CHANGE_EMPLOYER)
        today = self.ctx.today()
        v = Violations()
        npp = collect(v, validate_npp, request.npp)
        effective = collect(v, to_date, request, "effective_date")
        v.raise_if_any()

        def use_case(uow) -> employers_pb2.ChangeEmployerAddressResponse:
            repo = EmployerRepository(uow.session, scope)
            employer = _owned_employer(repo, npp, effective).employer
            before = repo.current_addresses([npp], effective).get(npp)
            changed = change_employer(employer, ChangeEmployer(address=request.address))
            repo.record_address(npp, effective, changed.address, today)
            current = repo.current_risk_groups([npp], today).get(npp)
            message = employer_to_proto(_reread(repo, npp), current, (changed.address, effective))
            _record(uow, message, "address", effective,
                    {"from": before[0] if before else employer.address, "to": changed.address})
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
            repo = EmployerRepository(uow.session, scope)
            before = _owned_employer(repo, npp, effective).employer
            repo.record_risk_group(npp, effective, group.number, today)
            message = employer_to_proto(_reread(repo, npp), (group.number, effective))
            _record(uow, message, "risk_group", effective, {"from": before.risk_group.number, "to": group.number})
            return employers_pb2.ChangeRiskGroupResponse(employer=message)

        return self._mutate_change("ChangeRiskGroup", request, employers_pb2.ChangeRiskGroupResponse, use_case)

    def _mutate_change(self, method: str, request, response_cls, use_case: Callable):
        def counted(uow):
            uow.count("employer_changed")
            return use_case(uow)

        return self.ctx.base.mutation(request, response_cls, counted)


def _owned_employer(repo: EmployerRepository, npp: str, effective: date) -> StoredEmployer:
    """The employer, locked for the change, when the caller may change it (O-2, checked by
    the repository) and `effective` is not before its registration."""
    stored = repo.writable(npp)
    registered = stored.employer.registration_date
    if effective < registered:
        raise InvalidArgument.field(
            "effective_date", f"{effective.isoformat()} is before the registration on {registered.isoformat()}")
    return stored


def _reread(repo: EmployerRepository, npp: str) -> StoredEmployer:
    """The employer as the change left it (it exists: `_owned_employer` locked it)."""
    stored = repo.get(npp)
    assert stored is not None
    return stored


def _record(uow, employer: employers_pb2.Employer, change: str, effective: date, detail: dict) -> None:
    uow.emit(topic_of("membership"),
             events_pb2.EmployerChanged(employer=employer, change=change, effective_date=from_date(effective)),
             aggregate_type="employer", aggregate_id=employer.npp, branch_code=employer.branch_code)
    uow.audit(f"employer.change_{change}", employer.npp, {**detail, "effective_date": effective.isoformat()})
