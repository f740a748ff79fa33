"""The JPK coverage check (B-JPK-1..7, M-6) and the care records it counts on.

A check gathers the person's facts on the day of care (the read model's member, family and
employer standing, the member's facility choice, whether the facility is appointed, the
care already paid for the case), takes the JPK rule version of that day and answers with
`jpk_member.check_member_coverage`. Recording care runs the same check in the recording's
transaction and keeps the days covered, so the next check of the case counts them.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.benefits.adapters.jpk_repository import JpkRepository
from services.benefits.adapters.read_model_store import ReadModelStore
from services.benefits.application.jpk_commands import CoverageAnswer, CoverageCheck
from services.benefits.application.rule_book import tables_of
from services.benefits.domain.jpk_member import JpkMember, check_member_coverage, intensive_days_covered
from services.chassis.errors import InvalidArgument, NotFound, RuleViolation
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork


class CoverageUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def check(self, session: Session, scope: BranchScope, check: CoverageCheck) -> CoverageAnswer:
        repo = JpkRepository(session, scope)
        repo.require_member(check.kpj, for_change=False)  # O-2: another branch's member is NotFound
        return self._answer(session, repo, check)

    def record(self, uow: UnitOfWork, scope: BranchScope, check: CoverageCheck) -> CoverageAnswer:
        """The care, if covered, counted against the limits; refused naming the rule if not."""
        repo = JpkRepository(uow.session, scope)
        branch = repo.require_member(check.kpj, for_change=True)
        answer = self._answer(uow.session, repo, check)
        decision = answer.decision
        if not decision.covered:
            raise RuleViolation(decision.rule_id, decision.message, code=decision.reason_code)
        query = check.query
        usage = repo.usage(check.kpj, check.dependant_id, check.case_code, query.on_date)
        rules = tables_of(uow.session).jpk.in_force_on(query.on_date)
        intensive = intensive_days_covered(query, usage, decision.days_covered, rules)
        record_id = uuid7()
        repo.add_care({"record_id": record_id, "kpj": check.kpj, "dependant_id": check.dependant_id,
                       "branch_code": branch, "care_kind": query.care.value, "case_code": check.case_code,
                       "facility_code": query.facility_code, "care_on": query.on_date,
                       "days_covered": decision.days_covered, "intensive_care_days_covered": intensive,
                       "recorded_by": uow_user(scope)})
        uow.audit("jpk.record_care", record_id, {"kpj": check.kpj, "care": query.care.value,
                                                 "days_covered": decision.days_covered, "rule_id": decision.rule_id,
                                                 "reason_code": decision.reason_code})
        uow.count("jpk_care_recorded")
        return CoverageAnswer(check, decision, record_id, intensive)

    def _answer(self, session: Session, repo: JpkRepository, check: CoverageCheck) -> CoverageAnswer:
        query, today = check.query, self.ctx.today()
        if query.on_date > today:
            raise InvalidArgument.field("query.on_date", f"{query.on_date.isoformat()} is in the future")
        store = ReadModelStore(session)
        member = store.member_facts(check.kpj)
        if member is None:
            raise NotFound("worker", check.kpj)
        day = query.on_date
        marital_status, family = store.family_of(check.kpj)
        employment = member.employment_on(day)
        npp = employment.npp if employment else member.npp
        in_arrears = store.in_arrears_on(npp, day)
        facts = JpkMember(
            member=member, marital_status=marital_status, family=family, choice=repo.choice_on(check.kpj, day),
            facility_appointed=repo.appointed_on(query.facility_code, day), employer_in_arrears=in_arrears,
            arrears_paid_off_on=store.arrears_paid_off_on(npp, today) if in_arrears else None,
            usage=repo.usage(check.kpj, check.dependant_id, check.case_code, day))
        rules = tables_of(session).jpk.in_force_on(day)
        return CoverageAnswer(check, check_member_coverage(query, facts, check.dependant_id, rules))


def uow_user(scope: BranchScope) -> str:
    return scope.principal.user_id[:100]
