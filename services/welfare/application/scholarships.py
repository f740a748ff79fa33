"""Scholarships for members' children (W-S-1, W-S-2): application by the member's branch,
check with the read model (every reason that fails), award by the branch head (O-4) as 12
monthly payments, and each payment paid by the finance officer with its bank reference."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from services.chassis.errors import AlreadyExists, RuleViolation
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.member_repository import MemberRepository
from services.welfare.adapters.scholarship_repository import ScholarshipRepository
from services.welfare.application import events
from services.welfare.application.loans import not_in_future
from services.welfare.application.paging import Page, page_of
from services.welfare.application.rule_book import RuleBook
from services.welfare.domain.dates import first_of_next_month
from services.welfare.domain.documents import DocumentKind
from services.welfare.domain.programs import Program
from services.welfare.domain.scholarships import (
    Child, ScholarshipApplication, ScholarshipStatus, award_schedule, evaluate, validate_child,
)


@dataclass(frozen=True)
class SubmitScholarship:
    kpj: str
    child: Child
    documents: frozenset[DocumentKind]
    applied_on: date | None


@dataclass(frozen=True)
class ScholarshipStep:
    application_id: str


@dataclass(frozen=True)
class AwardScholarship:
    application_id: str
    first_payment_on: date | None


@dataclass(frozen=True)
class RecordScholarshipPayment:
    application_id: str
    number: int
    paid_on: date
    bank_reference: str


@dataclass(frozen=True)
class ListScholarships:
    branch_code: str | None
    kpj: str | None
    status: ScholarshipStatus | None
    after: str | None
    limit: int


class ScholarshipUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def submit(self, uow: UnitOfWork, scope: BranchScope, command: SubmitScholarship) -> ScholarshipApplication:
        """W-S-2: the application names the child, level, class or semester and school."""
        today = self.ctx.today()
        on = not_in_future(command.applied_on or today, today, "applied_on")
        validate_child(command.child)
        worker = MemberRepository(uow.session, scope).worker(command.kpj, on, for_change=True)
        application = ScholarshipApplication(
            application_id=uuid7(), kpj=worker.kpj, npp=worker.npp, branch_code=worker.branch_code,
            child=command.child, documents=command.documents, applied_on=on, submitted_by=scope.principal.user_id)
        ScholarshipRepository(uow.session, scope).add(application)
        uow.audit("scholarship.submit", application.application_id, {"kpj": worker.kpj, "child": command.child.order,
                                                                      "level": command.child.level.value})
        uow.count("scholarship_submitted")
        return application

    def check(self, uow: UnitOfWork, scope: BranchScope, command: ScholarshipStep) -> ScholarshipApplication:
        """W-S-2 with the read model as it is now, on the rules and durations of the
        application date; any reason rejects the application."""
        repository = ScholarshipRepository(uow.session, scope)
        application = repository.for_change(command.application_id)
        on = application.applied_on
        members = MemberRepository(uow.session, scope)
        worker = members.worker_unscoped(application.kpj, on)
        if worker is None:
            raise RuleViolation("W-S-2", f"KPJ {application.kpj} is no longer known", code="MEMBER_UNKNOWN")
        path, reasons = evaluate(worker, members.employer_unscoped(worker.npp), members.umk_on(application.branch_code, on),
                                 application.child, application.documents, RuleBook(uow.session).scholarship().in_force_on(on), on)
        checked = application.checked(scope.principal.user_id, self.ctx.today(), path, reasons)
        repository.save(checked)
        if reasons:
            events.application_decided(uow, application_id=checked.application_id, program=Program.SCHOLARSHIP,
                                       branch_code=checked.branch_code, npp=checked.npp, kpj=checked.kpj,
                                       approved=False, reasons=reasons, on=self.ctx.today())
        uow.audit("scholarship.check", checked.application_id, {"eligible": not reasons, "path": path.value,
                                                                 "reasons": [r.code for r in reasons]})
        uow.count("scholarship_rejected" if reasons else "scholarship_checked")
        return checked

    def award(self, uow: UnitOfWork, scope: BranchScope, command: AwardScholarship) -> ScholarshipApplication:
        """W-S-1: the monthly amount of the level, 12 payments from the first payment day."""
        today = self.ctx.today()
        repository = ScholarshipRepository(uow.session, scope)
        application = repository.for_change(command.application_id)
        rules = RuleBook(uow.session).scholarship().in_force_on(application.applied_on)
        schedule = award_schedule(application.child.level, rules, command.first_payment_on or first_of_next_month(today))
        awarded = application.awarded(scope.principal.user_id, today, schedule)
        repository.save(awarded)
        events.application_decided(uow, application_id=awarded.application_id, program=Program.SCHOLARSHIP,
                                   branch_code=awarded.branch_code, npp=awarded.npp, kpj=awarded.kpj, approved=True,
                                   reasons=(), on=today)
        uow.audit("scholarship.award", awarded.application_id, {"monthly": awarded.monthly_amount_rupiah,
                                                                 "total": awarded.total_rupiah})
        uow.count("scholarship_awarded")
        return awarded

    def pay(self, uow: UnitOfWork, scope: BranchScope, command: RecordScholarshipPayment) -> ScholarshipApplication:
        """One scheduled payment paid; a bank reference is counted once."""
        paid_on = not_in_future(command.paid_on, self.ctx.today(), "paid_on")
        repository = ScholarshipRepository(uow.session, scope)
        application = repository.for_change(command.application_id)
        if repository.reference_used(command.bank_reference):
            raise AlreadyExists("scholarship payment", command.bank_reference,
                                f"bank reference {command.bank_reference} is already recorded: a transfer counts once")
        paid = application.paid(command.number, paid_on, command.bank_reference)
        repository.save(paid)
        uow.audit("scholarship.pay", paid.application_id, {"number": command.number, "paid_on": paid_on,
                                                            "bank_reference": command.bank_reference})
        uow.count("scholarship_paid")
        return paid

    def get(self, session: Session, scope: BranchScope, command: ScholarshipStep) -> ScholarshipApplication:
        return ScholarshipRepository(session, scope).get(command.application_id)

    def list(self, session: Session, scope: BranchScope, query: ListScholarships) -> Page[ScholarshipApplication]:
        found = ScholarshipRepository(session, scope).page(branch_code=query.branch_code, kpj=query.kpj,
                                                           status=query.status, after=query.after,
                                                           limit=query.limit + 1)
        return page_of(found, query.limit)


def build(ctx: ServiceContext) -> ScholarshipUseCases:
    return ScholarshipUseCases(ctx)
