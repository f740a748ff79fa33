"""LoanService protobuf <-> commands and results (W-K-3, W-P-5, W-M-1)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jamsos.welfare.v1 import loans_pb2
from services.chassis.convert import from_date, from_rupiah
from services.welfare.application.loans import (
    FlagLateInstalments, GetLoan, LateInstalment, ListLoans, LoanView, RecordRepayment, RepaymentRecord,
    RepaymentResult,
)
from services.welfare.application.paging import Page
from services.welfare.domain.loans import Instalment, Loan, LoanStatus
from services.welfare.entrypoints.convert import (
    PROGRAM_TO_PROTO, REFERENCE_MAX, day, enum_of, identifier, money, next_page, optional_day, page_after, program_of,
    required_text, text,
)

LOAN_STATUS_TO_PROTO = {LoanStatus.AGREED: loans_pb2.LOAN_STATUS_AGREED, LoanStatus.ACTIVE: loans_pb2.LOAN_STATUS_ACTIVE,
                        LoanStatus.PAID_OFF: loans_pb2.LOAN_STATUS_PAID_OFF}
LOAN_STATUS = {v: k for k, v in LOAN_STATUS_TO_PROTO.items()}


# ---- decoding -------------------------------------------------------------------------------
def get_loan(request: loans_pb2.GetLoanRequest) -> GetLoan:
    return GetLoan(identifier(request.loan_id, "loan_id"), optional_day(request, "as_of"))


def list_loans(request: loans_pb2.ListLoansRequest) -> ListLoans:
    size, after = page_after(request.page)
    return ListLoans(text(request.branch_code, "branch_code", required=False), program_of(request.program),
                     enum_of(LOAN_STATUS, request.status, "status", required=False),
                     after if isinstance(after, str) else None, size)


def record_repayment(request: loans_pb2.RecordRepaymentRequest) -> RecordRepayment:
    return RecordRepayment(identifier(request.loan_id, "loan_id"),
                           required_text(request.bank_reference, "bank_reference", max_length=REFERENCE_MAX),
                           money(request, "amount"), day(request, "paid_on"))


def flag_late(request: loans_pb2.FlagLateInstalmentsRequest) -> FlagLateInstalments:
    return FlagLateInstalments(optional_day(request, "as_of"))


# ---- encoding -------------------------------------------------------------------------------
def instalment_to_proto(instalment: Instalment, as_of: date | None) -> loans_pb2.Instalment:
    message = loans_pb2.Instalment(
        number=instalment.number, due_date=from_date(instalment.due_date), amount=from_rupiah(instalment.amount),
        principal=from_rupiah(instalment.principal), interest=from_rupiah(instalment.interest),
        paid=from_rupiah(instalment.paid), overdue=as_of is not None and instalment.overdue_on(as_of))
    if instalment.paid_on:
        message.paid_on.CopyFrom(from_date(instalment.paid_on))
    if instalment.late_flagged_on:
        message.late_flagged_on.CopyFrom(from_date(instalment.late_flagged_on))
    return message


def repayment_to_proto(record: RepaymentRecord) -> loans_pb2.Repayment:
    return loans_pb2.Repayment(repayment_id=record.repayment_id, loan_id=record.loan_id,
                               bank_reference=record.bank_reference, amount=from_rupiah(record.amount_rupiah),
                               paid_on=from_date(record.paid_on))


def loan_to_proto(loan: Loan, as_of: date | None = None, repayments: Iterable[RepaymentRecord] = (),
                  schedule: bool = True) -> loans_pb2.Loan:
    message = loans_pb2.Loan(
        loan_id=loan.loan_id, program=PROGRAM_TO_PROTO[loan.program], application_id=loan.application_id,
        branch_code=loan.branch_code, region_code=loan.region_code or "", npp=loan.npp or "", kpj=loan.kpj or "",
        borrower_name=loan.borrower_name, principal=from_rupiah(loan.principal), interest=from_rupiah(loan.interest),
        rate_basis_points_per_year=loan.rate_bp_per_year, term_months=loan.term_months,
        status=LOAN_STATUS_TO_PROTO[loan.status], agreed_on=from_date(loan.agreed_on), paid=from_rupiah(loan.paid),
        outstanding=from_rupiah(loan.outstanding),
        instalments=[instalment_to_proto(i, as_of) for i in loan.instalments] if schedule else [],
        repayments=[repayment_to_proto(r) for r in repayments],
    )
    if loan.disbursed_on:
        message.disbursed_on.CopyFrom(from_date(loan.disbursed_on))
    if as_of is not None:
        message.as_of.CopyFrom(from_date(as_of))
        message.arrears.CopyFrom(from_rupiah(loan.arrears_on(as_of)))
        message.overdue_instalments = len(loan.overdue_on(as_of))
    return message


def view_to_proto(view: LoanView) -> loans_pb2.Loan:
    return loan_to_proto(view.loan, view.as_of, view.repayments)


def get_loan_response(view: LoanView) -> loans_pb2.GetLoanResponse:
    return loans_pb2.GetLoanResponse(loan=view_to_proto(view))


def list_loans_response(page: Page[Loan]) -> loans_pb2.ListLoansResponse:
    response = loans_pb2.ListLoansResponse(loans=[loan_to_proto(loan, schedule=False) for loan in page.items])
    next_page(response.page, page.items[-1].loan_id if page.items else None, page.more)
    return response


def record_repayment_response(result: RepaymentResult) -> loans_pb2.RecordRepaymentResponse:
    return loans_pb2.RecordRepaymentResponse(
        repayment=repayment_to_proto(result.repayment), loan=view_to_proto(result.view),
        allocations=[loans_pb2.InstalmentAllocation(number=a.number, amount=from_rupiah(a.amount))
                     for a in result.allocations])


def flag_late_response(flagged: list[LateInstalment]) -> loans_pb2.FlagLateInstalmentsResponse:
    return loans_pb2.FlagLateInstalmentsResponse(flagged=[loans_pb2.LateInstalment(
        loan_id=f.loan.loan_id, program=PROGRAM_TO_PROTO[f.loan.program], number=f.instalment.number,
        due_date=from_date(f.instalment.due_date), outstanding=from_rupiah(f.instalment.outstanding))
        for f in flagged])
