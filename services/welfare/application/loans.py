"""Loans of every program once agreed (W-K-3, W-P-5, W-M-1): reading them with their
schedule and arrears, repayments by bank reference, and the monthly monitoring that flags
late instalments."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from services.chassis.errors import AlreadyExists, InvalidArgument
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.loan_repository import LoanRepository
from services.welfare.application import events
from services.welfare.application.funds import credit_repayment
from services.welfare.application.paging import Page, page_of
from services.welfare.domain.loans import Allocation, Instalment, Loan, LoanStatus
from services.welfare.domain.programs import Program


@dataclass(frozen=True)
class GetLoan:
    loan_id: str
    as_of: date | None


@dataclass(frozen=True)
class ListLoans:
    branch_code: str | None
    program: Program | None
    status: LoanStatus | None
    after: str | None
    limit: int


@dataclass(frozen=True)
class RecordRepayment:
    loan_id: str
    bank_reference: str
    amount_rupiah: int
    paid_on: date


@dataclass(frozen=True)
class FlagLateInstalments:
    as_of: date | None


@dataclass(frozen=True)
class RepaymentRecord:
    repayment_id: str
    loan_id: str
    bank_reference: str
    amount_rupiah: int
    paid_on: date


@dataclass(frozen=True)
class LoanView:
    """A loan with its repayments, its arrears counted on `as_of`."""

    loan: Loan
    repayments: tuple[RepaymentRecord, ...]
    as_of: date


@dataclass(frozen=True)
class RepaymentResult:
    repayment: RepaymentRecord
    allocations: tuple[Allocation, ...]
    view: LoanView


@dataclass(frozen=True)
class LateInstalment:
    loan: Loan
    instalment: Instalment


def loan_view(repository: LoanRepository, loan: Loan, as_of: date) -> LoanView:
    records = tuple(RepaymentRecord(r.repayment_id, r.loan_id, r.bank_reference, int(r.amount), r.paid_on)
                    for r in repository.repayments(loan.loan_id))
    return LoanView(loan, records, as_of)


def not_in_future(day: date, today: date, field: str) -> date:
    if day > today:
        raise InvalidArgument.field(field, f"{day.isoformat()} is in the future")
    return day


class LoanUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def get(self, session: Session, scope: BranchScope, query: GetLoan) -> LoanView:
        repository = LoanRepository(session, scope)
        return loan_view(repository, repository.get(query.loan_id), query.as_of or self.ctx.today())

    def list(self, session: Session, scope: BranchScope, query: ListLoans) -> Page[Loan]:
        return page_of(LoanRepository(session, scope).page(
            branch_code=query.branch_code, program=query.program, status=query.status, after=query.after,
            limit=query.limit + 1), query.limit)

    def record_repayment(self, uow: UnitOfWork, scope: BranchScope, command: RecordRepayment) -> RepaymentResult:
        """W-K-3, W-P-5, W-M-1: a repayment allocated to the oldest unpaid instalments; a bank
        reference is counted once, whichever request or loan names it again."""
        today = self.ctx.today()
        paid_on = not_in_future(command.paid_on, today, "paid_on")
        repository = LoanRepository(uow.session, scope)
        loan = repository.for_change(command.loan_id)
        if repository.repayment_with_reference(command.bank_reference) is not None:
            raise AlreadyExists("repayment", command.bank_reference,
                                f"bank reference {command.bank_reference} is already recorded: a transfer counts once")
        repaid, allocations = loan.repaid(command.amount_rupiah, paid_on)
        record = RepaymentRecord(uuid7(), loan.loan_id, command.bank_reference, command.amount_rupiah, paid_on)
        by = scope.principal.user_id
        repository.add_repayment(record.repayment_id, loan.loan_id, record.bank_reference, record.amount_rupiah,
                                 paid_on, by)
        repository.save(repaid)
        credit_repayment(uow, repaid, record.amount_rupiah, paid_on, record.bank_reference, by)
        for allocation in allocations:
            events.instalment_paid(uow, repaid, allocation, paid_on, record.bank_reference)
        uow.audit("loan.repayment", loan.loan_id, {"bank_reference": record.bank_reference,
                                                   "amount": record.amount_rupiah, "paid_on": paid_on,
                                                   "paid_off": repaid.status is LoanStatus.PAID_OFF})
        uow.count("loan_repayment")
        return RepaymentResult(record, tuple(allocations), loan_view(repository, repaid, today))

    def flag_late(self, uow: UnitOfWork, scope: BranchScope, command: FlagLateInstalments) -> list[LateInstalment]:
        """W-P-5: every instalment of the branch's loans unpaid after its due date, flagged
        once (InstalmentLate); a second run on the same day flags nothing again."""
        today = self.ctx.today()
        as_of = not_in_future(command.as_of or today, today, "as_of")
        repository = LoanRepository(uow.session, scope)
        flagged = []
        for loan in repository.active_of_writable_branches():
            updated, late = loan.flag_late(as_of)
            if late:
                repository.save(updated)
                for instalment in late:
                    events.instalment_late(uow, updated, instalment, as_of)
                    flagged.append(LateInstalment(updated, instalment))
        if flagged:
            uow.audit("loan.flag_late", ",".join(sorted({f.loan.loan_id for f in flagged}))[:200],
                      {"as_of": as_of, "instalments": len(flagged)})
        uow.count("instalment_late", len(flagged))
        return flagged


def build(ctx: ServiceContext) -> LoanUseCases:
    return LoanUseCases(ctx)
