"""The welfare programs' figures are dated rule tables: the date picks the version."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.chassis.errors import InvalidArgument, RuleViolation
from services.welfare.domain.rule_tables import (
    COOPERATIVE_LOAN_RULES, PARTNERSHIP_RULES, PUMP_RULES, SCHOLARSHIP_RULES, ScholarshipRules,
)
from services.welfare.domain.scholarships import SchoolLevel, monthly_amount

TABLES = [SCHOLARSHIP_RULES, COOPERATIVE_LOAN_RULES, PUMP_RULES, PARTNERSHIP_RULES]


@pytest.mark.rule("W-S-1")
def test_a_new_version_rules_from_its_date_and_the_old_one_before():
    seed = SCHOLARSHIP_RULES.in_force_on(date(2025, 1, 1))
    raised = replace(seed, effective_from=date(2026, 1, 1), senior_high_monthly_rupiah=250_000)
    table = SCHOLARSHIP_RULES.with_version(raised)
    assert monthly_amount(SchoolLevel.SENIOR_HIGH, table.in_force_on(date(2025, 12, 31))) == 200_000
    assert monthly_amount(SchoolLevel.SENIOR_HIGH, table.in_force_on(date(2026, 1, 1))) == 250_000


@pytest.mark.rule("W-S-1", "W-K-2", "W-P-4", "W-M-2")
@pytest.mark.parametrize("table", TABLES, ids=lambda t: type(t.versions[0]).__name__)
def test_every_version_round_trips_through_its_stored_form(table):
    version = table.versions[0]
    assert type(version).from_dict(version.to_dict()) == version


@pytest.mark.rule("W-K-2")
def test_a_day_before_every_version_names_the_table_rule():
    with pytest.raises(RuleViolation) as none:
        COOPERATIVE_LOAN_RULES.in_force_on(date(1999, 12, 31))
    assert (none.value.rule_id, none.value.code) == ("W-K-2", "NO_RULE_VERSION_IN_FORCE")


def test_a_stored_version_with_a_missing_or_negative_figure_is_refused():
    data = SCHOLARSHIP_RULES.versions[0].to_dict()
    with pytest.raises(InvalidArgument):
        ScholarshipRules.from_dict({k: v for k, v in data.items() if k != "months"})
    with pytest.raises(InvalidArgument):
        ScholarshipRules.from_dict({**data, "months": -1})
