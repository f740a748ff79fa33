"""Commands the billing read use cases take and the results they return (C-5).

Decoded from the request by `billing.mapping` (bad input: INVALID_ARGUMENT naming the
request field), so a use case runs, and is tested, without gRPC. Billing runs have their
own (`runs`)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from services.contributions.adapters.bill_queries import BillCursor, BillRow, LineRow
from services.contributions.domain.coverage import EmployerCoverage
from services.contributions.domain.periods import Period


class SpiFormat(Enum):
    PDF = "PDF"
    TEXT = "TEXT"


@dataclass(frozen=True)
class GetBill:
    bill_number: str


@dataclass(frozen=True)
class ListBills:
    npp: str | None
    branch_code: str | None
    period: Period | None
    after: BillCursor | None
    size: int


@dataclass(frozen=True)
class RenderSpi:
    bill_number: str
    format: SpiFormat


@dataclass(frozen=True)
class GetCoverage:
    branch_code: str
    period: Period
    npp: str | None


@dataclass(frozen=True)
class BillView:
    bill: BillRow
    lines: list[LineRow]


@dataclass(frozen=True)
class BillPage:
    bills: list[BillRow]
    next_after: BillCursor | None  # None: the last page


@dataclass(frozen=True)
class SpiDocument:
    bill_number: str
    content_type: str
    file_name: str
    content: bytes


@dataclass(frozen=True)
class EmployerCoverageRow:
    npp: str
    employer_name: str
    coverage: EmployerCoverage


@dataclass(frozen=True)
class CoverageReport:
    period: Period
    branch_code: str
    employers: list[EmployerCoverageRow]
    worker_names: dict[str, str]
