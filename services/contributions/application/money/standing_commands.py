"""Commands the standing use cases take and the results they return (C-8).

The entrypoint decodes a request into one of these (bad input: InvalidArgument naming the
request field) and encodes the result (`money.mapping`), so a use case runs, and is
tested, without gRPC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.contributions.application.money.batched_runs import RunOutcome
from services.contributions.application.money.standing_state import StandingView


# ---- commands ------------------------------------------------------------------------
@dataclass(frozen=True)
class GetStanding:
    npp: str
    as_of: date | None = None  # None: today


@dataclass(frozen=True)
class RecomputeStanding:
    """A branch's employers (or the one named) as of today, in batches (`money.batched_runs`)."""

    branch_code: str
    npp: str | None
    run_key: str  # the caller's own key of the request id: a retry continues the same run
    request_fingerprint: str  # the same request id for another request is refused


@dataclass(frozen=True)
class GetStandingRun:
    request_id: str  # the one its RecomputeStanding was sent with
    run_key: str  # the caller's own key of that request id


@dataclass(frozen=True)
class ListArrears:
    branch_code: str
    as_of: date | None  # None: today
    after_npp: str
    size: int


# ---- results -------------------------------------------------------------------------
@dataclass(frozen=True)
class Recomputed:
    evaluated: int
    changed: tuple[StandingView, ...]  # the employers whose standing changed, by NPP
    run: RunOutcome


@dataclass(frozen=True)
class ArrearsPage:
    employers: tuple[StandingView, ...]
    next_after_npp: str | None
