"""Commands the penalty use cases take and the results they return (C-6, O-4).

The entrypoint decodes a request into one of these (`penalty_mapping`; bad input is
INVALID_ARGUMENT naming the request field) and encodes the result, so a use case runs,
and is tested, without gRPC."""
from __future__ import annotations

from dataclasses import dataclass

from services.contributions.adapters.penalty_repository import PenaltyWithCorrections


@dataclass(frozen=True)
class GetPenalty:
    penalty_id: str


@dataclass(frozen=True)
class ListPenalties:
    branch_code: str  # "" : every branch the caller reads
    npp: str  # "" : every employer
    before_id: str | None  # newest first: the page after this penalty id
    size: int


@dataclass(frozen=True)
class RequestPenaltyCorrection:
    """A corrected amount, or a waiver (amount 0), with the reason the penalty is wrong."""

    penalty_id: str
    new_amount_rupiah: int
    waive: bool
    reason: str


@dataclass(frozen=True)
class ApprovePenaltyCorrection:
    correction_id: str


@dataclass(frozen=True)
class RejectPenaltyCorrection:
    correction_id: str
    reason: str


@dataclass(frozen=True)
class PenaltyPage:
    penalties: list[PenaltyWithCorrections]
    next_before_id: str | None  # None: the last page
