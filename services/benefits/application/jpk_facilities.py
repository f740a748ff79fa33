"""The facility registry (B-JPK-4) and the member's own first-level facility (B-JPK-3):
registered by branch staff of the facility's branch, chosen for a member of the caller's
branch, each one transaction, audited; a choice is published (JpkFacilityChosen) for the
KPK card."""
from __future__ import annotations

from sqlalchemy.orm import Session

from jamsos.benefits.v1 import events_pb2
from services.benefits.adapters.jpk_repository import JpkRepository
from services.benefits.adapters.read_model_store import ReadModelStore
from services.benefits.application.jpk_commands import (
    ChooseFacility, FacilityPage, ListFacilities, MemberFacility, RegisterFacility,
)
from services.benefits.application.rule_book import tables_of
from services.benefits.domain.facilities import Facility, choose_facility, new_facility
from services.benefits.domain.jpk_calendar import add_months
from services.benefits.domain.programs import Program, require_enrolled
from services.chassis.config import topic_of
from services.chassis.convert import from_date
from services.chassis.errors import InvalidArgument, NotFound
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork

TOPIC = topic_of("benefits")


class FacilityUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def register(self, uow: UnitOfWork, scope: BranchScope, command: RegisterFacility) -> Facility:
        branch = command.branch_code or scope.principal.office_code
        facility = new_facility(command.code, command.name, branch, command.kind,
                                command.appointed_from or self.ctx.today(), command.appointed_until)
        JpkRepository(uow.session, scope).add_facility(facility, scope.principal.user_id)
        uow.audit("jpk.register_facility", facility.code, {"branch_code": facility.branch_code,
                                                           "kind": facility.kind.value, "name": facility.name})
        uow.count("jpk_facility_registered")
        return facility

    def list(self, session: Session, scope: BranchScope, query: ListFacilities) -> FacilityPage:
        found = JpkRepository(session, scope).facilities_page(branch_code=query.branch_code, kind=query.kind,
                                                              after_code=query.after_code, limit=query.size + 1)
        shown = tuple(found[:query.size])
        return FacilityPage(shown, shown[-1].code if len(found) > query.size else None)

    def choose(self, uow: UnitOfWork, scope: BranchScope, command: ChooseFacility) -> MemberFacility:
        """B-JPK-3 for a member of the caller's branch, at a facility the caller's scope holds."""
        today = self.ctx.today()
        since = command.since or today
        if since > today:
            raise InvalidArgument.field("since", f"{since.isoformat()} is in the future")
        repo = JpkRepository(uow.session, scope)
        branch = repo.require_member(command.kpj, for_change=True)
        member = ReadModelStore(uow.session).member_facts(command.kpj)
        if member is None:
            raise NotFound("worker", command.kpj)
        require_enrolled(member.programs, Program.JPK, member.kpj)
        facility = repo.readable_facility(command.facility_code)
        rules = tables_of(uow.session).jpk.in_force_on(since)
        history = repo.choices_of(command.kpj)
        choice = choose_facility(command.kpj, facility, since, command.moved_house, scope.principal.user_id,
                                 current=history[-1] if history else None, member_since=member.member_since,
                                 rules=rules)
        repo.add_choice(choice, branch)
        uow.emit(TOPIC, events_pb2.JpkFacilityChosen(
            kpj=choice.kpj, branch_code=branch, facility_code=facility.code, facility_name=facility.name,
            since=from_date(since), moved_house=choice.moved_house),
            aggregate_type="member", aggregate_id=choice.kpj, branch_code=branch)
        uow.audit("jpk.choose_facility", choice.kpj, {"facility_code": facility.code, "since": since.isoformat(),
                                                      "moved_house": choice.moved_house})
        uow.count("jpk_facility_chosen")
        return self._member_facility(repo, command.kpj, today, [*history, choice])

    def member_facility(self, session: Session, scope: BranchScope, kpj: str) -> MemberFacility:
        repo = JpkRepository(session, scope)
        repo.require_member(kpj, for_change=False)
        return self._member_facility(repo, kpj, self.ctx.today(), repo.choices_of(kpj))

    def _member_facility(self, repo: JpkRepository, kpj: str, today, history) -> MemberFacility:
        current = next((c for c in reversed(history) if c.since <= today), None)
        if current is None:
            return MemberFacility(kpj, None, None, None, tuple(history))
        rules = tables_of(repo.session).jpk.in_force_on(today)
        facility = repo.readable_facility(current.facility_code)
        may_change = add_months(current.since, rules.facility_change_after_months, "since")
        return MemberFacility(kpj, current, facility, may_change, tuple(history))
