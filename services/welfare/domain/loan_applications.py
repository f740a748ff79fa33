"""The steps a cooperative loan (W-K-3) or a partnership loan (W-M-1) goes through:
proposal received, checked (every reason that fails, each with its rule id; a failed
check rejects it), approved by the branch head (never by the officer who checked it,
O-4), agreement signed (the schedule fixed), disbursed from the region's fund.
LoanApplication is immutable: each step returns a new one or raises."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from services.chassis.errors import RuleViolation
from services.chassis.roles import require_second_person

from .cooperative_loans import CooperativeLoanProposal
from .partnership import PartnershipLoanProposal
from .programs import LOAN_STEPS_RULE, Program
from .reasons import Reason


class ApplicationStatus(str, Enum):
    SUBMITTED = "SUBMITTED"
    CHECKED = "CHECKED"
    REJECTED = "REJECTED"
    APPROVED = "APPROVED"
    AGREEMENT_SIGNED = "AGREEMENT_SIGNED"
    DISBURSED = "DISBURSED"


Proposal = CooperativeLoanProposal | PartnershipLoanProposal
S = ApplicationStatus


@dataclass(frozen=True)
class LoanApplication:
    application_id: str
    program: Program
    branch_code: str
    applicant_name: str
    proposal: Proposal
    submitted_on: date
    submitted_by: str
    rate_bp_per_year: int
    interest_rupiah: int
    npp: str | None = None
    status: ApplicationStatus = S.SUBMITTED
    checked_by: str | None = None
    checked_on: date | None = None
    reasons: tuple[Reason, ...] = ()
    approved_by: str | None = None
    approved_on: date | None = None
    agreement_number: str | None = None
    signed_by: str | None = None
    signed_on: date | None = None
    loan_id: str | None = None
    disbursed_on: date | None = None

    @property
    def amount_rupiah(self) -> int:
        return self.proposal.amount_rupiah

    @property
    def term_months(self) -> int:
        return self.proposal.term_months

    @property
    def rule_id(self) -> str:
        return LOAN_STEPS_RULE[self.program]

    def _require(self, status: ApplicationStatus, step: str) -> None:
        if self.status is not status:
            raise RuleViolation(self.rule_id, f"application {self.application_id} is {self.status.value}: {step} "
                                f"needs it {status.value}", code=f"NOT_{status.value}")

    def checked(self, by: str, on: date, reasons: Sequence[Reason]) -> LoanApplication:
        """The branch check; with any reason the application is rejected."""
        self._require(S.SUBMITTED, "the check")
        self._not_before(on, self.submitted_on, "checked")
        return replace(self, status=S.REJECTED if reasons else S.CHECKED, checked_by=by, checked_on=on,
                       reasons=tuple(reasons))

    def approved(self, by: str, on: date) -> LoanApplication:
        """The branch head approves what another officer checked (O-4)."""
        self._require(S.CHECKED, "approval")
        assert self.checked_by is not None  # a CHECKED application was checked by someone
        require_second_person(self.checked_by, by, "loan application")
        assert self.checked_on is not None  # a CHECKED application has its date
        self._not_before(on, self.checked_on, "approved")
        return replace(self, status=S.APPROVED, approved_by=by, approved_on=on)

    def signed(self, by: str, on: date, agreement_number: str, loan_id: str) -> LoanApplication:
        self._require(S.APPROVED, "the agreement")
        assert self.approved_on is not None  # an APPROVED application has its date
        self._not_before(on, self.approved_on, "signed")
        return replace(self, status=S.AGREEMENT_SIGNED, signed_by=by, signed_on=on,
                       agreement_number=agreement_number, loan_id=loan_id)

    def disbursed(self, on: date) -> LoanApplication:
        self._require(S.AGREEMENT_SIGNED, "the transfer")
        assert self.signed_on is not None  # a signed application has its date
        self._not_before(on, self.signed_on, "transferred")
        return replace(self, status=S.DISBURSED, disbursed_on=on)

    def _not_before(self, on: date, earlier: date, what: str) -> None:
        if on < earlier:
            raise RuleViolation(self.rule_id, f"application {self.application_id} cannot be {what} on "
                                f"{on.isoformat()}, before its previous step on {earlier.isoformat()}",
                                code="STEP_BEFORE_PREVIOUS")
