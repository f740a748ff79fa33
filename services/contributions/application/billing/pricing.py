"""Pricing workers for one period under one rule version (C-1..C-4, C-6a), memoised.

`compute_lines` is a pure function of (wage, UMK, marital status, risk group) and the rule
version, and workers share few distinct combinations (wages cluster on the UMK and on
round amounts), so each combination is priced once per process and rule version and its
lines reused, with their totals and their COPY text. Only the programs a worker is
enrolled in are billed (M-4).

Wages to the rupiah share nothing: every worker is a new combination. A memo that is full
keeps what it has and stops taking more (clearing it and filling it again cost more than
pricing the worker), so the regular run keeps its hits and the worst case pays only for
the pricing.
"""
from __future__ import annotations

import json
import threading
from functools import lru_cache

from services.contributions.adapters.bill_store import WorkerLines, line_copy_text
from services.chassis.errors import InvalidArgument
from services.chassis.money import apply_rate_unsigned
from services.contributions.domain.calculation import (
    MaritalStatus, Payer, Program, WorkerWageFacts, contribution_base, line_plan,
)
from services.contributions.domain.rule_tables import ContributionRules

ALL_PROGRAMS = frozenset(p.value for p in Program)
# Entries a memo takes before it stops taking more: a branch's regular run has some
# thousands of combinations (wages in round steps x marital status x risk group). Kept
# small on purpose: what a memo holds, the garbage collector's full passes walk (wages to
# the rupiah: 1.5 s of a 300,000-worker run's client CPU in them at 50,000, 0.8 s at this).
_CACHE_LIMIT = 8_192
_cache: dict[tuple, WorkerLines] = {}
_cache_lock = threading.Lock()
_WORKER = Payer.WORKER.value
# A plan's lines: (program, payer, rate, cap, COPY head, COPY middle, the worker's share?)
_Plan = tuple[tuple[str, str, int, int | None, str, str, bool], ...]


def forget_priced_lines() -> None:
    """Empties the shared memo: a benchmark's rounds each start as a fresh process does."""
    with _cache_lock:
        _cache.clear()


@lru_cache(maxsize=64)
def enrolled_programs(programs: str | None) -> frozenset[str]:
    """The stored program list ("JHT,JKK,JK,JPK"); empty means all four (M-4 default)."""
    chosen = frozenset(p for p in (programs or "").split(",") if p)
    return chosen or ALL_PROGRAMS


def shares(amounts: list[tuple[str, int]]) -> tuple[int, int]:
    """(employer, worker) totals of (payer, amount) pairs (C-1: the worker's JHT share)."""
    employer = worker = 0
    for payer, amount in amounts:
        if payer == _WORKER:
            worker += amount
        else:
            employer += amount
    return employer, worker


class LinePricer:
    """C-1..C-4 lines of workers under `rules` with the area's UMK floor (C-6a).

    The memo key is the contribution base (the wage raised to the UMK), not the wage: the
    lines depend on the wage only through it, so workers of every area share entries."""

    def __init__(self, rules: ContributionRules, umk_rupiah: int | None):
        self.rules = rules
        self.umk_rupiah = umk_rupiah
        # The whole version is the key (not its date): two databases may differ.
        self._rules_key = json.dumps(rules.to_dict(), sort_keys=True)
        # (marital, risk group, programs) -> (married, enrolled programs), each validated once
        self._plans: dict[tuple, _Plan] = {}
        # The facts as read -> their lines, in front of the shared memo: the rules and UMK are
        # this pricer's own, so the wage alone decides the base, and a hit skips the base, the
        # key and the lock (0.45 -> 0.26 us a worker over 200,000 workers of 24 combinations).
        self._by_facts: dict[tuple, WorkerLines] = {}

    def lines(self, kpj: str, wage: int, marital: str | None, risk_group: int, programs: str | None) -> WorkerLines:
        """The worker's lines, totals and COPY text (validated by the domain on first use)."""
        facts = (wage, marital, risk_group, programs)
        known = self._by_facts.get(facts)
        if known is not None:
            return known
        found = self._lines(kpj, wage, marital, risk_group, programs)
        if len(self._by_facts) < _CACHE_LIMIT:
            self._by_facts[facts] = found
        return found

    def _lines(self, kpj: str, wage: int, marital: str | None, risk_group: int, programs: str | None) -> WorkerLines:
        if wage < 0:
            raise InvalidArgument.field("wage_rupiah", f"negative wage of {kpj}")
        base = contribution_base(wage, self.umk_rupiah)
        key = (self._rules_key, base, marital, risk_group, programs)
        found = _cache.get(key)
        if found is None:
            found = self._price(kpj, wage, base, marital, risk_group, programs)
            if len(_cache) < _CACHE_LIMIT:
                with _cache_lock:
                    _cache[key] = found
        return found

    def _price(self, kpj: str, wage: int, base: int, marital: str | None, risk_group: int,
               programs: str | None) -> WorkerLines:
        """`compute_lines` of the worker from its plan: with wages that differ by the rupiah
        most workers miss the memo, and a facts object and five line objects each cost more
        than the arithmetic (bases and rates are non-negative integers: validated)."""
        rows = []
        tails = []
        employer = worker = 0
        for program, payer, rate, cap, head, middle, for_worker in self._plan(kpj, wage, marital, risk_group, programs):
            line_base = base if cap is None or base < cap else cap
            amount = apply_rate_unsigned(line_base, rate)
            rows.append((program, payer, line_base, rate, amount))
            tails.append(f"{head}{line_base}{middle}{amount}\n")
            if for_worker:  # C-1: the worker's JHT share
                worker += amount
            else:
                employer += amount
        return WorkerLines(tuple(rows), employer, worker, tuple(tails))

    def _plan(self, kpj: str, wage: int, marital: str | None, risk_group: int, programs: str | None) -> _Plan:
        """The first worker of each (marital status, risk group, programs) is validated as
        the domain validates any worker's facts (M-4, C-3, C-6a); the others share its plan:
        the domain's lines of the programs enrolled in, with their COPY text."""
        key = (marital, risk_group, programs)
        plan = self._plans.get(key)
        if plan is None:
            facts = WorkerWageFacts(kpj, wage, marital or MaritalStatus.SINGLE.value, risk_group, self.umk_rupiah)
            enrolled = enrolled_programs(programs)
            plan = tuple(
                (program.value, payer.value, rate, cap, *line_copy_text(program.value, payer.value, rate),
                 payer is Payer.WORKER)
                for program, payer, rate, cap in line_plan(facts.marital_status is MaritalStatus.MARRIED,
                                                           risk_group, self.rules)
                if program.value in enrolled)
            self._plans[key] = plan
        return plan
