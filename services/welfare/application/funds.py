"""The regional funds (DPKP, partnership): money allocated in by the head office or the
region itself, loans disbursed out of them (never beyond the balance), repayments back.

A fund belongs to a regional office: the head office reads and allocates to any, a region
to its own, a branch reads its own region's (O-2).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from services.chassis.context import BRANCH, HEAD, REGIONAL
from services.chassis.errors import InvalidArgument, NotFound, PermissionDenied, RuleViolation
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.fund_store import FundLedger, LedgerEntry
from services.welfare.adapters.loan_repository import LoanRepository
from services.welfare.adapters.office_tree import is_region, region_of
from services.welfare.application import events
from services.welfare.application.paging import Page, page_of
from services.welfare.domain.fund import EntryKind, balance_on, require_available
from services.welfare.domain.loans import Loan
from services.welfare.domain.programs import FUND_OF, TRANSFER_RULE, Fund


@dataclass(frozen=True)
class AllocateToFund:
    region_code: str
    fund: Fund
    amount_rupiah: int
    booked_on: date | None
    reference: str
    reason: str


@dataclass(frozen=True)
class FundQuery:
    region_code: str
    fund: Fund
    on_date: date | None


@dataclass(frozen=True)
class FundEntriesQuery:
    region_code: str
    fund: Fund
    after: tuple[str, str] | None
    limit: int


@dataclass(frozen=True)
class FundBalance:
    region_code: str
    fund: Fund
    on_date: date
    balance_rupiah: int


@dataclass(frozen=True)
class Allocation:
    entry: LedgerEntry
    balance_rupiah: int


def require_region_access(session: Session, scope: BranchScope, region_code: str, *, change: bool) -> None:
    """O-2 for a region's fund; an office code that is no region is NotFound."""
    if not is_region(session, region_code):
        raise NotFound("regional office", region_code)
    principal = scope.principal
    if principal.is_service or principal.office_level == HEAD:
        return
    if principal.office_level == REGIONAL and principal.office_code == region_code:
        return
    if not change and principal.office_level == BRANCH and region_of(session, principal.office_code) == region_code:
        return
    verb = "allocate to" if change else "read"
    raise PermissionDenied(f"O-2: office {principal.office_code} may not {verb} the fund of {region_code}")


def disburse_from_fund(uow: UnitOfWork, repository: LoanRepository, loans: Sequence[Loan], on: date, reference: str,
                       by: str) -> list[Loan]:
    """The loans' money leaves the fund of their branch's region, never beyond its balance
    on any day from `on`; each loan becomes ACTIVE and LoanDisbursed is published."""
    first = loans[0]
    region = region_of(uow.session, first.branch_code)
    if region is None:
        raise RuleViolation("O-1", f"branch {first.branch_code} has no regional office in the office tree",
                            code="REGION_UNKNOWN")
    fund = FUND_OF[first.program]
    ledger = FundLedger(uow.session)
    ledger.lock(region, fund)
    require_available(ledger.entries(region, fund), on, sum(loan.principal for loan in loans),
                      TRANSFER_RULE[first.program])
    disbursed = []
    for loan in loans:
        active = loan.disbursed(on, region)
        ledger.add(LedgerEntry(uuid7(), region, fund, EntryKind.DISBURSEMENT, -loan.principal, on, reference,
                               loan.loan_id), by)
        repository.save(active)
        events.loan_disbursed(uow, active)
        disbursed.append(active)
    return disbursed


def credit_repayment(uow: UnitOfWork, loan: Loan, amount: int, paid_on: date, bank_reference: str, by: str) -> None:
    """A repayment flows back into the fund the loan was lent from."""
    assert loan.region_code is not None  # a disbursed loan knows its region
    fund = FUND_OF[loan.program]
    ledger = FundLedger(uow.session)
    ledger.lock(loan.region_code, fund)
    ledger.add(LedgerEntry(uuid7(), loan.region_code, fund, EntryKind.REPAYMENT, amount, paid_on, bank_reference,
                           loan.loan_id), by)


class FundUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def allocate(self, uow: UnitOfWork, scope: BranchScope, command: AllocateToFund) -> Allocation:
        today = self.ctx.today()
        booked_on = command.booked_on or today
        if booked_on > today:
            raise InvalidArgument.field("booked_on", f"{booked_on.isoformat()} is in the future")
        require_region_access(uow.session, scope, command.region_code, change=True)
        ledger = FundLedger(uow.session)
        ledger.lock(command.region_code, command.fund)
        entry = LedgerEntry(uuid7(), command.region_code, command.fund, EntryKind.ALLOCATION, command.amount_rupiah,
                            booked_on, command.reference, None)
        ledger.add(entry, scope.principal.user_id)
        uow.audit("fund.allocate", f"{command.region_code}:{command.fund.value}",
                  {"amount": command.amount_rupiah, "booked_on": booked_on, "reference": command.reference},
                  reason=command.reason)
        uow.count("fund_allocated")
        return Allocation(entry, balance_on(ledger.entries(command.region_code, command.fund), booked_on))

    def balance(self, session: Session, scope: BranchScope, query: FundQuery) -> FundBalance:
        require_region_access(session, scope, query.region_code, change=False)
        day = query.on_date or self.ctx.today()
        return FundBalance(query.region_code, query.fund, day,
                           balance_on(FundLedger(session).entries(query.region_code, query.fund), day))

    def entries(self, session: Session, scope: BranchScope, query: FundEntriesQuery) -> Page[LedgerEntry]:
        require_region_access(session, scope, query.region_code, change=False)
        return page_of(FundLedger(session).page(query.region_code, query.fund, query.after, query.limit + 1),
                       query.limit)


def build(ctx: ServiceContext) -> FundUseCases:
    return FundUseCases(ctx)
