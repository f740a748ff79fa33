"""The events welfare publishes (jamsos.welfare.events.v1), built from domain values and
written to the outbox in the use case's own transaction."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jamsos.welfare.v1 import common_pb2, events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_date, from_rupiah
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.domain.loans import Allocation, Instalment, Loan
from services.welfare.domain.programs import Program
from services.welfare.domain.reasons import Reason

TOPIC = topic_of("welfare")
PROGRAM_TO_PROTO = {
    Program.SCHOLARSHIP: common_pb2.PROGRAM_SCHOLARSHIP, Program.PUMP: common_pb2.PROGRAM_PUMP,
    Program.COOPERATIVE_LOAN: common_pb2.PROGRAM_COOPERATIVE_LOAN,
    Program.PARTNERSHIP_LOAN: common_pb2.PROGRAM_PARTNERSHIP_LOAN,
}


def reason_to_proto(reason: Reason) -> common_pb2.Reason:
    return common_pb2.Reason(rule_id=reason.rule_id, code=reason.code, message=reason.message)


def application_decided(uow: UnitOfWork, *, application_id: str, program: Program, branch_code: str, npp: str | None,
                        kpj: str | None, approved: bool, reasons: Iterable[Reason], on: date) -> None:
    uow.emit(TOPIC, events_pb2.ApplicationDecided(
        application_id=application_id, program=PROGRAM_TO_PROTO[program], branch_code=branch_code, npp=npp or "",
        kpj=kpj or "", decision=events_pb2.DECISION_APPROVED if approved else events_pb2.DECISION_REJECTED,
        reasons=[reason_to_proto(r) for r in reasons], decided_on=from_date(on),
    ), aggregate_type="application", aggregate_id=application_id, branch_code=branch_code)


def loan_disbursed(uow: UnitOfWork, loan: Loan) -> None:
    assert loan.disbursed_on is not None  # emitted for a disbursed loan
    uow.emit(TOPIC, events_pb2.LoanDisbursed(
        loan_id=loan.loan_id, application_id=loan.application_id, program=PROGRAM_TO_PROTO[loan.program],
        branch_code=loan.branch_code, region_code=loan.region_code or "", npp=loan.npp or "", kpj=loan.kpj or "",
        principal=from_rupiah(loan.principal), interest=from_rupiah(loan.interest), term_months=loan.term_months,
        disbursed_on=from_date(loan.disbursed_on), first_due_date=from_date(loan.first_due_date),
    ), aggregate_type="loan", aggregate_id=loan.loan_id, branch_code=loan.branch_code)


def instalment_paid(uow: UnitOfWork, loan: Loan, allocation: Allocation, paid_on: date, bank_reference: str) -> None:
    instalment = next(i for i in loan.instalments if i.number == allocation.number)
    uow.emit(TOPIC, events_pb2.InstalmentPaid(
        loan_id=loan.loan_id, program=PROGRAM_TO_PROTO[loan.program], branch_code=loan.branch_code,
        number=allocation.number, amount=from_rupiah(allocation.amount), outstanding=from_rupiah(instalment.outstanding),
        paid_on=from_date(paid_on), bank_reference=bank_reference, loan_paid_off=loan.outstanding == 0,
    ), aggregate_type="loan", aggregate_id=loan.loan_id, branch_code=loan.branch_code)


def instalment_late(uow: UnitOfWork, loan: Loan, instalment: Instalment, flagged_on: date) -> None:
    uow.emit(TOPIC, events_pb2.InstalmentLate(
        loan_id=loan.loan_id, program=PROGRAM_TO_PROTO[loan.program], branch_code=loan.branch_code,
        number=instalment.number, due_date=from_date(instalment.due_date),
        outstanding=from_rupiah(instalment.outstanding), flagged_on=from_date(flagged_on),
    ), aggregate_type="loan", aggregate_id=loan.loan_id, branch_code=loan.branch_code)
