"""Documents an application file holds; each program lists those it needs."""
from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from .reasons import Reason


class DocumentKind(str, Enum):
    # W-K-3: the cooperative's proposal file.
    PROPOSAL_SIGNED_BY_CHAIR_AND_SECRETARY = "PROPOSAL_SIGNED_BY_CHAIR_AND_SECRETARY"
    MANAGEMENT_ACKNOWLEDGEMENT = "MANAGEMENT_ACKNOWLEDGEMENT"
    DEED_OF_ESTABLISHMENT = "DEED_OF_ESTABLISHMENT"  # akta pendirian
    ARTICLES_OF_ASSOCIATION = "ARTICLES_OF_ASSOCIATION"  # AD/ART
    BOARD_LIST = "BOARD_LIST"  # susunan pengurus
    BOARD_ID_COPIES = "BOARD_ID_COPIES"
    AUDITED_BALANCE_SHEET = "AUDITED_BALANCE_SHEET"
    POWER_OF_ATTORNEY = "POWER_OF_ATTORNEY"  # surat kuasa (W-K-3; W-P-1 when a cooperative signs)
    BANK_STATEMENTS_3_MONTHS = "BANK_STATEMENTS_3_MONTHS"
    # W-P-1.
    FORM_PUMP_1 = "FORM_PUMP_1"
    FORM_PUMP_2 = "FORM_PUMP_2"
    FORM_PUMP_3 = "FORM_PUMP_3"
    FORM_PUMP_4 = "FORM_PUMP_4"
    KPJ_COPY = "KPJ_COPY"
    ID_CARD_COPY = "ID_CARD_COPY"  # KTP
    FAMILY_CARD_COPY = "FAMILY_CARD_COPY"  # Kartu Keluarga
    # W-S-2: supporting documents of a scholarship.
    REPORT_CARD = "REPORT_CARD"  # rapor or transcript
    SCHOOL_STATEMENT = "SCHOOL_STATEMENT"
    NO_OTHER_SCHOLARSHIP_STATEMENT = "NO_OTHER_SCHOLARSHIP_STATEMENT"
    # W-M-1, W-M-2.
    BUSINESS_LICENCE = "BUSINESS_LICENCE"
    FINANCIAL_REPORT = "FINANCIAL_REPORT"
    PARTNER_ORDER = "PARTNER_ORDER"


def missing_documents(held: Iterable[DocumentKind], required: Iterable[DocumentKind], rule_id: str,
                      what: str = "the file") -> list[Reason]:
    """One reason naming every required document the file lacks."""
    have = set(held)
    missing = [d for d in required if d not in have]
    if not missing:
        return []
    return [Reason(rule_id, "DOCUMENTS_MISSING", f"{what} lacks: {', '.join(d.value for d in missing)}")]
