"""PUMP, the housing down-payment loan (Pinjaman Uang Muka Perumahan), W-P-1..W-P-5, as a
state machine across the branch and its regional office.

W-P-1 the employer or its workers' cooperative applies (forms PUMP-1..PUMP-4, a power of
attorney when the cooperative signs, each worker's KPJ, ID and family-card copies).
W-P-2 the branch checks completeness: approval in principle (PUMP-5) asking for the bank's
SP3K (developers in APERSI) or the credit agreement (REI, Perumnas), or a rejection letter.
W-P-3 each worker's bank approval arrives; the branch reports to the region, which issues
the determination (PUMP-6, the list PUMP-6a).
W-P-4 the branch signs the agreement (PUMP-7: recipients 7a, schedules 7b, payroll
deductions 7c); the region transfers the money to the developer with proof.
W-P-5 instalments into the regional DPKP account, monitored monthly until paid off (loans).

PumpApplication is immutable: each step returns a new one or raises.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from services.chassis.errors import NotFound, RuleViolation
from services.chassis.roles import require_second_person

from .documents import DocumentKind, missing_documents
from .members import EmployerFacts, WorkerFacts, employer_standing_reasons
from .reasons import Reason
from .rule_tables import PumpRules

D = DocumentKind
FORMS = (D.FORM_PUMP_1, D.FORM_PUMP_2, D.FORM_PUMP_3, D.FORM_PUMP_4)
WORKER_DOCUMENTS = (D.KPJ_COPY, D.ID_CARD_COPY, D.FAMILY_CARD_COPY)


class PumpApplicant(str, Enum):
    EMPLOYER = "EMPLOYER"
    COOPERATIVE = "COOPERATIVE"  # signs with a power of attorney


class DeveloperAssociation(str, Enum):
    APERSI = "APERSI"
    REI = "REI"
    PERUMNAS = "PERUMNAS"


class BankDocument(str, Enum):
    SP3K = "SP3K"  # Surat Penegasan Persetujuan Penyediaan Kredit
    CREDIT_AGREEMENT = "CREDIT_AGREEMENT"  # akad kredit


def bank_document_for(association: DeveloperAssociation) -> BankDocument:
    """W-P-2: APERSI developers' buyers bring the SP3K; REI and Perumnas the credit agreement."""
    return BankDocument.SP3K if association is DeveloperAssociation.APERSI else BankDocument.CREDIT_AGREEMENT


class PumpStatus(str, Enum):
    SUBMITTED = "SUBMITTED"
    CHECKED = "CHECKED"
    REJECTED = "REJECTED"  # the rejection letter
    APPROVED_IN_PRINCIPLE = "APPROVED_IN_PRINCIPLE"  # PUMP-5
    REPORTED_TO_REGION = "REPORTED_TO_REGION"
    DETERMINED = "DETERMINED"  # PUMP-6, PUMP-6a
    AGREEMENT_SIGNED = "AGREEMENT_SIGNED"  # PUMP-7, 7a-7c
    TRANSFERRED = "TRANSFERRED"  # paid to the developer


@dataclass(frozen=True)
class Developer:
    name: str
    association: DeveloperAssociation
    bank_account: str
    housing_project: str


@dataclass(frozen=True)
class PumpWorker:
    kpj: str
    name: str
    loan_amount_rupiah: int
    term_months: int
    documents: frozenset[DocumentKind]
    bank_document: BankDocument | None = None
    bank_document_number: str | None = None
    bank_approved_on: date | None = None
    loan_id: str | None = None
    monthly_instalment_rupiah: int | None = None

    @property
    def bank_approved(self) -> bool:
        return self.bank_approved_on is not None


def term_reasons(workers: tuple[PumpWorker, ...], rules: PumpRules) -> list[Reason]:
    """The loan terms of each worker (refused at once: such a file is never recorded)."""
    reasons = []
    for w in workers:
        if w.term_months > rules.max_term_months:
            reasons.append(Reason("W-P-1", "TERM_OVER_MAXIMUM", f"KPJ {w.kpj}: a term of {w.term_months} months is "
                                                                f"over the maximum of {rules.max_term_months}"))
        if w.loan_amount_rupiah > rules.max_loan_per_worker_rupiah:
            reasons.append(Reason("W-P-1", "LOAN_ABOVE_MAXIMUM", f"KPJ {w.kpj}: Rp{w.loan_amount_rupiah:,} is above "
                                  f"the Rp{rules.max_loan_per_worker_rupiah:,} a worker may borrow"))
    return reasons


@dataclass(frozen=True)
class PumpApplication:
    application_id: str
    npp: str
    branch_code: str
    applicant: PumpApplicant
    cooperative_name: str | None
    developer: Developer
    forms: frozenset[DocumentKind]
    workers: tuple[PumpWorker, ...]
    submitted_on: date
    submitted_by: str
    rate_bp_per_year: int
    status: PumpStatus = PumpStatus.SUBMITTED
    checked_by: str | None = None
    checked_on: date | None = None
    reasons: tuple[Reason, ...] = ()
    approval_letter_number: str | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    reported_by: str | None = None
    reported_on: date | None = None
    region_code: str | None = None
    determination_number: str | None = None
    determined_by: str | None = None
    determined_on: date | None = None
    determined_kpjs: tuple[str, ...] = ()
    agreement_number: str | None = None
    signed_by: str | None = None
    signed_on: date | None = None
    transfer_reference: str | None = None
    transferred_by: str | None = None
    transferred_on: date | None = None

    @property
    def requested_bank_document(self) -> BankDocument:
        return bank_document_for(self.developer.association)

    @property
    def recipients(self) -> tuple[PumpWorker, ...]:
        """PUMP-6a / 7a: the workers of the determination."""
        return tuple(w for w in self.workers if w.kpj in self.determined_kpjs)

    def worker(self, kpj: str) -> PumpWorker:
        found = next((w for w in self.workers if w.kpj == kpj), None)
        if found is None:
            raise NotFound("worker of PUMP application", kpj)
        return found

    def _require(self, status: PumpStatus, step: str, rule_id: str) -> None:
        if self.status is not status:
            raise RuleViolation(rule_id, f"PUMP application {self.application_id} is {self.status.value}: {step} "
                                f"needs it {status.value}", code=f"NOT_{status.value}")

    # ---- W-P-2: the branch ------------------------------------------------------------
    def check_reasons(self, employer: EmployerFacts, members: Mapping[str, WorkerFacts | None]) -> list[Reason]:
        """W-P-1 completeness and W-P-2 confirmation: every reason the file fails."""
        required = FORMS + ((D.POWER_OF_ATTORNEY,) if self.applicant is PumpApplicant.COOPERATIVE else ())
        reasons = missing_documents(self.forms, required, "W-P-1", "the application")
        reasons += employer_standing_reasons(employer, "W-P-2")
        for w in self.workers:
            reasons += missing_documents(w.documents, WORKER_DOCUMENTS, "W-P-1", f"the file of KPJ {w.kpj}")
            facts = members.get(w.kpj)
            if facts is None:
                reasons.append(Reason("W-P-2", "WORKER_UNKNOWN", f"KPJ {w.kpj} is not a known member"))
            elif facts.npp != self.npp:
                reasons.append(Reason("W-P-2", "WORKER_OF_ANOTHER_EMPLOYER", f"KPJ {w.kpj} works for {facts.npp}"))
            elif not facts.is_active:
                reasons.append(Reason("W-P-2", "WORKER_NOT_ACTIVE", f"KPJ {w.kpj} is {facts.status}"))
        return reasons

    def checked(self, by: str, on: date, reasons: list[Reason]) -> PumpApplication:
        self._require(PumpStatus.SUBMITTED, "the check", "W-P-2")
        status = PumpStatus.REJECTED if reasons else PumpStatus.CHECKED
        return replace(self, status=status, checked_by=by, checked_on=on, reasons=tuple(reasons))

    def approved_in_principle(self, by: str, on: date) -> PumpApplication:
        """PUMP-5, by the branch head, never the officer who checked the file (O-4)."""
        self._require(PumpStatus.CHECKED, "the approval in principle", "W-P-2")
        assert self.checked_by is not None  # a CHECKED application was checked by someone
        require_second_person(self.checked_by, by, "PUMP approval in principle")
        return replace(self, status=PumpStatus.APPROVED_IN_PRINCIPLE, approved_by=by, approved_on=on,
                       approval_letter_number=f"PUMP-5/{self.application_id}")

    # ---- W-P-3 ---------------------------------------------------------------------------
    def bank_approved(self, kpj: str, document: BankDocument, number: str, on: date) -> PumpApplication:
        """One worker passed the bank's mortgage selection, with the document PUMP-5 asked for."""
        self._require(PumpStatus.APPROVED_IN_PRINCIPLE, "a bank approval", "W-P-3")
        worker = self.worker(kpj)
        if document is not self.requested_bank_document:
            raise RuleViolation("W-P-2", f"developer {self.developer.name} is in {self.developer.association.value}: "
                                f"the bank's {self.requested_bank_document.value} is needed, not {document.value}",
                                code="WRONG_BANK_DOCUMENT")
        if worker.bank_approved:
            raise RuleViolation("W-P-3", f"the bank approval of KPJ {kpj} was recorded on {worker.bank_approved_on}",
                                code="BANK_APPROVAL_RECORDED")
        assert self.approved_on is not None  # approved in principle on a day
        if on < self.approved_on:
            raise RuleViolation("W-P-3", "the bank approved before the approval in principle (PUMP-5)",
                                code="STEP_BEFORE_PREVIOUS")
        approved = replace(worker, bank_document=document, bank_document_number=number, bank_approved_on=on)
        return replace(self, workers=tuple(approved if w.kpj == kpj else w for w in self.workers))

    def reported_to_region(self, by: str, on: date) -> PumpApplication:
        self._require(PumpStatus.APPROVED_IN_PRINCIPLE, "the report to the region", "W-P-3")
        if not any(w.bank_approved for w in self.workers):
            raise RuleViolation("W-P-3", "no worker has passed the bank's selection yet", code="NO_BANK_APPROVAL")
        return replace(self, status=PumpStatus.REPORTED_TO_REGION, reported_by=by, reported_on=on)

    def determined(self, by: str, on: date, region_code: str) -> PumpApplication:
        """PUMP-6 by the regional office, for the workers the bank approved (PUMP-6a)."""
        self._require(PumpStatus.REPORTED_TO_REGION, "the determination", "W-P-3")
        assert self.reported_on is not None  # reported on a day
        if on < self.reported_on:
            raise RuleViolation("W-P-3", "the determination is dated before the branch's report",
                                code="STEP_BEFORE_PREVIOUS")
        return replace(self, status=PumpStatus.DETERMINED, determined_by=by, determined_on=on, region_code=region_code,
                       determination_number=f"PUMP-6/{self.application_id}",
                       determined_kpjs=tuple(w.kpj for w in self.workers if w.bank_approved))

    # ---- W-P-4 ---------------------------------------------------------------------------
    def signed(self, by: str, on: date, loans: Mapping[str, tuple[str, int]]) -> PumpApplication:
        """PUMP-7 by the branch; `loans` is each recipient's (loan id, monthly instalment)."""
        self._require(PumpStatus.DETERMINED, "the agreement", "W-P-4")
        assert self.determined_on is not None  # determined on a day
        if on < self.determined_on:
            raise RuleViolation("W-P-4", "the agreement is dated before the determination (PUMP-6)",
                                code="STEP_BEFORE_PREVIOUS")
        workers = tuple(replace(w, loan_id=loans[w.kpj][0], monthly_instalment_rupiah=loans[w.kpj][1])
                        if w.kpj in loans else w for w in self.workers)
        return replace(self, status=PumpStatus.AGREEMENT_SIGNED, signed_by=by, signed_on=on, workers=workers,
                       agreement_number=f"PUMP-7/{self.application_id}")

    def transferred(self, by: str, on: date, reference: str) -> PumpApplication:
        self._require(PumpStatus.AGREEMENT_SIGNED, "the transfer", "W-P-4")
        assert self.signed_on is not None  # signed on a day
        if on < self.signed_on:
            raise RuleViolation("W-P-4", "the transfer is dated before the agreement (PUMP-7)",
                                code="STEP_BEFORE_PREVIOUS")
        return replace(self, status=PumpStatus.TRANSFERRED, transferred_by=by, transferred_on=on,
                       transfer_reference=reference)

    @property
    def total_loan_rupiah(self) -> int:
        return sum(w.loan_amount_rupiah for w in self.recipients)
