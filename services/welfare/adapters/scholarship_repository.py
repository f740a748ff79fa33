"""Scholarship applications and their payments, within the caller's branch scope (O-2)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from services.chassis.repository import ScopedRepository
from services.welfare.adapters.codec import documents_of, documents_text, reasons_of, reasons_text
from services.welfare.adapters.tables import scholarship_applications, scholarship_payments
from services.welfare.domain.scholarships import (
    Child, ScheduledPayment, ScholarshipApplication, ScholarshipPath, ScholarshipStatus, SchoolLevel,
)

KIND = "scholarship application"
t, p = scholarship_applications, scholarship_payments


class ScholarshipRepository(ScopedRepository):
    def get(self, application_id: str) -> ScholarshipApplication:
        return self._application(self.readable(select(t).where(t.c.application_id == application_id),
                                               t.c.branch_code, KIND, application_id))

    def for_change(self, application_id: str) -> ScholarshipApplication:
        return self._application(self.writable(select(t).where(t.c.application_id == application_id),
                                               t.c.branch_code, KIND, application_id))

    def page(self, *, branch_code: str | None, kpj: str | None, status: ScholarshipStatus | None, after: str | None,
             limit: int) -> list[ScholarshipApplication]:
        statement = self.scoped(select(t), t.c.branch_code)
        if branch_code:  # one of the caller's branches, or PermissionDenied (O-2)
            self.scope.require_read(branch_code, f"scholarship applications of {branch_code}")
            statement = statement.where(t.c.branch_code == branch_code)
        if kpj:
            statement = statement.where(t.c.kpj == kpj)
        if status:
            statement = statement.where(t.c.status == status.value)
        if after:
            statement = statement.where(t.c.application_id > after)
        rows = self.session.execute(statement.order_by(t.c.application_id).limit(limit)).all()
        return [self._application(r) for r in rows]

    def reference_used(self, bank_reference: str) -> bool:
        return self.session.execute(select(p.c.number).where(p.c.bank_reference == bank_reference)).first() is not None

    def add(self, application: ScholarshipApplication) -> None:
        self.session.execute(insert(t).values(application_id=application.application_id, **_values(application)))

    def save(self, application: ScholarshipApplication) -> None:
        self.session.execute(update(t).where(t.c.application_id == application.application_id)
                             .values(**_values(application)))
        self.session.execute(delete(p).where(p.c.application_id == application.application_id))
        if application.payments:
            self.session.execute(insert(p), [
                {"application_id": application.application_id, "number": s.number, "due_on": s.due_on,
                 "amount": s.amount, "paid_on": s.paid_on, "bank_reference": s.bank_reference}
                for s in application.payments])

    def _application(self, row: Row[Any]) -> ScholarshipApplication:
        payments = self.session.execute(select(p).where(p.c.application_id == row.application_id)
                                        .order_by(p.c.number)).all()
        child = Child(row.child_name, row.child_order, SchoolLevel(row.level), row.class_or_semester, row.school_name,
                      row.report_grade, row.gpa, bool(row.other_scholarship))
        return ScholarshipApplication(
            application_id=row.application_id, kpj=row.kpj, npp=row.npp, branch_code=row.branch_code, child=child,
            documents=documents_of(row.documents), applied_on=row.applied_on, submitted_by=row.submitted_by,
            status=ScholarshipStatus(row.status), path=ScholarshipPath(row.path) if row.path else None,
            checked_by=row.checked_by, checked_on=row.checked_on, reasons=reasons_of(row.reasons),
            awarded_by=row.awarded_by, awarded_on=row.awarded_on,
            payments=tuple(ScheduledPayment(r.number, r.due_on, int(r.amount), r.paid_on, r.bank_reference)
                           for r in payments),
        )


def _values(a: ScholarshipApplication) -> dict[str, Any]:
    c = a.child
    return {"kpj": a.kpj, "npp": a.npp, "branch_code": a.branch_code, "child_name": c.name, "child_order": c.order,
            "level": c.level.value, "class_or_semester": c.class_or_semester, "school_name": c.school_name,
            "report_grade": c.report_grade_hundredths, "gpa": c.gpa_hundredths,
            "other_scholarship": c.receives_other_scholarship, "documents": documents_text(a.documents),
            "applied_on": a.applied_on, "submitted_by": a.submitted_by, "status": a.status.value,
            "path": a.path.value if a.path else None, "checked_by": a.checked_by, "checked_on": a.checked_on,
            "reasons": reasons_text(a.reasons), "awarded_by": a.awarded_by, "awarded_on": a.awarded_on}
