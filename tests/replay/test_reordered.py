"""Reordered deliveries converge: two events whose order can differ on the wire (other
partition keys, or a back-dated change entered after a later-dated one) are applied in
both orders on two fresh databases, and the resulting domain state is compared.

Compared: every table but the inbox, the outbox, the audit log and the RPC idempotency
keys (which record the deliveries and requests themselves), without timestamps,
surrogate ids and billing run ids (new per database). Bills are compared by what they
bill net (`net_billing`) when a billed period is corrected: the order decides which
correction bill (K1, K2) carries which part of the difference and at which base and
rate, never the amount owed per period, worker, programme and payer (C-5).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from google.protobuf.message import Message
from sqlalchemy import DateTime, select

from services.contributions.adapters.tables import bill_lines, bills
from tests.contributions.service.read_model_support import (
    employer_registered, family_changed, risk_group_changed, wage_changed, worker_enrolled,
)
from tests.replay.samples import START, WAGE, umk_version
from tests.replay.scenarios import Stage, enrolled
from tests.replay.support import (
    Ids, aggregate_id_of, differences, envelope_of, redelivered, snapshot, without_inbox_of,
)
from tests.replay.test_duplicates import VOLATILE

DELIVERY_TABLES = frozenset({"inbox", "outbox", "audit_log", "idempotency_keys"})


@dataclass(frozen=True)
class Pair:
    service: str
    setup: Callable[[Stage, Ids], None]
    events: Callable[[Ids], tuple[Message, Message]]
    # Billed periods are corrected: bills compare by what they bill net (see net_billing).
    corrects: bool = False


def billed(*months: int) -> Callable[[Stage, Ids], None]:
    def setup(stage: Stage, ids: Ids) -> None:
        enrolled(stage, ids)
        for month in months:
            stage.bill(month)
    return setup


def nothing(stage: Stage, ids: Ids) -> None:
    pass


PAIRS = {
    # C-1..C-4: the same day's wage raise and marriage, billed March corrected by both.
    "wage-and-family-change": Pair("contributions", billed(3), lambda ids: (
        wage_changed(ids.kpj(), ids.npp(), 5_000_000, date(2024, 3, 1), previous=WAGE),
        family_changed(ids.kpj(), ids.npp(), "MARRIED", date(2024, 3, 1))), corrects=True),
    # A back-dated raise entered after a later one: two effective dates, reverse order.
    "two-wage-changes": Pair("contributions", billed(2, 3, 4), lambda ids: (
        wage_changed(ids.kpj(), ids.npp(), 5_000_000, date(2024, 2, 1), previous=WAGE),
        wage_changed(ids.kpj(), ids.npp(), 6_000_000, date(2024, 4, 1), previous=5_000_000)),
        corrects=True),
    # C-3 and C-1: employer events are keyed by NPP, worker events by KPJ (other partitions).
    "risk-group-and-wage-change": Pair("contributions", billed(3), lambda ids: (
        risk_group_changed(ids.npp(), 3, date(2024, 3, 1)),
        wage_changed(ids.kpj(), ids.npp(), 5_000_000, date(2024, 3, 1), previous=WAGE)), corrects=True),
    # M-1, M-3: the worker's enrolment may overtake its employer's registration.
    "employer-and-worker": Pair("contributions", nothing, lambda ids: (
        employer_registered(ids.npp(), registered=START),
        worker_enrolled(ids.kpj(), ids.npp(), WAGE, start=START, programs=("JHT", "JKK", "JK", "JPK")))),
    # C-6a: two UMK versions of a branch, the earlier one published late.
    "two-umk-versions": Pair("welfare", nothing, lambda ids: (
        umk_version(ids, date(2024, 1, 1), 2_900_000), umk_version(ids, date(2025, 1, 1), 3_100_000))),
}


def domain_state(stage: Stage) -> dict[str, list[tuple]]:
    """Every domain table's rows, sorted, without timestamps, surrogate ids and run ids."""
    found = {}
    with stage.runtime.app.ctx.base.read_session() as session:
        for table in stage.runtime.definition.metadata.sorted_tables:
            if table.name in DELIVERY_TABLES:
                continue
            columns = [c for c in table.columns if not isinstance(c.type, DateTime) and c.name not in ("id", "run_id")
                       and not (c.autoincrement is True and c.primary_key)]
            found[table.name] = sorted((tuple(r) for r in session.execute(select(*columns)).all()), key=repr)
    return found


def net_billing(stage: Stage) -> Counter:
    """What is billed per employer, period, worker, programme and payer, however it is split into bills."""
    with stage.runtime.app.ctx.base.read_session() as session:
        rows = session.execute(select(bills.c.npp, bills.c.period_year, bills.c.period_month, bill_lines.c.kpj,
                                      bill_lines.c.program, bill_lines.c.payer, bill_lines.c.amount_rupiah)
                               .join(bill_lines, bill_lines.c.bill_number == bills.c.bill_number)).all()
    net: Counter = Counter()
    for *key, amount in rows:
        net[tuple(key)] += int(amount)
    return net


@pytest.mark.parametrize("name", list(PAIRS))
def test_both_orders_give_the_same_state(fresh, name):
    pair, ids = PAIRS[name], Ids.fresh()
    first, second = pair.events(ids)
    states, billing = [], []
    for order in ((first, second), (second, first)):
        stage = fresh(pair.service)
        pair.setup(stage, ids)
        assert stage.replay.feed(*order) == ["applied", "applied"]
        states.append(domain_state(stage))
        billing.append(net_billing(stage) if pair.service == "contributions" else Counter())
    forward, reverse = states
    assert billing[0] == billing[1], f"{name}: the two orders bill different amounts"
    if pair.corrects:
        kind = [c.name for c in bills.columns if not isinstance(c.type, DateTime) and c.name != "run_id"].index("kind")
        assert any(row[kind] == "CORRECTION" for row in forward["bills"]), f"{name}: no billed period was corrected"
        for table in ("bills", "bill_lines"):
            forward.pop(table), reverse.pop(table)
    changed = {t: (forward[t], reverse[t]) for t in forward if forward[t] != reverse[t]}
    assert not changed, f"{name}: the two orders differ in {changed}"


@pytest.mark.parametrize("name", list(PAIRS))
def test_a_late_redelivery_of_the_earlier_event_changes_nothing(stages, name):
    """The first event re-sent (new event id) after the second was applied: nothing goes back,
    nothing is billed again; then the second re-sent as well."""
    pair, ids = PAIRS[name], Ids.fresh()
    stage = stages(pair.service)
    pair.setup(stage, ids)
    producer = "contributions" if pair.service == "welfare" else "membership"  # welfare replicates contributions'
    events = [(stage.replay.consumer_of(p), envelope_of(p, aggregate_id_of(p), producer)) for p in pair.events(ids)]
    assert [stage.replay.apply(consumer, event) for consumer, event in events] == ["applied", "applied"]
    before = snapshot(stage.runtime, volatile=VOLATILE)
    for consumer, event in events:
        again = redelivered(event)
        assert stage.replay.apply(consumer, again) == "applied"
        after = snapshot(stage.runtime, volatile=VOLATILE)
        changed = without_inbox_of(differences(before, after), again.event_id)
        assert not changed, f"{name}: a late redelivery of {event.event_type} changed {changed}"
        before = after
