"""Cooperative loan eligibility and terms (W-K-1, W-K-2, W-K-3): every failing condition
is answered, each with its rule id."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.welfare.domain.cooperative_loans import (
    PROPOSAL_DOCUMENTS, Cooperative, CooperativeLoanProposal, eligibility_reasons, loan_terms, term_reasons,
)
from services.welfare.domain.members import EmployerFacts
from services.welfare.domain.rule_tables import COOPERATIVE_LOAN_RULES

ON = date(2025, 6, 2)
RULES = COOPERATIVE_LOAN_RULES.in_force_on(ON)
EMPLOYER = EmployerFacts("12345678", "KC-BINJAI", "PT Sawit Makmur", date(2020, 1, 6), True, date(2025, 6, 1))
KOPKAR = Cooperative("Kopkar Sawit", date(2018, 3, 1), True, True, True, True, True, True, True, 500_000_000)
GOOD = CooperativeLoanProposal(KOPKAR, 120_000_000, 48, 132_000_000, frozenset(PROPOSAL_DOCUMENTS))


def codes(reasons) -> set[tuple[str, str]]:
    return {(r.rule_id, r.code) for r in reasons}


@pytest.mark.rule("W-K-1", "W-K-2", "W-K-3")
def test_a_complete_proposal_of_an_eligible_cooperative_has_no_reason():
    assert eligibility_reasons(EMPLOYER, GOOD, RULES, ON) == []


@pytest.mark.rule("W-K-2")
def test_the_terms_of_the_rule_books_example():
    terms = loan_terms(GOOD, RULES)
    # 500,000,000 x 30% = 150,000,000; 120,000,000 x 110% = 132,000,000; 120,000,000 x 3% x 4 = 14,400,000
    assert (terms.limit_rupiah, terms.required_collateral_rupiah, terms.interest_rupiah) == (
        150_000_000, 132_000_000, 14_400_000)


EMPLOYER_CASES = {
    "registered under a year": (replace(EMPLOYER, registered_on=date(2024, 6, 3)), "EMPLOYER_REGISTERED_UNDER_1_YEAR"),
    "in arrears": (replace(EMPLOYER, good_standing=False), "EMPLOYER_NOT_IN_GOOD_STANDING"),
    "standing never published": (replace(EMPLOYER, good_standing=None), "EMPLOYER_STANDING_UNKNOWN"),
}
COOPERATIVE_CASES = {
    "not the employer's cooperative": (dict(workers_cooperative_of_employer=False), "EMPLOYER_HAS_NO_COOPERATIVE"),
    "founded under a year": (dict(founded_on=date(2024, 6, 3)), "COOPERATIVE_FOUNDED_UNDER_1_YEAR"),
    "not active": (dict(active=False), "COOPERATIVE_NOT_ACTIVE"),
    "no deed": (dict(has_deed_of_establishment=False), "COOPERATIVE_HAS_NO_DEED"),
    "not registered": (dict(registered=False), "COOPERATIVE_NOT_REGISTERED"),
    "not in good standing": (dict(in_good_standing=False), "COOPERATIVE_NOT_IN_GOOD_STANDING"),
    "no audited statements": (dict(audited_financial_statements=False), "COOPERATIVE_HAS_NO_AUDITED_STATEMENTS"),
    "no management support": (dict(management_support=False), "NO_MANAGEMENT_SUPPORT"),
}


@pytest.mark.rule("W-K-1")
@pytest.mark.parametrize("case", list(EMPLOYER_CASES))
def test_each_employer_condition_fails_alone(case):
    employer, code = EMPLOYER_CASES[case]
    assert codes(eligibility_reasons(employer, GOOD, RULES, ON)) == {("W-K-1", code)}


@pytest.mark.rule("W-K-1")
@pytest.mark.parametrize("case", list(COOPERATIVE_CASES))
def test_each_cooperative_condition_fails_alone(case):
    change, code = COOPERATIVE_CASES[case]
    proposal = replace(GOOD, cooperative=replace(KOPKAR, **change))
    assert codes(eligibility_reasons(EMPLOYER, proposal, RULES, ON)) == {("W-K-1", code)}


@pytest.mark.rule("W-K-1", "W-K-3")
def test_every_failing_condition_is_answered_at_once():
    employer = replace(EMPLOYER, registered_on=date(2025, 1, 6), good_standing=False)
    cooperative = replace(KOPKAR, **{k: v for change, _ in COOPERATIVE_CASES.values() for k, v in change.items()})
    proposal = replace(GOOD, cooperative=cooperative, documents=frozenset(), collateral_rupiah=0, amount_rupiah=50_000_000)
    found = codes(eligibility_reasons(employer, proposal, RULES, ON))
    expected = {("W-K-1", c) for _, c in EMPLOYER_CASES.values() if c != "EMPLOYER_STANDING_UNKNOWN"} | \
        {("W-K-1", c) for _, c in COOPERATIVE_CASES.values()} | {("W-K-1", "NO_COLLATERAL"), ("W-K-3", "DOCUMENTS_MISSING")}
    assert found == expected


@pytest.mark.rule("W-K-1")
def test_a_year_counts_to_the_day():
    # Founded 2 June 2024: a year on 2 June 2025, not on 1 June.
    proposal = replace(GOOD, cooperative=replace(KOPKAR, founded_on=date(2024, 6, 2)))
    assert eligibility_reasons(EMPLOYER, proposal, RULES, ON) == []
    assert codes(eligibility_reasons(EMPLOYER, proposal, RULES, date(2025, 6, 1))) == {
        ("W-K-1", "COOPERATIVE_FOUNDED_UNDER_1_YEAR")}


@pytest.mark.rule("W-K-2")
@pytest.mark.parametrize(("term", "refused"), [(60, False), (61, True)])
def test_a_term_of_at_most_5_years(term, refused):
    assert bool(term_reasons(replace(GOOD, term_months=term), RULES)) is refused


@pytest.mark.rule("W-K-2")
@pytest.mark.parametrize(("amount", "collateral", "codes_expected"), [
    (150_000_000, 165_000_000, set()),  # exactly 30% of 500,000,000; 110% of it is 165,000,000
    (150_000_001, 165_000_002, {"LOAN_ABOVE_ASSET_LIMIT"}),
    (99_999_999, 1, set()),  # below Rp100,000,000 no 110% is needed
    (100_000_000, 109_999_999, {"COLLATERAL_BELOW_REQUIRED"}),  # from Rp100,000,000: 110,000,000
    (100_000_000, 110_000_000, set()),
])
def test_the_limit_and_the_collateral(amount, collateral, codes_expected):
    proposal = replace(GOOD, amount_rupiah=amount, collateral_rupiah=collateral)
    assert {r.code for r in term_reasons(proposal, RULES)} == codes_expected
