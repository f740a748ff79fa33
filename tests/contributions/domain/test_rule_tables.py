"""Versioned rule tables: the rules in force on a bill's own date (C-5, C-6, C-9)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from services.chassis.errors import InvalidArgument, RuleViolation
from services.contributions.domain.calculation import Program, WorkerWageFacts, compute_lines
from services.contributions.domain.due_dates import due_date_for_period
from services.contributions.domain.penalty import penalty_for_payment
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import (
    SEED_CONTRIBUTION_RULES,
    SEED_JHT_RETURN_RATES,
    ContributionRules,
    JhtReturnRate,
    JhtReturnRates,
    RuleTable,
    rules_for_period,
)
from services.contributions.domain.working_days import WorkingDayCalendar


def test_rule_tables_baseline_values_match_the_rule_book():
    rules = SEED_CONTRIBUTION_RULES.in_force_on(date(2010, 6, 1))
    assert (rules.jht_employer_bp, rules.jht_worker_bp, rules.jk_employer_bp) == (370, 200, 30)
    assert dict(rules.jkk_bp_by_risk_group) == {1: 24, 2: 54, 3: 89, 4: 127, 5: 174}
    assert (rules.jpk_single_bp, rules.jpk_married_bp, rules.jpk_wage_cap_rupiah) == (300, 600, 1_000_000)
    assert (rules.due_day, rules.penalty_bp_per_month, rules.penalty_cap_bp) == (15, 200, None)


@pytest.mark.rule("C-6")
def test_c6_pp49_2020_version_applies_to_2020_09_and_normal_rules_to_2021_03():
    relief = rules_for_period(SEED_CONTRIBUTION_RULES, 2020, 9)
    normal = rules_for_period(SEED_CONTRIBUTION_RULES, 2021, 3)
    assert (relief.due_day, relief.penalty_bp_per_month) == (30, 50)
    assert "49/2020" in relief.source
    assert (normal.due_day, normal.penalty_bp_per_month) == (15, 200)
    # and it shows in what the bill says: due date and penalty
    calendar = WorkingDayCalendar()
    assert due_date_for_period(Period(2020, 9), SEED_CONTRIBUTION_RULES, calendar) == date(2020, 10, 30)
    assert due_date_for_period(Period(2021, 3), SEED_CONTRIBUTION_RULES, calendar) == date(2021, 4, 15)
    # 1,000,000 paid 1 day late: 0.5% = 5,000 under PP 49/2020, 2% = 20,000 otherwise
    assert penalty_for_payment(1_000_000, date(2020, 10, 30), date(2020, 10, 31), relief) == 5_000
    assert penalty_for_payment(1_000_000, date(2021, 4, 15), date(2021, 4, 16), normal) == 20_000


@pytest.mark.rule("C-6")
@pytest.mark.parametrize("period, relief", [
    ((2020, 7), False), ((2020, 8), True), ((2021, 1), True), ((2021, 2), False)])
def test_c6_pp49_2020_covers_only_periods_aug_2020_to_jan_2021(period, relief):
    assert (rules_for_period(SEED_CONTRIBUTION_RULES, *period).due_day == 30) is relief


def test_rule_tables_in_force_is_latest_version_not_after_the_date():
    table = SEED_CONTRIBUTION_RULES
    assert table.in_force_on(date(2020, 7, 31)).effective_from == date(1993, 1, 1)
    assert table.in_force_on(date(2020, 8, 1)).effective_from == date(2020, 8, 1)
    assert table.in_force_on(date(2030, 1, 1)).effective_from == date(2021, 2, 1)


def test_c5_no_version_before_the_first_is_a_rule_violation_of_the_bill_it_would_price():
    with pytest.raises(RuleViolation) as raised:
        SEED_CONTRIBUTION_RULES.in_force_on(date(1992, 12, 31))
    assert (raised.value.rule_id, raised.value.code) == ("C-5", "NO_RULE_VERSION_IN_FORCE")


def test_rule_tables_new_regulation_is_a_data_change():
    current = SEED_CONTRIBUTION_RULES.in_force_on(date(2021, 2, 1))
    raised_jk = replace(current, effective_from=date(2030, 1, 1), jk_employer_bp=40, source="hypothetical")
    table = SEED_CONTRIBUTION_RULES.with_version(raised_jk)
    facts = WorkerWageFacts("11A1", 1_000_000, "SINGLE", 1)
    jk = lambda rules: [l for l in compute_lines(facts, rules) if l.program is Program.JK][0].amount_rupiah  # noqa: E731
    assert jk(table.in_force_on(date(2029, 12, 1))) == 3_000  # 0.3% x 1,000,000
    assert jk(table.in_force_on(date(2030, 1, 1))) == 4_000  # 0.4% x 1,000,000
    assert len(SEED_CONTRIBUTION_RULES.versions) == 3  # the original table is unchanged


def test_rule_tables_two_versions_on_one_date_are_refused():
    version = SEED_CONTRIBUTION_RULES.versions[0]
    with pytest.raises(InvalidArgument):
        RuleTable([version, replace(version, source="again")], rule_id="C-5")


def test_rule_tables_table_survives_a_round_trip_through_json():
    stored = json.loads(json.dumps(SEED_CONTRIBUTION_RULES.to_dict()))
    assert RuleTable.from_dict(stored, ContributionRules.from_dict, rule_id="C-5") == SEED_CONTRIBUTION_RULES
    rates = json.loads(json.dumps(SEED_JHT_RETURN_RATES.to_dict()))
    assert JhtReturnRates.from_dict(rates) == SEED_JHT_RETURN_RATES


def test_rule_tables_bad_version_data_is_reported_by_field():
    data = SEED_CONTRIBUTION_RULES.versions[0].to_dict()
    data["jkk_bp_by_risk_group"] = {"1": 24}
    data["due_day"] = 32
    with pytest.raises(InvalidArgument) as raised:
        ContributionRules.from_dict(data)
    assert {v.field for v in raised.value.violations} == {"jkk_bp_by_risk_group", "due_day"}
    del data["source"]
    with pytest.raises(InvalidArgument):
        ContributionRules.from_dict(data)


@pytest.mark.rule("C-9")
def test_c9_return_rate_2011_is_ten_point_ten_percent():
    assert SEED_JHT_RETURN_RATES.rate_for(2011) == 1010


@pytest.mark.rule("C-9")
def test_c9_undeclared_year_has_no_return_rate():
    with pytest.raises(RuleViolation) as raised:
        SEED_JHT_RETURN_RATES.rate_for(1999)
    assert raised.value.rule_id == "C-9"


@pytest.mark.rule("C-9")
def test_c9_declared_rate_below_state_bank_deposit_rate_is_refused():
    with pytest.raises(RuleViolation) as raised:
        JhtReturnRate(2011, 500, "test", deposit_rate_floor_bp=600)
    assert raised.value.rule_id == "C-9"
