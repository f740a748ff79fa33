"""Cooperative and partnership loan applications, within the caller's branch scope (O-2).

The proposal (the cooperative's or the business's declaration and documents) is stored as
one JSON document: it is read and written only whole, with its application."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Row, insert, select, update

from services.chassis.repository import ScopedRepository
from services.welfare.adapters.tables import loan_applications
from services.welfare.domain.cooperative_loans import Cooperative, CooperativeLoanProposal
from services.welfare.domain.documents import DocumentKind
from services.welfare.domain.loan_applications import ApplicationStatus, LoanApplication, Proposal
from services.welfare.domain.partnership import LegalForm, PartnershipLoanKind, PartnershipLoanProposal, SmallBusiness
from services.welfare.domain.programs import Program
from services.welfare.adapters.codec import reasons_of, reasons_text

KIND = "loan application"
t = loan_applications


class LoanApplicationRepository(ScopedRepository):
    def get(self, application_id: str) -> LoanApplication:
        return _application(self.readable(select(t).where(t.c.application_id == application_id), t.c.branch_code,
                                          KIND, application_id))

    def for_change(self, application_id: str) -> LoanApplication:
        return _application(self.writable(select(t).where(t.c.application_id == application_id), t.c.branch_code,
                                          KIND, application_id))

    def page(self, *, branch_code: str | None, program: Program | None, status: ApplicationStatus | None,
             after: str | None, limit: int) -> list[LoanApplication]:
        statement = self.scoped(select(t), t.c.branch_code)
        if branch_code:  # one of the caller's branches, or PermissionDenied (O-2)
            self.scope.require_read(branch_code, f"loan applications of {branch_code}")
            statement = statement.where(t.c.branch_code == branch_code)
        if program:
            statement = statement.where(t.c.program == program.value)
        if status:
            statement = statement.where(t.c.status == status.value)
        if after:
            statement = statement.where(t.c.application_id > after)
        return [_application(r) for r in self.session.execute(statement.order_by(t.c.application_id).limit(limit))]

    def add(self, application: LoanApplication) -> None:
        """Received at a branch the caller may change (O-2): a partnership application names
        its branch, which the caller may not choose beyond its own."""
        self.scope.require_write(application.branch_code, f"loan applications of {application.branch_code}")
        self.session.execute(insert(t).values(application_id=application.application_id, **_values(application)))

    def save(self, application: LoanApplication) -> None:
        self.session.execute(update(t).where(t.c.application_id == application.application_id)
                             .values(**_values(application)))


def _values(a: LoanApplication) -> dict[str, Any]:
    return {"program": a.program.value, "branch_code": a.branch_code, "npp": a.npp, "applicant_name": a.applicant_name,
            "status": a.status.value, "proposal": json.dumps(proposal_to_dict(a.proposal), sort_keys=True),
            "amount": a.amount_rupiah, "term_months": a.term_months, "rate_bp": a.rate_bp_per_year,
            "interest": a.interest_rupiah, "submitted_on": a.submitted_on, "submitted_by": a.submitted_by,
            "checked_by": a.checked_by, "checked_on": a.checked_on,
            "reasons": reasons_text(a.reasons), "approved_by": a.approved_by,
            "approved_on": a.approved_on, "agreement_number": a.agreement_number, "signed_by": a.signed_by,
            "signed_on": a.signed_on, "loan_id": a.loan_id, "disbursed_on": a.disbursed_on}


def _application(row: Row[Any]) -> LoanApplication:
    program = Program(row.program)
    return LoanApplication(
        application_id=row.application_id, program=program, branch_code=row.branch_code,
        applicant_name=row.applicant_name, proposal=proposal_from_dict(program, json.loads(row.proposal)),
        submitted_on=row.submitted_on, submitted_by=row.submitted_by, rate_bp_per_year=row.rate_bp,
        interest_rupiah=int(row.interest), npp=row.npp, status=ApplicationStatus(row.status),
        checked_by=row.checked_by, checked_on=row.checked_on,
        reasons=reasons_of(row.reasons), approved_by=row.approved_by,
        approved_on=row.approved_on, agreement_number=row.agreement_number, signed_by=row.signed_by,
        signed_on=row.signed_on, loan_id=row.loan_id, disbursed_on=row.disbursed_on,
    )


def proposal_to_dict(proposal: Proposal) -> dict[str, Any]:
    documents = sorted(d.value for d in proposal.documents)
    if isinstance(proposal, CooperativeLoanProposal):
        c = proposal.cooperative
        return {"cooperative": {**{k: v for k, v in vars(c).items() if k != "founded_on"},
                                "founded_on": c.founded_on.isoformat()},
                "amount": proposal.amount_rupiah, "term_months": proposal.term_months,
                "collateral": proposal.collateral_rupiah, "documents": documents}
    b = proposal.business
    return {"business": {"name": b.name, "legal_form": b.legal_form.value, "indonesian_owned": b.indonesian_owned,
                         "independent": b.independent, "started_on": b.started_on.isoformat(),
                         "net_assets": b.net_assets_rupiah, "annual_sales": b.annual_sales_rupiah,
                         "has_prospects": b.has_prospects},
            "kind": proposal.kind.value, "amount": proposal.amount_rupiah, "term_months": proposal.term_months,
            "partner_order_reference": proposal.partner_order_reference, "documents": documents}


def proposal_from_dict(program: Program, data: dict[str, Any]) -> Proposal:
    documents = frozenset(DocumentKind(d) for d in data["documents"])
    if program is Program.COOPERATIVE_LOAN:
        c = dict(data["cooperative"])
        c["founded_on"] = date.fromisoformat(c["founded_on"])
        return CooperativeLoanProposal(Cooperative(**c), data["amount"], data["term_months"], data["collateral"],
                                       documents)
    b = data["business"]
    business = SmallBusiness(b["name"], LegalForm(b["legal_form"]), b["indonesian_owned"], b["independent"],
                             date.fromisoformat(b["started_on"]), b["net_assets"], b["annual_sales"], b["has_prospects"])
    return PartnershipLoanProposal(business, PartnershipLoanKind(data["kind"]), data["amount"], data["term_months"],
                                   data["partner_order_reference"], documents)
