"""Document checklists per program and reason, as data (B-JHT-2, B-JKK-9)."""
from __future__ import annotations

import pytest

from services.benefits.domain.documents import (
    CHECKLISTS, Document, missing_documents, parse_documents, require_complete, required_documents,
)
from services.benefits.domain.programs import REASONS, Program
from services.chassis.errors import InvalidArgument, RuleViolation

D = Document
JHT_BASE = [D.CLAIM_FORM_5, D.KPJ_ORIGINAL, D.ID_CARD, D.TERMINATION_LETTER, D.STATEMENT_NOT_WORKING, D.FAMILY_CARD]


@pytest.mark.rule("B-JHT-2")
@pytest.mark.parametrize("reason, extra", [
    ("AGE_55", []), ("TERMINATION", []), ("TOTAL_DISABILITY", [D.DOCTOR_STATEMENT]),
    ("LEFT_COUNTRY", [D.EMIGRATION_STATEMENT, D.PASSPORT, D.VISA]), ("DEATH", [D.DEATH_CERTIFICATE]),
    ("CIVIL_SERVICE", [D.APPOINTMENT_DECREE]),
])
def test_b_jht_2_the_jht_checklist_is_the_base_list_plus_the_reasons_extras(reason, extra):
    assert list(required_documents(Program.JHT, reason)) == JHT_BASE + extra


@pytest.mark.rule("B-JKK-9")
@pytest.mark.parametrize("cause", ["WORK_ACCIDENT", "OCCUPATIONAL_DISEASE"])
def test_b_jkk_9_a_jkk_claim_needs_the_kpj_the_doctors_statement_and_the_receipts(cause):
    assert list(required_documents(Program.JKK, cause)) == [D.KPJ_COPY, D.DOCTOR_FORM_3B_3C, D.TREATMENT_RECEIPTS,
                                                            D.TRANSPORT_RECEIPTS]


def test_every_reason_of_every_program_has_a_checklist():
    assert {(p, r) for p, reasons in REASONS.items() for r in reasons} == set(CHECKLISTS)


@pytest.mark.rule("B-JKK-9")
def test_b_jkk_9_what_is_missing_is_listed_in_checklist_order_and_refused_under_the_programs_rule():
    received = [D.TRANSPORT_RECEIPTS, D.KPJ_COPY, D.PASSPORT]  # a document off the list changes nothing
    assert missing_documents(Program.JKK, "WORK_ACCIDENT", received) == (D.DOCTOR_FORM_3B_3C, D.TREATMENT_RECEIPTS)
    with pytest.raises(RuleViolation) as refused:
        require_complete(Program.JKK, "WORK_ACCIDENT", received)
    assert (refused.value.rule_id, refused.value.code) == ("B-JKK-9", "DOCUMENTS_MISSING")
    assert refused.value.reason == "documents missing: DOCTOR_FORM_3B_3C, TREATMENT_RECEIPTS"
    require_complete(Program.JKK, "WORK_ACCIDENT", [*received, D.DOCTOR_FORM_3B_3C, D.TREATMENT_RECEIPTS])


def test_document_codes_are_parsed_and_an_unknown_one_is_named_by_its_position():
    assert parse_documents([" id_card ", "VISA"]) == (D.ID_CARD, D.VISA)
    with pytest.raises(InvalidArgument) as bad:
        parse_documents(["ID_CARD", "SELFIE", "KTP?"])
    assert [v.field for v in bad.value.violations] == ["documents[1]", "documents[2]"]
