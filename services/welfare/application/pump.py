"""PUMP, the housing down-payment loan (W-P-1..W-P-5), across the branch and its regional
office: the branch receives, checks, approves in principle (O-4), records bank approvals,
reports, signs; the region of the branch determines and transfers from its DPKP fund.
Instalments then run through the loans component (W-P-5)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.loan_repository import LoanRepository
from services.welfare.adapters.member_repository import MemberRepository
from services.welfare.adapters.pump_repository import PumpRepository
from services.welfare.application import events
from services.welfare.application.funds import disburse_from_fund
from services.welfare.application.loans import not_in_future
from services.welfare.application.paging import Page, page_of
from services.welfare.application.rule_book import RuleBook
from services.welfare.domain.dates import add_months
from services.welfare.domain.documents import DocumentKind
from services.welfare.domain.loans import Loan, new_loan
from services.welfare.domain.programs import Program
from services.welfare.domain.pump import (
    BankDocument, Developer, PumpApplicant, PumpApplication, PumpStatus, PumpWorker, term_reasons,
)
from services.welfare.domain.reasons import refuse_if_any
from services.welfare.domain.schedule import flat_interest, instalment_schedule


@dataclass(frozen=True)
class PumpWorkerRequest:
    kpj: str
    loan_amount_rupiah: int
    term_months: int
    documents: frozenset[DocumentKind]


@dataclass(frozen=True)
class SubmitPump:
    npp: str
    applicant: PumpApplicant
    cooperative_name: str | None
    developer: Developer
    forms: frozenset[DocumentKind]
    workers: tuple[PumpWorkerRequest, ...]
    submitted_on: date | None


@dataclass(frozen=True)
class PumpStep:
    application_id: str


@dataclass(frozen=True)
class RecordBankApproval:
    application_id: str
    kpj: str
    document: BankDocument
    document_number: str
    approved_on: date | None


@dataclass(frozen=True)
class DeterminePump:
    application_id: str
    determined_on: date | None


@dataclass(frozen=True)
class SignPumpAgreement:
    application_id: str
    signed_on: date | None
    first_due_date: date | None


@dataclass(frozen=True)
class TransferPumpFunds:
    application_id: str
    transfer_reference: str
    transferred_on: date | None


@dataclass(frozen=True)
class ListPump:
    branch_code: str | None
    status: PumpStatus | None
    after: str | None
    limit: int


@dataclass(frozen=True)
class PumpView:
    application: PumpApplication
    loans: tuple[Loan, ...] = ()
    reasons_checked: bool = False


class PumpUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def _on(self, given: date | None, field: str) -> date:
        today = self.ctx.today()
        return not_in_future(given or today, today, field)

    # ---- the branch ----------------------------------------------------------------------------
    def submit(self, uow: UnitOfWork, scope: BranchScope, command: SubmitPump) -> PumpView:
        """W-P-1: the employer or its cooperative applies at the employer's branch."""
        on = self._on(command.submitted_on, "submitted_on")
        if command.applicant is PumpApplicant.COOPERATIVE and not command.cooperative_name:
            raise InvalidArgument.field("cooperative_name", "required when the cooperative applies")
        members = MemberRepository(uow.session, scope)
        employer = members.employer(command.npp, for_change=True)
        facts = members.workers_seen([w.kpj for w in command.workers], on)
        names = {kpj: found.name for kpj, found in facts.items() if found is not None}
        workers = tuple(PumpWorker(w.kpj, names.get(w.kpj, ""), w.loan_amount_rupiah, w.term_months, w.documents)
                        for w in command.workers)
        rules = RuleBook(uow.session).pump().in_force_on(on)
        refuse_if_any(term_reasons(workers, rules))
        application = PumpApplication(
            application_id=uuid7(), npp=employer.npp, branch_code=employer.branch_code, applicant=command.applicant,
            cooperative_name=command.cooperative_name, developer=command.developer, forms=command.forms,
            workers=workers, submitted_on=on, submitted_by=scope.principal.user_id,
            rate_bp_per_year=rules.interest_bp_per_year)
        PumpRepository(uow.session, scope).add(application)
        self._audit(uow, "pump.submit", application, {"workers": len(workers)})
        uow.count("pump_submitted")
        return PumpView(application)

    def check(self, uow: UnitOfWork, scope: BranchScope, command: PumpStep) -> PumpView:
        """W-P-2: completeness and confirmation; any reason is the rejection letter."""
        repository = PumpRepository(uow.session, scope)
        application = repository.for_change(command.application_id)
        members = MemberRepository(uow.session, scope)
        employer = members.employer_unscoped(application.npp)
        assert employer is not None  # the application was received for a known employer
        reasons = application.check_reasons(employer, members.workers_seen([w.kpj for w in application.workers],
                                                                            application.submitted_on))
        checked = application.checked(scope.principal.user_id, self.ctx.today(), reasons)
        repository.save(checked)
        if reasons:
            events.application_decided(uow, application_id=checked.application_id, program=Program.PUMP,
                                       branch_code=checked.branch_code, npp=checked.npp, kpj=None, approved=False,
                                       reasons=reasons, on=self.ctx.today())
        self._audit(uow, "pump.check", checked, {"eligible": not reasons, "reasons": [r.code for r in reasons]})
        uow.count("pump_rejected" if reasons else "pump_checked")
        return PumpView(checked, reasons_checked=True)

    def approve_in_principle(self, uow: UnitOfWork, scope: BranchScope, command: PumpStep) -> PumpView:
        """W-P-2: PUMP-5 by the branch head (O-4), asking for SP3K or the credit agreement."""
        repository = PumpRepository(uow.session, scope)
        approved = repository.for_change(command.application_id).approved_in_principle(scope.principal.user_id,
                                                                                       self.ctx.today())
        repository.save(approved)
        events.application_decided(uow, application_id=approved.application_id, program=Program.PUMP,
                                   branch_code=approved.branch_code, npp=approved.npp, kpj=None, approved=True,
                                   reasons=(), on=self.ctx.today())
        self._audit(uow, "pump.approve_in_principle", approved, {"letter": approved.approval_letter_number})
        uow.count("pump_approved_in_principle")
        return PumpView(approved)

    def record_bank_approval(self, uow: UnitOfWork, scope: BranchScope, command: RecordBankApproval) -> PumpView:
        """W-P-3: one worker passed the bank's mortgage selection."""
        on = self._on(command.approved_on, "approved_on")
        repository = PumpRepository(uow.session, scope)
        approved = repository.for_change(command.application_id).bank_approved(
            command.kpj, command.document, command.document_number, on)
        repository.save(approved)
        self._audit(uow, "pump.bank_approval", approved, {"kpj": command.kpj, "document": command.document.value,
                                                           "number": command.document_number})
        uow.count("pump_bank_approval")
        return PumpView(approved)

    def report_to_region(self, uow: UnitOfWork, scope: BranchScope, command: PumpStep) -> PumpView:
        repository = PumpRepository(uow.session, scope)
        reported = repository.for_change(command.application_id).reported_to_region(scope.principal.user_id,
                                                                                    self.ctx.today())
        repository.save(reported)
        self._audit(uow, "pump.report", reported, {"approved_workers": sum(w.bank_approved for w in reported.workers)})
        uow.count("pump_reported")
        return PumpView(reported)

    def sign(self, uow: UnitOfWork, scope: BranchScope, command: SignPumpAgreement) -> PumpView:
        """W-P-4: PUMP-7 with its recipients (7a), each one's schedule (7b) and payroll deduction (7c)."""
        signed_on = self._on(command.signed_on, "signed_on")
        first_due = command.first_due_date or add_months(signed_on, 1)
        if first_due <= signed_on:
            raise InvalidArgument.field("first_due_date", f"{first_due.isoformat()} is not after the signing")
        repository = PumpRepository(uow.session, scope)
        application = repository.for_change(command.application_id)
        loans = [self._loan(application, worker, signed_on, first_due) for worker in application.recipients]
        signed = application.signed(scope.principal.user_id, signed_on,
                                    {loan.kpj or "": (loan.loan_id, loan.instalments[0].amount) for loan in loans})
        repository.save(signed)
        loan_repository = LoanRepository(uow.session, scope)
        for loan in loans:
            loan_repository.add(loan)
        self._audit(uow, "pump.sign", signed, {"agreement": signed.agreement_number, "loans": len(loans)})
        uow.count("pump_agreement_signed")
        return PumpView(signed, tuple(loans))

    @staticmethod
    def _loan(application: PumpApplication, worker: PumpWorker, signed_on: date, first_due: date) -> Loan:
        interest = flat_interest(worker.loan_amount_rupiah, application.rate_bp_per_year, worker.term_months)
        return new_loan(
            loan_id=uuid7(), program=Program.PUMP, application_id=application.application_id,
            branch_code=application.branch_code, borrower_name=worker.name or worker.kpj,
            principal=worker.loan_amount_rupiah, interest=interest, rate_bp_per_year=application.rate_bp_per_year,
            agreed_on=signed_on, npp=application.npp, kpj=worker.kpj,
            schedule=instalment_schedule(worker.loan_amount_rupiah, interest, worker.term_months, first_due))

    # ---- the region ------------------------------------------------------------------------------
    def determine(self, uow: UnitOfWork, scope: BranchScope, command: DeterminePump) -> PumpView:
        """W-P-3: PUMP-6 by the regional office the branch belongs to, with its list PUMP-6a."""
        on = self._on(command.determined_on, "determined_on")
        repository = PumpRepository(uow.session, scope)
        determined = repository.for_regional_step(command.application_id).determined(
            scope.principal.user_id, on, scope.principal.office_code)
        repository.save(determined)
        self._audit(uow, "pump.determine", determined, {"determination": determined.determination_number,
                                                         "workers": list(determined.determined_kpjs)})
        uow.count("pump_determined")
        return PumpView(determined)

    def transfer(self, uow: UnitOfWork, scope: BranchScope, command: TransferPumpFunds) -> PumpView:
        """W-P-4: the region pays the developer from its DPKP fund (never beyond its balance)."""
        on = self._on(command.transferred_on, "transferred_on")
        repository = PumpRepository(uow.session, scope)
        transferred = repository.for_regional_step(command.application_id).transferred(
            scope.principal.user_id, on, command.transfer_reference)
        loan_repository = LoanRepository(uow.session, scope)
        agreed = [loan_repository.for_regional_step(w.loan_id) for w in transferred.recipients if w.loan_id]
        if not agreed:
            raise RuleViolation("W-P-4", "the agreement has no recipients", code="NO_RECIPIENTS")
        loans = disburse_from_fund(uow, loan_repository, agreed, on, command.transfer_reference,
                                   scope.principal.user_id)
        repository.save(transferred)
        self._audit(uow, "pump.transfer", transferred, {"reference": command.transfer_reference,
                                                         "amount": sum(loan.principal for loan in loans)})
        uow.count("pump_transferred")
        return PumpView(transferred, tuple(loans))

    # ---- reading --------------------------------------------------------------------------------
    def get(self, session: Session, scope: BranchScope, command: PumpStep) -> PumpView:
        return PumpView(PumpRepository(session, scope).get(command.application_id))

    def list(self, session: Session, scope: BranchScope, query: ListPump) -> Page[PumpView]:
        found = PumpRepository(session, scope).page(branch_code=query.branch_code, status=query.status,
                                                    after=query.after, limit=query.limit + 1)
        return page_of([PumpView(a) for a in found], query.limit)

    @staticmethod
    def _audit(uow: UnitOfWork, action: str, application: PumpApplication, detail: dict[str, object]) -> None:
        uow.audit(action, application.application_id, {"status": application.status.value, **detail})


def unique_workers(workers: Sequence[PumpWorkerRequest]) -> None:
    seen: set[str] = set()
    for i, worker in enumerate(workers):
        if worker.kpj in seen:
            raise InvalidArgument.field(f"workers[{i}].kpj", "listed twice")
        seen.add(worker.kpj)


def build(ctx: ServiceContext) -> PumpUseCases:
    return PumpUseCases(ctx)
