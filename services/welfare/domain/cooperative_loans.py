"""Loans to workers' cooperatives (pinjaman koperasi karyawan), W-K-1..W-K-3.

W-K-1: the employer is registered at least 1 year, in good standing (C-8) and has a
workers' cooperative; the cooperative was founded at least 1 year ago and is active, has a
deed of establishment, is registered and in good standing, has audited financial
statements and the support of the employer's management, and gives collateral.
W-K-2: at most 30% of the cooperative's assets, at most 5 years, 3% a year flat;
Rp100,000,000 or more needs collateral worth at least 110% of the loan.
W-K-3: the proposal file (signed by chair and secretary, acknowledged by management; deed,
articles, board, board IDs, audited balance sheet, power of attorney, 3 months of bank
statements), then agreement, transfer and instalments on schedule.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.money import apply_rate

from .dates import has_lasted
from .documents import DocumentKind, missing_documents
from .members import EmployerFacts, employer_registration_reasons, employer_standing_reasons
from .reasons import Reason
from .rule_tables import CooperativeLoanRules
from .schedule import flat_interest

D = DocumentKind
PROPOSAL_DOCUMENTS = (
    D.PROPOSAL_SIGNED_BY_CHAIR_AND_SECRETARY, D.MANAGEMENT_ACKNOWLEDGEMENT, D.DEED_OF_ESTABLISHMENT,
    D.ARTICLES_OF_ASSOCIATION, D.BOARD_LIST, D.BOARD_ID_COPIES, D.AUDITED_BALANCE_SHEET, D.POWER_OF_ATTORNEY,
    D.BANK_STATEMENTS_3_MONTHS,
)


@dataclass(frozen=True)
class Cooperative:
    """What the cooperative declares about itself (W-K-1), verified against its documents."""

    name: str
    founded_on: date
    active: bool
    has_deed_of_establishment: bool
    registered: bool
    in_good_standing: bool
    audited_financial_statements: bool
    management_support: bool
    workers_cooperative_of_employer: bool
    total_assets_rupiah: int


@dataclass(frozen=True)
class CooperativeLoanProposal:
    cooperative: Cooperative
    amount_rupiah: int
    term_months: int
    collateral_rupiah: int
    documents: frozenset[DocumentKind]


@dataclass(frozen=True)
class CooperativeLoanTerms:
    """W-K-2 for one proposal under the rules of its date."""

    limit_rupiah: int  # 30% of the assets
    required_collateral_rupiah: int  # 110% from the threshold, else 0
    rate_bp_per_year: int
    interest_rupiah: int


def loan_terms(proposal: CooperativeLoanProposal, rules: CooperativeLoanRules) -> CooperativeLoanTerms:
    amount = proposal.amount_rupiah
    needs_collateral = amount >= rules.collateral_threshold_rupiah
    return CooperativeLoanTerms(
        limit_rupiah=apply_rate(proposal.cooperative.total_assets_rupiah, rules.limit_of_assets_bp),
        required_collateral_rupiah=apply_rate(amount, rules.collateral_bp) if needs_collateral else 0,
        rate_bp_per_year=rules.interest_bp_per_year,
        interest_rupiah=flat_interest(amount, rules.interest_bp_per_year, min(proposal.term_months, rules.max_term_months)),
    )


def term_reasons(proposal: CooperativeLoanProposal, rules: CooperativeLoanRules) -> list[Reason]:
    """W-K-2: limit, term and collateral (refused at once: such a loan is never recorded)."""
    terms = loan_terms(proposal, rules)
    reasons = []
    if proposal.amount_rupiah > terms.limit_rupiah:
        reasons.append(Reason("W-K-2", "LOAN_ABOVE_ASSET_LIMIT",
                              f"Rp{proposal.amount_rupiah:,} is above the limit of Rp{terms.limit_rupiah:,} "
                              f"({rules.limit_of_assets_bp / 100:g}% of assets of "
                              f"Rp{proposal.cooperative.total_assets_rupiah:,})"))
    if proposal.term_months > rules.max_term_months:
        reasons.append(Reason("W-K-2", "TERM_OVER_MAXIMUM",
                              f"a term of {proposal.term_months} months is over the maximum of "
                              f"{rules.max_term_months} months"))
    if proposal.collateral_rupiah < terms.required_collateral_rupiah:
        reasons.append(Reason("W-K-2", "COLLATERAL_BELOW_REQUIRED",
                              f"collateral of Rp{proposal.collateral_rupiah:,} is below the "
                              f"Rp{terms.required_collateral_rupiah:,} ({rules.collateral_bp / 100:g}% of the loan) "
                              f"a loan of Rp{rules.collateral_threshold_rupiah:,} or more needs"))
    return reasons


def eligibility_reasons(employer: EmployerFacts, proposal: CooperativeLoanProposal, rules: CooperativeLoanRules,
                        on: date) -> list[Reason]:
    """Every condition of W-K-1 (employer and cooperative), W-K-2 and W-K-3 that fails on `on`."""
    c = proposal.cooperative
    reasons = employer_registration_reasons(employer, rules.employer_registered_months, on, "W-K-1")
    reasons += employer_standing_reasons(employer, "W-K-1")
    checks = (
        (c.workers_cooperative_of_employer, "EMPLOYER_HAS_NO_COOPERATIVE",
         f"{c.name} is not the workers' cooperative of employer {employer.npp}"),
        (has_lasted(c.founded_on, rules.cooperative_founded_months, on), "COOPERATIVE_FOUNDED_UNDER_1_YEAR",
         f"{c.name} was founded on {c.founded_on.isoformat()}, less than {rules.cooperative_founded_months} "
         f"months before {on.isoformat()}"),
        (c.active, "COOPERATIVE_NOT_ACTIVE", f"{c.name} is not active"),
        (c.has_deed_of_establishment, "COOPERATIVE_HAS_NO_DEED", f"{c.name} has no deed of establishment"),
        (c.registered, "COOPERATIVE_NOT_REGISTERED", f"{c.name} is not registered as a legal entity"),
        (c.in_good_standing, "COOPERATIVE_NOT_IN_GOOD_STANDING", f"{c.name} is not in good standing"),
        (c.audited_financial_statements, "COOPERATIVE_HAS_NO_AUDITED_STATEMENTS",
         f"{c.name} has no audited financial statements"),
        (c.management_support, "NO_MANAGEMENT_SUPPORT", f"the management of employer {employer.npp} does not "
                                                         f"support the loan"),
        (proposal.collateral_rupiah > 0, "NO_COLLATERAL", "the cooperative gives no collateral"),
    )
    reasons += [Reason("W-K-1", code, message) for held, code, message in checks if not held]
    reasons += term_reasons(proposal, rules)
    reasons += missing_documents(proposal.documents, PROPOSAL_DOCUMENTS, "W-K-3", "the proposal")
    return reasons
