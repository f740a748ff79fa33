"""Partnership program eligibility (W-M-1, W-M-2)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.welfare.domain.documents import DocumentKind
from services.welfare.domain.partnership import (
    LegalForm, PartnershipLoanKind, PartnershipLoanProposal, SmallBusiness, eligibility_reasons, interest_of,
)
from services.welfare.domain.rule_tables import PARTNERSHIP_RULES

ON = date(2025, 6, 2)
RULES = PARTNERSHIP_RULES.in_force_on(ON)
SHOP = SmallBusiness("UD Maju", LegalForm.INDIVIDUAL, True, True, date(2022, 5, 1), 150_000_000, 800_000_000, True)
DOCS = frozenset({DocumentKind.BUSINESS_LICENCE, DocumentKind.FINANCIAL_REPORT})
ORDINARY = PartnershipLoanProposal(SHOP, PartnershipLoanKind.ORDINARY, 50_000_000, 24, None, DOCS)


def codes(proposal, on=ON):
    return {(r.rule_id, r.code) for r in eligibility_reasons(proposal, RULES, on)}


@pytest.mark.rule("W-M-2")
@pytest.mark.parametrize(("assets", "sales", "small"), [
    (200_000_000, 5_000_000_000, True),  # net assets at the cap: small, whatever the sales
    (900_000_000, 1_000_000_000, True),  # sales at the cap: small, whatever the assets
    (200_000_001, 1_000_000_001, False),  # both above: not a small business
])
def test_net_assets_or_annual_sales_make_a_small_business(assets, sales, small):
    proposal = replace(ORDINARY, business=replace(SHOP, net_assets_rupiah=assets, annual_sales_rupiah=sales))
    assert (codes(proposal) == set()) is small
    if not small:
        assert codes(proposal) == {("W-M-2", "NOT_A_SMALL_BUSINESS")}


@pytest.mark.rule("W-M-2")
def test_every_condition_of_a_small_business_is_answered():
    business = replace(SHOP, indonesian_owned=False, independent=False, started_on=date(2024, 12, 1),
                       has_prospects=False)
    assert codes(replace(ORDINARY, business=business, documents=frozenset())) == {
        ("W-M-2", "NOT_INDONESIAN_OWNED"), ("W-M-2", "NOT_INDEPENDENT"), ("W-M-2", "IN_BUSINESS_UNDER_1_YEAR"),
        ("W-M-2", "NO_PROSPECTS"), ("W-M-2", "DOCUMENTS_MISSING")}


@pytest.mark.rule("W-M-1")
def test_a_special_loan_fills_a_partners_order_within_its_shorter_term():
    special = replace(ORDINARY, kind=PartnershipLoanKind.SPECIAL, term_months=13)
    assert codes(special) == {("W-M-1", "TERM_OVER_MAXIMUM"), ("W-M-1", "SPECIAL_LOAN_WITHOUT_PARTNER_ORDER"),
                              ("W-M-2", "DOCUMENTS_MISSING")}
    ready = replace(special, term_months=12, partner_order_reference="PO-2025-17",
                    documents=DOCS | {DocumentKind.PARTNER_ORDER})
    assert codes(ready) == set()
    assert codes(replace(ORDINARY, term_months=37)) == {("W-M-1", "TERM_OVER_MAXIMUM")}


@pytest.mark.rule("W-M-1")
def test_the_interest_of_a_partnership_loan():
    # 50,000,000 x 6% x 24/12 = 6,000,000
    assert interest_of(ORDINARY, RULES) == 6_000_000
