"""The documents a claim needs, per program and reason, as data (B-JHT-2, B-JKK-9).

A claim is complete when every document of its checklist has been received and checked;
until then it cannot be assessed, and the refusal lists what is missing. The checklist of
a JK claim (death certificate, heirs' statement) and of a JPK refund (card, receipts,
referral) are the agency's usual ones; the rule book names them only as "the heirs"
(B-JK-1) and "care covered" (B-JPK-1), so those rules are the ones a refusal names.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import MappingProxyType

from services.chassis.errors import FieldViolation, InvalidArgument, RuleViolation

from .programs import JhtReason, JkkCause, JkReason, JpkReason, Program


class Document(str, Enum):
    CLAIM_FORM_5 = "CLAIM_FORM_5"  # formulir 5: the JHT claim form
    KPJ_ORIGINAL = "KPJ_ORIGINAL"
    KPJ_COPY = "KPJ_COPY"
    ID_CARD = "ID_CARD"  # KTP
    FAMILY_CARD = "FAMILY_CARD"  # Kartu Keluarga
    TERMINATION_LETTER = "TERMINATION_LETTER"  # the employer's letter or the industrial court's ruling
    STATEMENT_NOT_WORKING = "STATEMENT_NOT_WORKING"  # signed: not working (again)
    DOCTOR_STATEMENT = "DOCTOR_STATEMENT"  # total disability (JHT)
    EMIGRATION_STATEMENT = "EMIGRATION_STATEMENT"
    PASSPORT = "PASSPORT"
    VISA = "VISA"
    DEATH_CERTIFICATE = "DEATH_CERTIFICATE"
    APPOINTMENT_DECREE = "APPOINTMENT_DECREE"  # civil service, police or military appointment
    DOCTOR_FORM_3B_3C = "DOCTOR_FORM_3B_3C"  # JKK: the treating doctor's statement
    TREATMENT_RECEIPTS = "TREATMENT_RECEIPTS"
    TRANSPORT_RECEIPTS = "TRANSPORT_RECEIPTS"
    HEIR_STATEMENT = "HEIR_STATEMENT"  # surat keterangan ahli waris
    HEIR_ID_CARD = "HEIR_ID_CARD"
    KPK_CARD = "KPK_CARD"  # the JPK health card
    CARE_RECEIPTS = "CARE_RECEIPTS"
    REFERRAL_LETTER = "REFERRAL_LETTER"


D = Document
_JHT_BASE = (D.CLAIM_FORM_5, D.KPJ_ORIGINAL, D.ID_CARD, D.TERMINATION_LETTER, D.STATEMENT_NOT_WORKING, D.FAMILY_CARD)
_JHT_EXTRA: Mapping[JhtReason, tuple[Document, ...]] = {
    JhtReason.AGE_55: (),
    JhtReason.TOTAL_DISABILITY: (D.DOCTOR_STATEMENT,),
    JhtReason.LEFT_COUNTRY: (D.EMIGRATION_STATEMENT, D.PASSPORT, D.VISA),
    JhtReason.DEATH: (D.DEATH_CERTIFICATE,),  # and the family card, already in the base list
    JhtReason.CIVIL_SERVICE: (D.APPOINTMENT_DECREE,),
    JhtReason.TERMINATION: (),  # the termination letter and the statement are in the base list
}
_JKK = (D.KPJ_COPY, D.DOCTOR_FORM_3B_3C, D.TREATMENT_RECEIPTS, D.TRANSPORT_RECEIPTS)

CHECKLISTS: Mapping[tuple[Program, str], tuple[Document, ...]] = MappingProxyType({
    **{(Program.JHT, reason.value): _JHT_BASE + extra for reason, extra in _JHT_EXTRA.items()},
    **{(Program.JKK, cause.value): _JKK for cause in JkkCause},
    (Program.JK, JkReason.DEATH.value): (D.KPJ_ORIGINAL, D.DEATH_CERTIFICATE, D.HEIR_STATEMENT, D.HEIR_ID_CARD,
                                         D.FAMILY_CARD),
    (Program.JPK, JpkReason.REIMBURSEMENT.value): (D.KPK_CARD, D.CARE_RECEIPTS, D.REFERRAL_LETTER),
})

# The rule a missing document of each program's checklist is refused under.
DOCUMENT_RULE: Mapping[Program, str] = MappingProxyType({
    Program.JHT: "B-JHT-2", Program.JKK: "B-JKK-9", Program.JK: "B-JK-1", Program.JPK: "B-JPK-1",
})


def required_documents(program: Program, reason: str) -> tuple[Document, ...]:
    return CHECKLISTS[(program, reason)]


def missing_documents(program: Program, reason: str, received: Iterable[Document]) -> tuple[Document, ...]:
    """The checklist's documents not yet received, in checklist order."""
    held = set(received)
    return tuple(d for d in required_documents(program, reason) if d not in held)


def require_complete(program: Program, reason: str, received: Iterable[Document]) -> None:
    """RuleViolation naming the program's document rule and listing every missing document."""
    missing = missing_documents(program, reason, received)
    if missing:
        raise RuleViolation(DOCUMENT_RULE[program], "documents missing: " + ", ".join(d.value for d in missing),
                            code="DOCUMENTS_MISSING")


def parse_documents(codes: Iterable[str], field: str = "documents") -> tuple[Document, ...]:
    """Document codes as sent; an unknown one is InvalidArgument naming `field[i]`."""
    found: list[Document] = []
    problems: list[FieldViolation] = []
    for index, code in enumerate(codes):
        try:
            found.append(Document(code.strip().upper()))
        except ValueError:
            problems.append(FieldViolation(f"{field}[{index}]", f"{code!r} is not a document code"))
    if problems:
        raise InvalidArgument(problems)
    return tuple(found)
