"""B-JHT-1 over the real broker, with contributions down between the steps: benefits approves
a JHT claim while contributions is stopped; the JhtPayoutApproved waits on the broker; when
contributions comes back it settles the whole balance once and its JhtSettled reaches
benefits, which opens the payment order for exactly that amount. Both services run with
their relays and consumers on the harness's tansu broker."""
from __future__ import annotations

import sys
import threading
import time
import traceback
from datetime import date
from pathlib import Path

import grpc
import pytest
from sqlalchemy import select

from jamsos.benefits.v1 import payouts_pb2 as ppb
from jamsos.contributions.v1 import events_pb2 as contributions_events
from services.benefits.bootstrap import definition as benefits_definition
from services.contributions.adapters import ledger_store
from services.contributions.bootstrap import definition as contributions_definition
from services.contributions.domain.jht_ledger import post_contribution
from services.contributions.domain.periods import Period
from tests.benefits.service.support import FINANCE, Callers, approved_jht, member, prepare
from tests.contributions.service.money_fixtures import events
from tests.service_harness import start_service

BALANCE = 570_000  # the member's January 2024 JHT: 370,000 employer + 200,000 worker share


def orders_for(callers: Callers, claim_id: str) -> list[ppb.PaymentOrder]:
    orders = callers.payouts(FINANCE).ListPaymentOrders(ppb.ListPaymentOrdersRequest(branch_code="KC-BINJAI")).orders
    return [o for o in orders if o.claim_id == claim_id]


def settled_events(contributions) -> list:
    return events(contributions, contributions_events.JhtSettled)


def saga_state(*runtimes) -> str:
    """Where the saga stands, for a failure's message: each service's outbox (published or
    not) and inbox, its consumers' assignments, and the stacks of its threads still alive."""
    lines = []
    for rt in runtimes:
        tables = rt.definition.tables
        with rt.app.ctx.base.read_session() as session:
            outbox = session.execute(select(tables["outbox"].c.event_type, tables["outbox"].c.published_at)).all()
            inbox = session.execute(select(tables["inbox"].c.consumer, tables["inbox"].c.event_type)).all()
        lines.append(f"{rt.definition.name}: outbox {[(t.rsplit('.', 1)[-1], p is not None) for t, p in outbox]}; "
                     f"inbox {[tuple(r) for r in inbox]}; consumers ready "
                     f"{[(r.applier.name, r.ready.is_set()) for r in rt.consumer_runners]}")
    frames = sys._current_frames()
    for thread in threading.enumerate():
        if thread.name.startswith(("benefits", "contributions", "kafka")) and thread.ident in frames:
            stack = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in traceback.extract_stack(frames[thread.ident])
                     if Path(f.filename).name != "threading.py"]
            lines.append(f"{thread.name}: {' < '.join(reversed(stack[-4:]))}")
    return "\n".join(lines)


@pytest.mark.rule("B-JHT-1", "C-9")
def test_b_jht_1_a_payout_approved_while_contributions_is_down_is_settled_once_when_it_is_back(restartable_broker, tmp_path):
    bootstrap = restartable_broker.bootstrap_servers  # a broker of its own: the services' topics hold only this test's events
    contributions_url = f"sqlite:///{tmp_path}/contributions.db"
    benefits = start_service(benefits_definition(), f"sqlite:///{tmp_path}/benefits.db", bootstrap)
    contributions = start_service(contributions_definition(), contributions_url, bootstrap)
    try:
        kpj, _ = member(prepare(benefits), born=date(1969, 1, 10))  # 55 before benefits' today (2024-06-03)
        with contributions.app.ctx.base.unit_of_work() as uow:
            ledger_store.insert_posting(uow.session, post_contribution(kpj, BALANCE, Period(2024, 1), date(2024, 2, 20),
                                                                       "JHT-CONTRIBUTION/TEST/1"), kpj, "KC-BINJAI")
            uow.commit()
        contributions.stop(grace=0)  # down before the claim is approved

        with grpc.insecure_channel(f"127.0.0.1:{benefits.grpc_port}") as channel:
            callers = Callers(channel)
            claim = approved_jht(callers, kpj)
            time.sleep(2)
            assert orders_for(callers, claim.claim_id) == []  # nobody settled it: no order, no guess

            contributions = start_service(contributions_definition(), contributions_url, bootstrap)
            deadline, orders = time.monotonic() + 90, []
            while time.monotonic() < deadline and not orders:
                orders = orders_for(callers, claim.claim_id)
                time.sleep(0.5)
            assert [(o.kind, o.amount.rupiah, o.kpj) for o in orders] == [(ppb.PAYMENT_ORDER_KIND_JHT_BALANCE, BALANCE, kpj)], \
                saga_state(benefits, contributions)
            assert [(e.claim_id, e.amount.rupiah) for e in settled_events(contributions)] == [(claim.claim_id, BALANCE)]
    finally:
        benefits.stop(grace=0)
        contributions.stop(grace=0)
