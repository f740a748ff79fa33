"""PUMP as a state machine across the branch and the region (W-P-1..W-P-4)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.chassis.errors import RuleViolation
from services.welfare.domain.documents import DocumentKind as D
from services.welfare.domain.members import EmployerFacts, WorkerFacts
from services.welfare.domain.pump import (
    FORMS, WORKER_DOCUMENTS, BankDocument, Developer, DeveloperAssociation, PumpApplicant, PumpApplication,
    PumpStatus, PumpWorker, term_reasons,
)
from services.welfare.domain.rule_tables import PUMP_RULES

ON = date(2025, 6, 2)
EMPLOYER = EmployerFacts("12345678", "KC-BINJAI", "PT Sawit Makmur", date(2020, 1, 6), True, date(2025, 6, 1))
A, B = "11111111111", "22222222222"
MEMBERS = {k: WorkerFacts(k, "12345678", "KC-BINJAI", f"Pekerja {k[0]}", "ACTIVE", date(2020, 2, 3), 4_000_000)
           for k in (A, B)}
DEVELOPER = Developer("PT Griya Asri", DeveloperAssociation.APERSI, "BRI 0123", "Griya Asri Binjai")
WORKERS = tuple(PumpWorker(k, f"Pekerja {k[0]}", 15_000_000, 36, frozenset(WORKER_DOCUMENTS)) for k in (A, B))
FILE = PumpApplication("P1", "12345678", "KC-BINJAI", PumpApplicant.EMPLOYER, None, DEVELOPER, frozenset(FORMS),
                       WORKERS, ON, "siti", 300)


def codes(reasons):
    return {(r.rule_id, r.code) for r in reasons}


@pytest.mark.rule("W-P-1", "W-P-2", "W-P-3", "W-P-4")
def test_from_application_to_transfer():
    checked = FILE.checked("siti", ON, FILE.check_reasons(EMPLOYER, MEMBERS))
    assert checked.status is PumpStatus.CHECKED
    approved = checked.approved_in_principle("kepala", ON)
    assert approved.approval_letter_number == "PUMP-5/P1" and approved.requested_bank_document is BankDocument.SP3K
    banked = approved.bank_approved(A, BankDocument.SP3K, "SP3K/BRI/77", date(2025, 6, 5))
    reported = banked.reported_to_region("siti", date(2025, 6, 6))
    determined = reported.determined("rina", date(2025, 6, 9), "KW-SUMBAGUT")
    assert determined.determined_kpjs == (A,)  # PUMP-6a: only the worker the bank approved
    assert [w.kpj for w in determined.recipients] == [A]
    signed = determined.signed("kepala", date(2025, 6, 10), {A: ("L1", 457_500)})
    assert signed.agreement_number == "PUMP-7/P1" and signed.worker(A).loan_id == "L1"
    transferred = signed.transferred("rina", date(2025, 6, 11), "TRF-9")
    assert transferred.status is PumpStatus.TRANSFERRED and transferred.total_loan_rupiah == 15_000_000


@pytest.mark.rule("W-P-1", "W-P-2", "C-8")
def test_the_branch_check_answers_with_every_incomplete_part():
    cooperative = replace(FILE, applicant=PumpApplicant.COOPERATIVE, cooperative_name="Kopkar",
                          forms=frozenset({D.FORM_PUMP_1}),
                          workers=(replace(WORKERS[0], documents=frozenset({D.KPJ_COPY})), WORKERS[1],
                                   PumpWorker("33333333333", "", 1, 12, frozenset(WORKER_DOCUMENTS))))
    members = {A: MEMBERS[A], B: replace(MEMBERS[B], npp="87654321"), "33333333333": None}
    reasons = cooperative.check_reasons(replace(EMPLOYER, good_standing=False), members)
    assert codes(reasons) == {("W-P-1", "DOCUMENTS_MISSING"), ("W-P-2", "EMPLOYER_NOT_IN_GOOD_STANDING"),
                              ("W-P-2", "WORKER_OF_ANOTHER_EMPLOYER"), ("W-P-2", "WORKER_UNKNOWN")}
    messages = " ".join(r.message for r in reasons)
    assert "POWER_OF_ATTORNEY" in messages and "FORM_PUMP_4" in messages and f"KPJ {A} lacks" in messages
    assert cooperative.checked("siti", ON, reasons).status is PumpStatus.REJECTED


@pytest.mark.rule("W-P-2")
@pytest.mark.parametrize(("association", "document"), [
    (DeveloperAssociation.APERSI, BankDocument.CREDIT_AGREEMENT), (DeveloperAssociation.REI, BankDocument.SP3K),
    (DeveloperAssociation.PERUMNAS, BankDocument.SP3K)])
def test_the_bank_document_follows_the_developers_association(association, document):
    approved = replace(FILE, developer=replace(DEVELOPER, association=association)).checked("siti", ON, []) \
        .approved_in_principle("kepala", ON)
    with pytest.raises(RuleViolation) as wrong:
        approved.bank_approved(A, document, "X-1", ON)
    assert (wrong.value.rule_id, wrong.value.code) == ("W-P-2", "WRONG_BANK_DOCUMENT")


@pytest.mark.rule("W-P-3")
def test_nothing_goes_to_the_region_without_a_bank_approval_nor_out_of_order():
    approved = FILE.checked("siti", ON, []).approved_in_principle("kepala", ON)
    with pytest.raises(RuleViolation) as none:
        approved.reported_to_region("siti", ON)
    assert none.value.code == "NO_BANK_APPROVAL"
    with pytest.raises(RuleViolation) as early:
        approved.determined("rina", ON, "KW-SUMBAGUT")
    assert (early.value.rule_id, early.value.code) == ("W-P-3", "NOT_REPORTED_TO_REGION")


@pytest.mark.rule("O-4")
def test_the_checker_does_not_approve_in_principle():
    with pytest.raises(RuleViolation) as same:
        FILE.checked("siti", ON, []).approved_in_principle("siti", ON)
    assert same.value.code == "SAME_PERSON"


@pytest.mark.rule("W-P-1")
def test_a_workers_loan_terms_are_refused_at_once():
    rules = PUMP_RULES.in_force_on(ON)
    too_long = (replace(WORKERS[0], term_months=rules.max_term_months + 1),
                replace(WORKERS[1], loan_amount_rupiah=rules.max_loan_per_worker_rupiah + 1))
    assert {r.code for r in term_reasons(too_long, rules)} == {"TERM_OVER_MAXIMUM", "LOAN_ABOVE_MAXIMUM"}
