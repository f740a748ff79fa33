"""Loans once agreed: the schedule, repayments by bank reference, arrears and late
instalments (W-K-3 "instalments on schedule", W-P-5 "monitored every month until paid
off", W-M-1). Loan is immutable: each step returns a new Loan or raises.

A repayment pays the oldest unpaid instalments first; more than the loan still owes is
refused (the branch returns it), never kept as a silent credit.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from services.chassis.errors import RuleViolation

from .programs import LOAN_STEPS_RULE, TRANSFER_RULE, Program
from .schedule import ScheduledInstalment


class LoanStatus(str, Enum):
    AGREED = "AGREED"  # agreement signed, schedule fixed, money not yet transferred
    ACTIVE = "ACTIVE"  # disbursed: instalments fall due
    PAID_OFF = "PAID_OFF"  # lunas


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: date
    amount: int
    principal: int
    interest: int
    paid: int = 0
    paid_on: date | None = None  # the day it was paid in full
    late_flagged_on: date | None = None

    @property
    def outstanding(self) -> int:
        return self.amount - self.paid

    def overdue_on(self, day: date) -> bool:
        """Unpaid after its due date (late from the day after it)."""
        return self.outstanding > 0 and self.due_date < day

    @classmethod
    def scheduled(cls, s: ScheduledInstalment) -> Instalment:
        return cls(s.number, s.due_date, s.amount, s.principal, s.interest)


@dataclass(frozen=True)
class Allocation:
    number: int
    amount: int


@dataclass(frozen=True)
class Loan:
    loan_id: str
    program: Program
    application_id: str
    branch_code: str
    borrower_name: str
    principal: int
    interest: int
    rate_bp_per_year: int
    term_months: int
    agreed_on: date
    instalments: tuple[Instalment, ...]
    status: LoanStatus = LoanStatus.AGREED
    npp: str | None = None
    kpj: str | None = None
    region_code: str | None = None
    disbursed_on: date | None = None

    @property
    def rule_id(self) -> str:
        return LOAN_STEPS_RULE[self.program]

    @property
    def paid(self) -> int:
        return sum(i.paid for i in self.instalments)

    @property
    def outstanding(self) -> int:
        return sum(i.outstanding for i in self.instalments)

    @property
    def first_due_date(self) -> date:
        return self.instalments[0].due_date

    def overdue_on(self, day: date) -> list[Instalment]:
        return [i for i in self.instalments if i.overdue_on(day)]

    def arrears_on(self, day: date) -> int:
        """What is unpaid of the instalments past their due date on `day` (tunggakan)."""
        return sum(i.outstanding for i in self.overdue_on(day))

    # ---- steps -------------------------------------------------------------------------
    def disbursed(self, on: date, region_code: str) -> Loan:
        """The money left the region's fund; instalments fall due from the first due date."""
        if self.status is not LoanStatus.AGREED:
            raise RuleViolation(TRANSFER_RULE[self.program], f"loan {self.loan_id} is {self.status.value}: "
                                "it was disbursed already", code="ALREADY_DISBURSED")
        if on > self.first_due_date:
            raise RuleViolation(TRANSFER_RULE[self.program], f"the transfer on {on.isoformat()} is after the first "
                                f"instalment due on {self.first_due_date.isoformat()}", code="TRANSFER_AFTER_FIRST_DUE")
        return replace(self, status=LoanStatus.ACTIVE, disbursed_on=on, region_code=region_code)

    def repaid(self, amount: int, paid_on: date) -> tuple[Loan, list[Allocation]]:
        """A repayment allocated to the oldest unpaid instalments."""
        if self.status is not LoanStatus.ACTIVE:
            code = "LOAN_PAID_OFF" if self.status is LoanStatus.PAID_OFF else "LOAN_NOT_DISBURSED"
            raise RuleViolation(self.rule_id, f"loan {self.loan_id} is {self.status.value}: no repayment is due",
                                code=code)
        assert self.disbursed_on is not None  # ACTIVE loans were disbursed
        if paid_on < self.disbursed_on:
            raise RuleViolation(self.rule_id, f"paid on {paid_on.isoformat()}, before the loan was disbursed on "
                                f"{self.disbursed_on.isoformat()}", code="PAID_BEFORE_DISBURSEMENT")
        if amount > self.outstanding:
            raise RuleViolation(self.rule_id, f"Rp{amount:,} is more than the Rp{self.outstanding:,} the loan still "
                                "owes", code="OVERPAYMENT")
        left, allocations, updated = amount, [], []
        for instalment in self.instalments:
            share = min(left, instalment.outstanding)
            if share:
                left -= share
                paid = instalment.paid + share
                instalment = replace(instalment, paid=paid, paid_on=paid_on if paid == instalment.amount else None)
                allocations.append(Allocation(instalment.number, share))
            updated.append(instalment)
        loan = replace(self, instalments=tuple(updated))
        if loan.outstanding == 0:
            loan = replace(loan, status=LoanStatus.PAID_OFF)
        return loan, allocations

    def flag_late(self, as_of: date) -> tuple[Loan, list[Instalment]]:
        """Instalments overdue on `as_of` that were not flagged before, now flagged (once each)."""
        if self.status is not LoanStatus.ACTIVE:
            return self, []
        flagged, updated = [], []
        for instalment in self.instalments:
            if instalment.overdue_on(as_of) and instalment.late_flagged_on is None:
                instalment = replace(instalment, late_flagged_on=as_of)
                flagged.append(instalment)
            updated.append(instalment)
        return replace(self, instalments=tuple(updated)), flagged


def new_loan(*, loan_id: str, program: Program, application_id: str, branch_code: str, borrower_name: str,
             principal: int, interest: int, rate_bp_per_year: int, agreed_on: date,
             schedule: Sequence[ScheduledInstalment], npp: str | None = None, kpj: str | None = None) -> Loan:
    """The loan of a signed agreement with its fixed schedule."""
    return Loan(loan_id=loan_id, program=program, application_id=application_id, branch_code=branch_code,
                borrower_name=borrower_name, principal=principal, interest=interest,
                rate_bp_per_year=rate_bp_per_year, term_months=len(schedule), agreed_on=agreed_on,
                instalments=tuple(Instalment.scheduled(s) for s in schedule), npp=npp, kpj=kpj)
