"""PUMP applications and their workers, within the caller's branch scope (O-2): the branch
changes its own; the region reads its branches' and takes its own steps on them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from services.chassis.repository import ScopedRepository
from services.chassis.scope import AnySelect
from services.welfare.adapters.codec import documents_of, documents_text, reasons_of, reasons_text
from services.welfare.adapters.tables import pump_applications, pump_workers
from services.welfare.domain.pump import (
    BankDocument, Developer, DeveloperAssociation, PumpApplicant, PumpApplication, PumpStatus, PumpWorker,
)

KIND = "PUMP application"
t, w = pump_applications, pump_workers


class PumpRepository(ScopedRepository):
    def _by_id(self, application_id: str) -> AnySelect:
        return select(t).where(t.c.application_id == application_id)

    def get(self, application_id: str) -> PumpApplication:
        return self._application(self.readable(self._by_id(application_id), t.c.branch_code, KIND, application_id))

    def for_change(self, application_id: str) -> PumpApplication:
        """For a step of the branch: NotFound when hidden, PermissionDenied when read-only."""
        return self._application(self.writable(self._by_id(application_id), t.c.branch_code, KIND, application_id))

    def for_regional_step(self, application_id: str) -> PumpApplication:
        """For a step of the region (W-P-3, W-P-4): one of its branches' applications, locked."""
        return self._application(self.readable(self._by_id(application_id).with_for_update(), t.c.branch_code, KIND,
                                               application_id))

    def page(self, *, branch_code: str | None, status: PumpStatus | None, after: str | None,
             limit: int) -> list[PumpApplication]:
        statement = self.scoped(select(t), t.c.branch_code)
        if branch_code:  # one of the caller's branches, or PermissionDenied (O-2)
            self.scope.require_read(branch_code, f"PUMP applications of {branch_code}")
            statement = statement.where(t.c.branch_code == branch_code)
        if status:
            statement = statement.where(t.c.status == status.value)
        if after:
            statement = statement.where(t.c.application_id > after)
        rows = self.session.execute(statement.order_by(t.c.application_id).limit(limit)).all()
        return [self._application(r) for r in rows]

    def add(self, application: PumpApplication) -> None:
        self.session.execute(insert(t).values(application_id=application.application_id, **_values(application)))
        self._write_workers(application)

    def save(self, application: PumpApplication) -> None:
        self.session.execute(update(t).where(t.c.application_id == application.application_id)
                             .values(**_values(application)))
        self.session.execute(delete(w).where(w.c.application_id == application.application_id))
        self._write_workers(application)

    def _write_workers(self, a: PumpApplication) -> None:
        self.session.execute(insert(w), [
            {"application_id": a.application_id, "kpj": x.kpj, "position": n, "name": x.name,
             "loan_amount": x.loan_amount_rupiah, "term_months": x.term_months,
             "documents": documents_text(x.documents), "bank_document": x.bank_document.value if x.bank_document else None,
             "bank_document_number": x.bank_document_number, "bank_approved_on": x.bank_approved_on,
             "determined": x.kpj in a.determined_kpjs, "loan_id": x.loan_id,
             "monthly_instalment": x.monthly_instalment_rupiah} for n, x in enumerate(a.workers)])

    def _application(self, row: Row[Any]) -> PumpApplication:
        rows = self.session.execute(select(w).where(w.c.application_id == row.application_id)
                                    .order_by(w.c.position)).all()
        workers = tuple(PumpWorker(
            r.kpj, r.name, int(r.loan_amount), r.term_months, documents_of(r.documents),
            BankDocument(r.bank_document) if r.bank_document else None, r.bank_document_number, r.bank_approved_on,
            r.loan_id, None if r.monthly_instalment is None else int(r.monthly_instalment)) for r in rows)
        return PumpApplication(
            application_id=row.application_id, npp=row.npp, branch_code=row.branch_code,
            applicant=PumpApplicant(row.applicant), cooperative_name=row.cooperative_name,
            developer=Developer(row.developer_name, DeveloperAssociation(row.developer_association),
                                row.developer_account, row.housing_project),
            forms=documents_of(row.forms), workers=workers, submitted_on=row.submitted_on,
            submitted_by=row.submitted_by, rate_bp_per_year=row.rate_bp, status=PumpStatus(row.status),
            checked_by=row.checked_by, checked_on=row.checked_on, reasons=reasons_of(row.reasons),
            approval_letter_number=row.approval_letter_number, approved_by=row.approved_by,
            approved_on=row.approved_on, reported_by=row.reported_by, reported_on=row.reported_on,
            region_code=row.region_code, determination_number=row.determination_number,
            determined_by=row.determined_by, determined_on=row.determined_on,
            determined_kpjs=tuple(r.kpj for r in rows if r.determined), agreement_number=row.agreement_number,
            signed_by=row.signed_by, signed_on=row.signed_on, transfer_reference=row.transfer_reference,
            transferred_by=row.transferred_by, transferred_on=row.transferred_on,
        )


def _values(a: PumpApplication) -> dict[str, Any]:
    d = a.developer
    return {"npp": a.npp, "branch_code": a.branch_code, "applicant": a.applicant.value,
            "cooperative_name": a.cooperative_name, "developer_name": d.name,
            "developer_association": d.association.value, "developer_account": d.bank_account,
            "housing_project": d.housing_project, "forms": documents_text(a.forms), "submitted_on": a.submitted_on,
            "submitted_by": a.submitted_by, "rate_bp": a.rate_bp_per_year, "status": a.status.value,
            "checked_by": a.checked_by, "checked_on": a.checked_on, "reasons": reasons_text(a.reasons),
            "approval_letter_number": a.approval_letter_number, "approved_by": a.approved_by,
            "approved_on": a.approved_on, "reported_by": a.reported_by, "reported_on": a.reported_on,
            "region_code": a.region_code, "determination_number": a.determination_number,
            "determined_by": a.determined_by, "determined_on": a.determined_on, "agreement_number": a.agreement_number,
            "signed_by": a.signed_by, "signed_on": a.signed_on, "transfer_reference": a.transfer_reference,
            "transferred_by": a.transferred_by, "transferred_on": a.transferred_on}
