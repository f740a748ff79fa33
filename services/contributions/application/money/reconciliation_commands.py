"""Commands the reconciliation use cases take and the results they return (C-7, O-4).

Decoded from the request by `reconciliation_mapping` (bad input: INVALID_ARGUMENT naming
the request field), so a use case runs, and is tested, without gRPC."""
from __future__ import annotations

from dataclasses import dataclass

from services.contributions.adapters.worksheet_store import StoredWorksheet
from services.contributions.domain.periods import Period


@dataclass(frozen=True)
class PrepareWorksheet:
    npp: str
    period: Period
    reported_rupiah: int  # what the employer reports having paid


@dataclass(frozen=True)
class WorksheetStep:
    """Validate, post or read one worksheet."""

    worksheet_id: str


@dataclass(frozen=True)
class JhtPosting:
    """One member's JHT share of a paid bill credited to their account (C-9)."""

    kpj: str
    bill_number: str
    amount_rupiah: int
    reference: str
    balance_rupiah: int  # the account's balance after it


@dataclass(frozen=True)
class WorksheetPosted:
    worksheet: StoredWorksheet
    postings: list[JhtPosting]
    unpaid_bill_numbers: list[str]  # wait for a later worksheet
    waiting_credit_notes: list[str]  # their period's regular bill is not paid yet
