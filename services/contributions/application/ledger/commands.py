"""Commands the JHT ledger use cases take and the results they return (C-9, B-JHT-1).

The entrypoint decodes a request into one of these (bad input: InvalidArgument naming the
request field) and encodes the result (`ledger.mapping`), so a use case runs, and is
tested, without gRPC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.contributions.application.money.batched_runs import RunOutcome


# ---- commands ------------------------------------------------------------------------
@dataclass(frozen=True)
class GetJhtBalance:
    kpj: str
    on_date: date | None = None  # None: today


@dataclass(frozen=True)
class GetJhtStatement:
    kpj: str
    year: int


@dataclass(frozen=True)
class RunYearlyReturns:
    year: int


@dataclass(frozen=True)
class GetYearlyReturnsRun:
    year: int


@dataclass(frozen=True)
class SettleJht:
    kpj: str
    claim_id: str
    settled_on: date


# ---- results -------------------------------------------------------------------------
@dataclass(frozen=True)
class JhtBalance:
    kpj: str
    on_date: date
    balance_rupiah: int


@dataclass(frozen=True)
class YearlyReturns:
    """A year's returns (C-9); `already_run`: the year was done before, nothing credited now."""

    year: int
    rate_bp: int
    members_credited: int
    total_rupiah: int
    already_run: bool
    run: RunOutcome | None  # None: the year was run before runs were kept in batches
