"""The one place the money side reads rule tables (C-6 penalty, C-9 return rate).

The versions stored by the rule-table component (`rule_versions`, through
`adapters.rule_repository`) are used; while none is stored (a database the rule component
has not seeded yet) the domain's seeds (`SEED_CONTRIBUTION_RULES`, `SEED_JHT_RETURN_RATES`)
stand in, so the result is the same rule book either way.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.chassis.errors import InvalidArgument
from services.contributions.adapters.rule_repository import RuleRepository
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import (
    SEED_CONTRIBUTION_RULES, SEED_JHT_RETURN_RATES, ContributionRules, JhtReturnRates, RuleTable, rules_for_period,
)


def rules_for(period: Period, session: Session | None = None) -> ContributionRules:
    """C-6: the rule version in force for a bill's period (its first day), not the payment
    date: PP 49/2020's 0.5% applies to 2020-08..2021-01 however late they are paid."""
    table: RuleTable[ContributionRules] = SEED_CONTRIBUTION_RULES
    if session is not None:
        try:
            table = RuleRepository(session).load_contribution_rules()
        except InvalidArgument:  # no version stored yet: RuleTable refuses an empty table
            pass
    return rules_for_period(table, period.year, period.month)


def jht_return_rate(year: int, session: Session | None = None) -> int:
    """C-9: the declared return rate of `year` in bp; RuleViolation C-9 when none is declared."""
    rates: JhtReturnRates = SEED_JHT_RETURN_RATES
    if session is not None:
        stored = RuleRepository(session).load_jht_return_rates()
        rates = stored if stored.rates else rates
    return rates.rate_for(year)
