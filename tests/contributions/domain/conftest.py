"""Shared fixtures for the contributions domain tests (pure: no database, no broker)."""
from __future__ import annotations

from datetime import date

import pytest

from services.contributions.domain.rule_tables import SEED_CONTRIBUTION_RULES, ContributionRules


@pytest.fixture
def rules() -> ContributionRules:
    """The normal rules (due 15th, 2% a month), as in force for 2021-03."""
    return SEED_CONTRIBUTION_RULES.in_force_on(date(2021, 3, 1))


@pytest.fixture
def rules_2020() -> ContributionRules:
    """The PP 49/2020 relief version (due 30th, 0.5% a month)."""
    return SEED_CONTRIBUTION_RULES.in_force_on(date(2020, 9, 1))
