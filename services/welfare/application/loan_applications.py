"""Cooperative loans (W-K-1..W-K-3) and partnership loans (W-M-1, W-M-2): proposal,
check, approval (O-4), agreement with its schedule, transfer from the regional fund.

Each mutation is one transaction with its events and audit record; the loan terms of the
rules in force on the submission date are refused at once (such a loan is never
recorded), the eligibility conditions are the check's, answered all at once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from services.chassis.errors import InvalidArgument
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.loan_application_repository import LoanApplicationRepository
from services.welfare.adapters.loan_repository import LoanRepository
from services.welfare.adapters.member_repository import MemberRepository
from services.welfare.application import events
from services.welfare.application.funds import disburse_from_fund
from services.welfare.application.loans import not_in_future
from services.welfare.application.paging import Page, page_of
from services.welfare.application.rule_book import RuleBook
from services.welfare.domain import cooperative_loans as coop
from services.welfare.domain import partnership
from services.welfare.domain.dates import add_months
from services.welfare.domain.loan_applications import ApplicationStatus, LoanApplication
from services.welfare.domain.loans import Loan, new_loan
from services.welfare.domain.programs import Program
from services.welfare.domain.reasons import Reason, refuse_if_any
from services.welfare.domain.schedule import instalment_schedule, monthly_instalment


@dataclass(frozen=True)
class ProposeCooperativeLoan:
    npp: str
    proposal: coop.CooperativeLoanProposal
    submitted_on: date | None


@dataclass(frozen=True)
class SubmitPartnershipLoan:
    branch_code: str
    proposal: partnership.PartnershipLoanProposal
    submitted_on: date | None


@dataclass(frozen=True)
class ApplicationStep:
    application_id: str


@dataclass(frozen=True)
class SignLoanAgreement:
    application_id: str
    agreement_number: str | None
    signed_on: date | None
    first_due_date: date | None


@dataclass(frozen=True)
class DisburseLoan:
    application_id: str
    transfer_reference: str
    disbursed_on: date | None


@dataclass(frozen=True)
class ListLoanApplications:
    branch_code: str | None
    program: Program | None
    status: ApplicationStatus | None
    after: str | None
    limit: int


@dataclass(frozen=True)
class ApplicationView:
    """An application with the terms of its rules and, once agreed, its loan."""

    application: LoanApplication
    loan_limit_rupiah: int
    required_collateral_rupiah: int
    monthly_instalment_rupiah: int
    loan: Loan | None = None
    reasons: tuple[Reason, ...] = ()


def view_of(session: Session, application: LoanApplication, loan: Loan | None = None) -> ApplicationView:
    proposal = application.proposal
    limit = collateral = 0
    if isinstance(proposal, coop.CooperativeLoanProposal):
        terms = coop.loan_terms(proposal, RuleBook(session).cooperative_loan().in_force_on(application.submitted_on))
        limit, collateral = terms.limit_rupiah, terms.required_collateral_rupiah
    monthly = monthly_instalment(application.amount_rupiah, application.interest_rupiah, application.term_months)
    return ApplicationView(application, limit, collateral, monthly, loan, application.reasons)


class LoanApplicationUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    # ---- receiving ------------------------------------------------------------------------
    def propose_cooperative_loan(self, uow: UnitOfWork, scope: BranchScope,
                                 command: ProposeCooperativeLoan) -> ApplicationView:
        """W-K-3: the proposal reaches the employer's branch; W-K-2's terms hold at once."""
        on = not_in_future(command.submitted_on or self.ctx.today(), self.ctx.today(), "submitted_on")
        employer = MemberRepository(uow.session, scope).employer(command.npp, for_change=True)
        rules = RuleBook(uow.session).cooperative_loan().in_force_on(on)
        refuse_if_any(coop.term_reasons(command.proposal, rules))
        terms = coop.loan_terms(command.proposal, rules)
        application = LoanApplication(
            application_id=uuid7(), program=Program.COOPERATIVE_LOAN, branch_code=employer.branch_code,
            applicant_name=command.proposal.cooperative.name, proposal=command.proposal, submitted_on=on,
            submitted_by=scope.principal.user_id, rate_bp_per_year=terms.rate_bp_per_year,
            interest_rupiah=terms.interest_rupiah, npp=employer.npp)
        return self._received(uow, scope, application)

    def submit_partnership_loan(self, uow: UnitOfWork, scope: BranchScope,
                                command: SubmitPartnershipLoan) -> ApplicationView:
        """W-M-1: a small business applies at a branch; the loan's own terms hold at once."""
        on = not_in_future(command.submitted_on or self.ctx.today(), self.ctx.today(), "submitted_on")
        rules = RuleBook(uow.session).partnership().in_force_on(on)
        refuse_if_any(partnership.term_reasons(command.proposal, rules))
        application = LoanApplication(
            application_id=uuid7(), program=Program.PARTNERSHIP_LOAN, branch_code=command.branch_code,
            applicant_name=command.proposal.business.name, proposal=command.proposal, submitted_on=on,
            submitted_by=scope.principal.user_id, rate_bp_per_year=rules.interest_bp_per_year,
            interest_rupiah=partnership.interest_of(command.proposal, rules))
        return self._received(uow, scope, application)

    def _received(self, uow: UnitOfWork, scope: BranchScope, application: LoanApplication) -> ApplicationView:
        LoanApplicationRepository(uow.session, scope).add(application)
        uow.audit("loan_application.receive", application.application_id, {
            "program": application.program.value, "npp": application.npp, "amount": application.amount_rupiah,
            "term_months": application.term_months})
        uow.count("loan_application_received")
        return view_of(uow.session, application)

    # ---- the steps -----------------------------------------------------------------------------
    def check(self, uow: UnitOfWork, scope: BranchScope, command: ApplicationStep) -> ApplicationView:
        """W-K-1..W-K-3 or W-M-1, W-M-2 with the read model as it is now, on the rules and
        durations of the submission date: every reason that fails; any rejects it."""
        repository = LoanApplicationRepository(uow.session, scope)
        application = repository.for_change(command.application_id)
        reasons = self._reasons(uow.session, scope, application)
        checked = application.checked(scope.principal.user_id, self.ctx.today(), reasons)
        repository.save(checked)
        if reasons:
            events.application_decided(uow, application_id=checked.application_id, program=checked.program,
                                       branch_code=checked.branch_code, npp=checked.npp, kpj=None, approved=False,
                                       reasons=reasons, on=self.ctx.today())
        uow.audit("loan_application.check", checked.application_id,
                  {"eligible": not reasons, "reasons": [r.code for r in reasons]})
        uow.count("loan_application_rejected" if reasons else "loan_application_checked")
        return view_of(uow.session, checked)

    def _reasons(self, session: Session, scope: BranchScope, application: LoanApplication) -> list[Reason]:
        on, proposal = application.submitted_on, application.proposal
        if isinstance(proposal, coop.CooperativeLoanProposal):
            assert application.npp is not None  # a cooperative loan names its employer
            employer = MemberRepository(session, scope).employer_unscoped(application.npp)
            assert employer is not None  # the proposal was received for a known employer
            return coop.eligibility_reasons(employer, proposal, RuleBook(session).cooperative_loan().in_force_on(on), on)
        return partnership.eligibility_reasons(proposal, RuleBook(session).partnership().in_force_on(on), on)

    def approve(self, uow: UnitOfWork, scope: BranchScope, command: ApplicationStep) -> ApplicationView:
        """The branch head approves an application another officer checked (O-4)."""
        repository = LoanApplicationRepository(uow.session, scope)
        approved = repository.for_change(command.application_id).approved(scope.principal.user_id, self.ctx.today())
        repository.save(approved)
        events.application_decided(uow, application_id=approved.application_id, program=approved.program,
                                   branch_code=approved.branch_code, npp=approved.npp, kpj=None, approved=True,
                                   reasons=(), on=self.ctx.today())
        uow.audit("loan_application.approve", approved.application_id, {"checked_by": approved.checked_by})
        uow.count("loan_application_approved")
        return view_of(uow.session, approved)

    def sign(self, uow: UnitOfWork, scope: BranchScope, command: SignLoanAgreement) -> ApplicationView:
        """W-K-3, W-M-1: the loan agreement fixes the schedule (flat interest, exact rupiah)."""
        today = self.ctx.today()
        signed_on = not_in_future(command.signed_on or today, today, "signed_on")
        first_due = command.first_due_date or add_months(signed_on, 1)
        if first_due <= signed_on:
            raise InvalidArgument.field("first_due_date", f"{first_due.isoformat()} is not after the signing")
        repository = LoanApplicationRepository(uow.session, scope)
        application = repository.for_change(command.application_id)
        loan_id = uuid7()
        signed = application.signed(scope.principal.user_id, signed_on,
                                    command.agreement_number or f"PK/{application.application_id}", loan_id)
        loan = new_loan(
            loan_id=loan_id, program=signed.program, application_id=signed.application_id,
            branch_code=signed.branch_code, borrower_name=signed.applicant_name, principal=signed.amount_rupiah,
            interest=signed.interest_rupiah, rate_bp_per_year=signed.rate_bp_per_year, agreed_on=signed_on,
            schedule=instalment_schedule(signed.amount_rupiah, signed.interest_rupiah, signed.term_months, first_due),
            npp=signed.npp)
        repository.save(signed)
        LoanRepository(uow.session, scope).add(loan)
        uow.audit("loan_application.sign", signed.application_id, {"agreement_number": signed.agreement_number,
                                                                   "loan_id": loan_id, "first_due_date": first_due})
        uow.count("loan_agreement_signed")
        return view_of(uow.session, signed, loan)

    def disburse(self, uow: UnitOfWork, scope: BranchScope, command: DisburseLoan) -> ApplicationView:
        """W-K-3, W-M-1: the transfer, from the fund of the branch's region, never beyond it."""
        today = self.ctx.today()
        on = not_in_future(command.disbursed_on or today, today, "disbursed_on")
        repository = LoanApplicationRepository(uow.session, scope)
        disbursed = repository.for_change(command.application_id).disbursed(on)
        assert disbursed.loan_id is not None  # a signed application has its loan
        loans = LoanRepository(uow.session, scope)
        [loan] = disburse_from_fund(uow, loans, [loans.for_change(disbursed.loan_id)], on,
                                    command.transfer_reference, scope.principal.user_id)
        repository.save(disbursed)
        uow.audit("loan_application.disburse", disbursed.application_id, {
            "loan_id": loan.loan_id, "amount": loan.principal, "transfer_reference": command.transfer_reference})
        uow.count("loan_disbursed")
        return view_of(uow.session, disbursed, loan)

    # ---- reading ------------------------------------------------------------------------------
    def get(self, session: Session, scope: BranchScope, command: ApplicationStep) -> ApplicationView:
        application = LoanApplicationRepository(session, scope).get(command.application_id)
        loan = LoanRepository(session, scope).get(application.loan_id) if application.loan_id else None
        return view_of(session, application, loan)

    def list(self, session: Session, scope: BranchScope, query: ListLoanApplications) -> Page[ApplicationView]:
        found = LoanApplicationRepository(session, scope).page(
            branch_code=query.branch_code, program=query.program, status=query.status, after=query.after,
            limit=query.limit + 1)
        return page_of([view_of(session, a) for a in found], query.limit)


def build(ctx: ServiceContext) -> LoanApplicationUseCases:
    return LoanApplicationUseCases(ctx)
