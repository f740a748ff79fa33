"""Loans with their instalments and repayments, within the caller's branch scope (O-2)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from services.chassis.repository import ScopedRepository
from services.welfare.adapters.tables import loan_instalments, loan_repayments, loans
from services.welfare.domain.loans import Instalment, Loan, LoanStatus
from services.welfare.domain.programs import Program

KIND = "loan"


class LoanRepository(ScopedRepository):
    def get(self, loan_id: str) -> Loan:
        """The loan, or NotFound (also another branch's)."""
        return self._loan(self.readable(select(loans).where(loans.c.loan_id == loan_id), loans.c.branch_code, KIND,
                                        loan_id))

    def for_change(self, loan_id: str) -> Loan:
        """The loan locked for a change of its branch."""
        return self._loan(self.writable(select(loans).where(loans.c.loan_id == loan_id), loans.c.branch_code, KIND,
                                        loan_id))

    def for_regional_step(self, loan_id: str) -> Loan:
        """The loan locked for a step its region takes (readable by the region, W-P-4)."""
        return self._loan(self.readable(select(loans).where(loans.c.loan_id == loan_id).with_for_update(),
                                        loans.c.branch_code, KIND, loan_id))

    def of_application(self, application_id: str) -> list[Loan]:
        """Loans of an application the caller was already let through to."""
        rows = self.session.execute(select(loans).where(loans.c.application_id == application_id)
                                    .order_by(loans.c.loan_id)).all()
        return [self._loan(r) for r in rows]

    def page(self, *, branch_code: str | None, program: Program | None, status: LoanStatus | None,
             after: str | None, limit: int) -> list[Loan]:
        statement = self.scoped(select(loans), loans.c.branch_code)
        if branch_code:  # one of the caller's branches, or PermissionDenied (O-2)
            self.scope.require_read(branch_code, f"loans of {branch_code}")
            statement = statement.where(loans.c.branch_code == branch_code)
        if program:
            statement = statement.where(loans.c.program == program.value)
        if status:
            statement = statement.where(loans.c.status == status.value)
        if after:
            statement = statement.where(loans.c.loan_id > after)
        rows = self.session.execute(statement.order_by(loans.c.loan_id).limit(limit)).all()
        return [self._loan(r) for r in rows]

    def active_of_writable_branches(self) -> list[Loan]:
        """The ACTIVE loans of the branches the caller changes (its own branch), locked."""
        statement = select(loans).where(loans.c.status == LoanStatus.ACTIVE.value)
        if self.scope.writable is not None:
            statement = statement.where(loans.c.branch_code.in_(sorted(self.scope.writable)))
        rows = self.session.execute(statement.order_by(loans.c.loan_id).with_for_update()).all()
        return [self._loan(r) for r in rows]

    def add(self, loan: Loan) -> None:
        self.session.execute(insert(loans).values(loan_id=loan.loan_id, **_loan_values(loan)))
        self._write_instalments(loan)

    def save(self, loan: Loan) -> None:
        self.session.execute(update(loans).where(loans.c.loan_id == loan.loan_id).values(**_loan_values(loan)))
        self.session.execute(delete(loan_instalments).where(loan_instalments.c.loan_id == loan.loan_id))
        self._write_instalments(loan)

    def _write_instalments(self, loan: Loan) -> None:
        self.session.execute(insert(loan_instalments), [
            {"loan_id": loan.loan_id, "number": i.number, "due_date": i.due_date, "amount": i.amount,
             "principal": i.principal, "interest": i.interest, "paid": i.paid, "paid_on": i.paid_on,
             "late_flagged_on": i.late_flagged_on} for i in loan.instalments])

    # ---- repayments --------------------------------------------------------------------------
    def repayment_with_reference(self, bank_reference: str) -> str | None:
        """The loan a bank reference was recorded for, whichever branch's it is."""
        return self.session.execute(select(loan_repayments.c.loan_id)
                                    .where(loan_repayments.c.bank_reference == bank_reference)).scalar()

    def add_repayment(self, repayment_id: str, loan_id: str, bank_reference: str, amount: int, paid_on: date,
                      by: str) -> None:
        self.session.execute(insert(loan_repayments).values(
            repayment_id=repayment_id, loan_id=loan_id, bank_reference=bank_reference, amount=amount, paid_on=paid_on,
            recorded_by=by, recorded_at=datetime.now(UTC)))

    def repayments(self, loan_id: str) -> list[Row[Any]]:
        r = loan_repayments
        return list(self.session.execute(select(r.c.repayment_id, r.c.loan_id, r.c.bank_reference, r.c.amount,
                                                r.c.paid_on).where(r.c.loan_id == loan_id)
                                         .order_by(r.c.paid_on, r.c.repayment_id)).all())

    def _loan(self, row: Row[Any]) -> Loan:
        i = loan_instalments
        rows = self.session.execute(select(i).where(i.c.loan_id == row.loan_id).order_by(i.c.number)).all()
        return Loan(
            loan_id=row.loan_id, program=Program(row.program), application_id=row.application_id,
            branch_code=row.branch_code, borrower_name=row.borrower_name, principal=int(row.principal),
            interest=int(row.interest), rate_bp_per_year=row.rate_bp, term_months=row.term_months,
            agreed_on=row.agreed_on, status=LoanStatus(row.status), npp=row.npp, kpj=row.kpj,
            region_code=row.region_code, disbursed_on=row.disbursed_on,
            instalments=tuple(Instalment(r.number, r.due_date, int(r.amount), int(r.principal), int(r.interest),
                                         int(r.paid), r.paid_on, r.late_flagged_on) for r in rows),
        )


def _loan_values(loan: Loan) -> dict[str, Any]:
    return {"program": loan.program.value, "application_id": loan.application_id, "branch_code": loan.branch_code,
            "region_code": loan.region_code, "npp": loan.npp, "kpj": loan.kpj, "borrower_name": loan.borrower_name,
            "principal": loan.principal, "interest": loan.interest, "rate_bp": loan.rate_bp_per_year,
            "term_months": loan.term_months, "status": loan.status.value, "agreed_on": loan.agreed_on,
            "disbursed_on": loan.disbursed_on}
