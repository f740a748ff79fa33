"""C-9: the JHT (old-age savings) ledger, double entry.

Sign convention: `amount_rupiah` is signed, a debit is positive and a credit negative, so
every posting sums to 0 and so does the whole ledger (`trial_balance`).

Accounts and their postings:
* ``member:<KPJ>``: the fund's debt to the member (credit-normal: credits raise it).
* ``fund:contributions-received``: JHT contributions received (debit-normal).
* ``fund:returns-expense``: returns credited to members, hasil pengembangan (debit-normal).
* ``fund:benefits-paid``: balances paid out (credit-normal).

contribution: DR contributions-received / CR member; yearly return: DR returns-expense /
CR member; settlement (B-JHT-1): DR member (the whole balance) / CR benefits-paid. Hence
sum of member balances = contributions + returns - benefits paid.

Returns (C-9) are credited once a year, on 31 December, and compound because the next
year's return is computed on a balance that includes them. Method (time-weighted, whole
months): the opening balance earns the full year; an amount credited in month m earns for
the 12 - m whole months left after that month (January 11, December 0). With W the
weighted sum ``opening x 12 + sum(amount x months left)``, the return is
``W x rate / (12 x 10000)``, rounded once with `apply_fraction`. Returns credited during the
year earn nothing until the next year.

A member settled during the year: the caller credits the part-year return
(`accrued_return(..., through_month=settlement month - 1)`, whole months completed before
the settlement month) with `credit_return`, then settles the whole balance. The year-end run
then only counts what was credited after the last settlement, from an opening of 0.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.money import BASIS_POINTS_PER_UNIT, apply_fraction
from services.contributions.domain.periods import Period

MEMBER_PREFIX = "member:"
CONTRIBUTIONS_RECEIVED = "fund:contributions-received"
RETURNS_EXPENSE = "fund:returns-expense"
BENEFITS_PAID = "fund:benefits-paid"
_CREDIT_NORMAL_FUND_ACCOUNTS = {BENEFITS_PAID}


class EntryKind(str, Enum):
    CONTRIBUTION = "CONTRIBUTION"
    RETURN = "RETURN"
    SETTLEMENT = "SETTLEMENT"


@dataclass(frozen=True)
class LedgerEntry:
    """One side of a posting. `amount_rupiah`: debit > 0, credit < 0."""

    entry_id: str
    account: str
    amount_rupiah: int
    kind: EntryKind
    posted_on: date
    reference: str


Posting = tuple[LedgerEntry, ...]


@dataclass(frozen=True)
class Flow:
    """An amount credited to (positive) or taken from (negative) a member account."""

    posted_on: date
    amount_rupiah: int


@dataclass(frozen=True)
class MemberYear:
    """A member's opening balance for a year and the amounts credited during it (C-9)."""

    kpj: str
    opening_balance_rupiah: int
    flows: tuple[Flow, ...] = ()


def member_account(kpj: str) -> str:
    if not kpj or not kpj.strip():
        raise InvalidArgument.field("kpj", "required")
    return f"{MEMBER_PREFIX}{kpj}"


def yearly_return_reference(kpj: str, year: int) -> str:
    return f"JHT-RETURN/{year}/{kpj}"


def _posting(reference: str, kind: EntryKind, posted_on: date, debit: str, credit: str, amount: int) -> Posting:
    return (LedgerEntry(f"{reference}/DR", debit, amount, kind, posted_on, reference),
            LedgerEntry(f"{reference}/CR", credit, -amount, kind, posted_on, reference))


def post_contribution(kpj: str, amount_rupiah: int, period: Period, posted_on: date,
                      reference: str | None = None) -> Posting:
    """C-7/C-9: credit a paid JHT contribution (employer + worker share) to the member.

    A negative amount posts a downward correction. Pass a `reference` that is unique per
    posting (e.g. the reconciliation worksheet id) when a period is posted more than once;
    entry ids derive from it.
    """
    if not isinstance(amount_rupiah, int) or amount_rupiah == 0:
        raise InvalidArgument.field("amount_rupiah", "must be a non-zero whole number of rupiah")
    reference = reference or f"JHT-CONTRIBUTION/{period}/{kpj}"
    return _posting(reference, EntryKind.CONTRIBUTION, posted_on, CONTRIBUTIONS_RECEIVED,
                    member_account(kpj), amount_rupiah)


def accrued_return(opening_balance_rupiah: int, flows: Iterable[Flow], year: int, rate_bp: int,
                   through_month: int = 12) -> int:
    """C-9: return earned in `year` up to the end of `through_month` (12 = the whole year).

    The opening balance earns `through_month` months; an amount credited in month m earns
    `through_month - m` months (none if credited later). One rounding, half up.
    """
    if not isinstance(rate_bp, int) or rate_bp < 0:
        raise InvalidArgument.field("rate_bp", "must be a non-negative integer")
    if not 0 <= through_month <= 12:
        raise InvalidArgument.field("through_month", "must be 0..12")
    weighted = opening_balance_rupiah * through_month
    for flow in flows:
        if flow.posted_on.year != year:
            raise InvalidArgument.field("flows", f"flow on {flow.posted_on} is not in {year}")
        weighted += flow.amount_rupiah * max(0, through_month - flow.posted_on.month)
    return apply_fraction(weighted, rate_bp, 12 * BASIS_POINTS_PER_UNIT)


def credit_return(kpj: str, amount_rupiah: int, year: int, posted_on: date,
                  reference: str | None = None) -> Posting:
    """C-9: credit a computed return to a member (DR returns-expense / CR member)."""
    if not isinstance(amount_rupiah, int) or amount_rupiah <= 0:
        raise InvalidArgument.field("amount_rupiah", "a return credit must be positive")
    reference = reference or yearly_return_reference(kpj, year)
    return _posting(reference, EntryKind.RETURN, posted_on, RETURNS_EXPENSE, member_account(kpj), amount_rupiah)


def credit_yearly_return(members: Iterable[MemberYear], year: int, rate_bp: int,
                         posted_on: date | None = None) -> list[Posting]:
    """C-9: the year-end return postings, one per member with a return above zero.

    `members` are the opening balances and flows of the year (see `member_years`), `rate_bp`
    the rate declared for the year (`JhtReturnRates.rate_for(year)`); posted on 31 December
    unless `posted_on` is given.
    """
    posted_on = posted_on or date(year, 12, 31)
    postings = []
    for member in members:
        amount = accrued_return(member.opening_balance_rupiah, member.flows, year, rate_bp)
        if amount > 0:
            postings.append(credit_return(member.kpj, amount, year, posted_on))
    return postings


def settle(kpj: str, balance_rupiah: int, posted_on: date, reference: str | None = None) -> Posting:
    """B-JHT-1: pay out the member's whole balance (pass `balance_at(entries, account, day)`)."""
    if not isinstance(balance_rupiah, int) or balance_rupiah <= 0:
        raise RuleViolation("B-JHT-1", "nothing to pay: the JHT balance is not positive")
    reference = reference or f"JHT-SETTLEMENT/{posted_on.isoformat()}/{kpj}"
    return _posting(reference, EntryKind.SETTLEMENT, posted_on, member_account(kpj), BENEFITS_PAID, balance_rupiah)


def _normal_sign(account: str) -> int:
    credit_normal = account.startswith(MEMBER_PREFIX) or account in _CREDIT_NORMAL_FUND_ACCOUNTS
    return -1 if credit_normal else 1


def balance_at(entries: Iterable[LedgerEntry], account: str, on: date) -> int:
    """Balance of `account` after all entries posted on or before `on`, on its normal side:
    a member account's balance is what the fund owes the member."""
    return _normal_sign(account) * sum(e.amount_rupiah for e in entries if e.account == account and e.posted_on <= on)


def trial_balance(entries: Iterable[LedgerEntry]) -> int:
    """Sum of all signed amounts: 0 for a ledger made of balanced postings."""
    return sum(e.amount_rupiah for e in entries)


def member_years(entries: Sequence[LedgerEntry], year: int) -> list[MemberYear]:
    """C-9: every member's opening balance and flows for `year`, read from the ledger.

    Flows are the contributions (and corrections) credited in the year; returns credited in
    the year earn nothing until the next year. For a member settled during the year only
    what came after the last settlement counts, from an opening of 0 (the part-year return
    was credited at settlement). Raises RuleViolation C-9 if the year was already credited.
    """
    accounts = sorted({e.account for e in entries if e.account.startswith(MEMBER_PREFIX) and e.posted_on.year <= year})
    result = []
    for account in accounts:
        kpj = account[len(MEMBER_PREFIX):]
        own = [e for e in entries if e.account == account and e.posted_on.year == year]
        if any(e.kind is EntryKind.RETURN and e.reference == yearly_return_reference(kpj, year) for e in own):
            raise RuleViolation("C-9", f"returns for {year} already credited to KPJ {kpj}")
        settlements = [e.posted_on for e in own if e.kind is EntryKind.SETTLEMENT]
        if settlements:
            last = max(settlements)
            opening = 0
            own = [e for e in own if e.posted_on > last]
        else:
            opening = balance_at(entries, account, date(year - 1, 12, 31))
        flows = tuple(Flow(e.posted_on, -e.amount_rupiah) for e in own if e.kind is EntryKind.CONTRIBUTION)
        result.append(MemberYear(kpj, opening, flows))
    return result


@dataclass(frozen=True)
class StatementLine:
    posted_on: date
    kind: EntryKind
    reference: str
    amount_rupiah: int  # positive raises the member's balance


@dataclass(frozen=True)
class JhtStatement:
    """C-9: the member's yearly JHT balance statement (laporan saldo JHT)."""

    kpj: str
    year: int
    opening_rupiah: int
    lines: tuple[StatementLine, ...]
    closing_rupiah: int

    def total(self, kind: EntryKind) -> int:
        return sum(line.amount_rupiah for line in self.lines if line.kind is kind)


def statement(entries: Sequence[LedgerEntry], kpj: str, year: int) -> JhtStatement:
    """C-9: opening balance on 1 January, the year's movements in date order, closing balance."""
    account = member_account(kpj)
    opening = balance_at(entries, account, date(year - 1, 12, 31))
    own = sorted((e for e in entries if e.account == account and e.posted_on.year == year),
                 key=lambda e: (e.posted_on, e.entry_id))
    lines = tuple(StatementLine(e.posted_on, e.kind, e.reference, -e.amount_rupiah) for e in own)
    return JhtStatement(kpj, year, opening, lines, opening + sum(line.amount_rupiah for line in lines))
