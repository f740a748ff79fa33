"""Commands the payment use cases take and the results they return (C-6, C-7, C-8).

The entrypoint decodes a request into one of these (bad input: InvalidArgument naming the
request field) and encodes the result (`money.mapping`), so a use case runs, and is
tested, without gRPC.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.contributions.adapters.money_bills import BillRow
from services.contributions.adapters.payment_store import StoredPayment
from services.contributions.adapters.penalty_repository import PenaltyWithCorrections
from services.contributions.application.money.recording import PaymentLine
from services.contributions.application.money.statement_file_lines import LineRecorded

Allocation = dict[str, Any]  # a row of payment_allocations (payment_store)


# ---- commands ------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordPayment:
    line: PaymentLine


@dataclass(frozen=True)
class RejectedLine:
    """A statement line that could not even be read (its amount or date): REJECTED as it is."""

    bank_reference: str
    reason: str


@dataclass(frozen=True)
class ImportStatement:
    lines: tuple[PaymentLine | RejectedLine, ...]


@dataclass(frozen=True)
class AssignSuspense:
    payment_id: str
    npp: str
    bill_number: str | None


@dataclass(frozen=True)
class GetPayment:
    payment_id: str


@dataclass(frozen=True)
class ListPayments:
    branch_code: str
    npp: str
    status: str | None  # MATCHED, SUSPENSE; None: both
    after: str | None
    size: int


# ---- results -------------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentView:
    payment: StoredPayment
    allocations: tuple[Allocation, ...]


@dataclass(frozen=True)
class PaymentPosted:
    """A payment recorded or assigned: where its money went (C-6, C-7) and the employer's
    credit after it (None: no employer known, the payment waits in suspense)."""

    payment: PaymentView
    credit_applied: tuple[Allocation, ...] = ()
    bills: tuple[BillRow, ...] = ()
    penalties: tuple[PenaltyWithCorrections, ...] = ()
    penalty_payments: tuple[Allocation, ...] = ()
    employer_credit_rupiah: int | None = None


@dataclass(frozen=True)
class StatementImported:
    lines: tuple[LineRecorded, ...]  # in the statement's order


@dataclass(frozen=True)
class PaymentPage:
    payments: tuple[PaymentView, ...]
    next_after: str | None
