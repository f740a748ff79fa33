"""The billing run's memoised pricer gives exactly the domain's lines, memo full or not."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.contributions.application.billing import pricing
from services.contributions.application.billing.pricing import LinePricer
from services.contributions.domain.calculation import MaritalStatus, Payer, WorkerWageFacts, compute_lines
from services.contributions.domain.rule_tables import SEED_CONTRIBUTION_RULES, rules_for_period

RULES = rules_for_period(SEED_CONTRIBUTION_RULES, 2024, 3)
UMK = 2_500_000

worker_facts = st.tuples(
    st.one_of(  # wages to the rupiah: about the UMK and the JPK cap (C-4, C-6a), and up to where bp x wage fits int64
        st.integers(0, 3 * RULES.jpk_wage_cap_rupiah),
        st.sampled_from([UMK - 1, UMK, UMK + 1, RULES.jpk_wage_cap_rupiah - 1, RULES.jpk_wage_cap_rupiah,
                         RULES.jpk_wage_cap_rupiah + 1]),
        st.integers(0, 9_223_372_036_854_775_807 // 10_000)),
    st.sampled_from([None, MaritalStatus.MARRIED.value, MaritalStatus.SINGLE.value]),
    st.integers(1, 5),
    st.sampled_from([None, "JHT,JKK,JK,JPK", "JKK,JK", "JHT"]),
)


def expected(wage: int, marital: str | None, risk_group: int, programs: str | None) -> list[tuple]:
    facts = WorkerWageFacts("00000000001", wage, marital or MaritalStatus.SINGLE.value, risk_group, UMK)
    enrolled = pricing.enrolled_programs(programs)
    return [(line.program.value, line.payer.value, line.base_rupiah, line.rate_bp, line.amount_rupiah)
            for line in compute_lines(facts, RULES) if line.program.value in enrolled]


@pytest.fixture
def tiny_memo(monkeypatch):
    """Memos that are full after a handful of entries: wages to the rupiah fill them at once."""
    monkeypatch.setattr(pricing, "_CACHE_LIMIT", 3)
    monkeypatch.setattr(pricing, "_cache", {})


@pytest.mark.rule("C-1", "C-2", "C-3", "C-4", "C-6a", "M-4")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workers=st.lists(worker_facts, min_size=1, max_size=12))
def test_lines_are_the_domains_whether_the_memo_has_room_or_not(tiny_memo, workers):
    pricer = LinePricer(RULES, UMK)
    for wage, marital, risk_group, programs in workers + workers:  # the second pass: what the memo kept
        priced = pricer.lines("00000000001", wage, marital, risk_group, programs)
        rows = expected(wage, marital, risk_group, programs)
        assert list(priced.rows) == rows
        assert priced.worker_rupiah == sum(r[4] for r in rows if r[1] == Payer.WORKER.value)
        assert priced.employer_rupiah == sum(r[4] for r in rows if r[1] != Payer.WORKER.value)
        assert priced.copy_tails == tuple(f"{p}\t{payer}\t{base}\t{rate}\t{amount}\n"
                                          for p, payer, base, rate, amount in rows)
    assert len(pricing._cache) <= 3
    assert len(pricer._by_facts) <= 3
