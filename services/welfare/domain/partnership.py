"""The partnership program (Program Kemitraan), W-M-1 and W-M-2.

W-M-1: loans from state-enterprise profit to small businesses: ordinary loans (working
capital) and special loans (to fill an order from a business partner).
W-M-2: a small business has net assets of at most Rp200,000,000 excluding land and
buildings, or annual sales of at most Rp1,000,000,000; is owned by Indonesian citizens;
is independent (not a subsidiary or affiliate of a medium or large business); may be an
individual, unincorporated or incorporated business or a cooperative; and has been in
business at least 1 year with prospects.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from .dates import has_lasted
from .documents import DocumentKind, missing_documents
from .reasons import Reason
from .rule_tables import PartnershipRules
from .schedule import flat_interest


class PartnershipLoanKind(str, Enum):
    ORDINARY = "ORDINARY"  # working capital
    SPECIAL = "SPECIAL"  # to fill an order from a business partner


class LegalForm(str, Enum):
    INDIVIDUAL = "INDIVIDUAL"
    UNINCORPORATED = "UNINCORPORATED"
    INCORPORATED = "INCORPORATED"
    COOPERATIVE = "COOPERATIVE"


SUBMISSION_DOCUMENTS = (DocumentKind.BUSINESS_LICENCE, DocumentKind.FINANCIAL_REPORT)


@dataclass(frozen=True)
class SmallBusiness:
    name: str
    legal_form: LegalForm
    indonesian_owned: bool
    independent: bool
    started_on: date
    net_assets_rupiah: int  # excluding land and buildings
    annual_sales_rupiah: int
    has_prospects: bool


@dataclass(frozen=True)
class PartnershipLoanProposal:
    business: SmallBusiness
    kind: PartnershipLoanKind
    amount_rupiah: int
    term_months: int
    partner_order_reference: str | None
    documents: frozenset[DocumentKind]


def max_term_months(kind: PartnershipLoanKind, rules: PartnershipRules) -> int:
    return rules.special_max_term_months if kind is PartnershipLoanKind.SPECIAL else rules.ordinary_max_term_months


def interest_of(proposal: PartnershipLoanProposal, rules: PartnershipRules) -> int:
    term = min(proposal.term_months, max_term_months(proposal.kind, rules))
    return flat_interest(proposal.amount_rupiah, rules.interest_bp_per_year, term)


def term_reasons(proposal: PartnershipLoanProposal, rules: PartnershipRules) -> list[Reason]:
    """W-M-1: the loan's own terms (refused at once: such a loan is never recorded)."""
    reasons = []
    longest = max_term_months(proposal.kind, rules)
    if proposal.term_months > longest:
        reasons.append(Reason("W-M-1", "TERM_OVER_MAXIMUM", f"a term of {proposal.term_months} months is over the "
                                                            f"{longest} months of a {proposal.kind.value.lower()} loan"))
    if proposal.kind is PartnershipLoanKind.SPECIAL and not proposal.partner_order_reference:
        reasons.append(Reason("W-M-1", "SPECIAL_LOAN_WITHOUT_PARTNER_ORDER",
                              "a special loan fills an order from a business partner: name the order"))
    return reasons


def eligibility_reasons(proposal: PartnershipLoanProposal, rules: PartnershipRules, on: date) -> list[Reason]:
    """Every condition of W-M-2 (and the loan terms of W-M-1) that fails on `on`."""
    b = proposal.business
    small = b.net_assets_rupiah <= rules.net_assets_cap_rupiah or b.annual_sales_rupiah <= rules.annual_sales_cap_rupiah
    checks = (
        (small, "NOT_A_SMALL_BUSINESS",
         f"net assets of Rp{b.net_assets_rupiah:,} (above Rp{rules.net_assets_cap_rupiah:,}) and annual sales of "
         f"Rp{b.annual_sales_rupiah:,} (above Rp{rules.annual_sales_cap_rupiah:,})"),
        (b.indonesian_owned, "NOT_INDONESIAN_OWNED", f"{b.name} is not owned by Indonesian citizens"),
        (b.independent, "NOT_INDEPENDENT", f"{b.name} is a subsidiary or affiliate of a medium or large business"),
        (has_lasted(b.started_on, rules.business_months, on), "IN_BUSINESS_UNDER_1_YEAR",
         f"{b.name} started on {b.started_on.isoformat()}, less than {rules.business_months} months before "
         f"{on.isoformat()}"),
        (b.has_prospects, "NO_PROSPECTS", f"{b.name} shows no business prospects"),
    )
    reasons = [Reason("W-M-2", code, message) for held, code, message in checks if not held]
    reasons += term_reasons(proposal, rules)
    required = SUBMISSION_DOCUMENTS + ((DocumentKind.PARTNER_ORDER,) if proposal.kind is PartnershipLoanKind.SPECIAL
                                       else ())
    reasons += missing_documents(proposal.documents, required, "W-M-2", "the application")
    return reasons
