"""The JHT payout saga, benefits' side (B-JHT-1): an approved JHT claim asked contributions
for the member's whole balance (JhtPayoutApproved); contributions answers JhtSettled with the
amount it paid out of the ledger. Benefits records that amount on the claim and opens the
payment order for exactly it; a balance of Rp0 closes the claim at once (nothing to pay).

Safe against duplicates and crashes: everything happens in the inbox transaction, and a
claim already settled ignores a JhtSettled redelivered under a new event id. A JhtSettled
for a claim this service does not hold (or for another member) is kept in
jht_unmatched_settlements and counted, never dropped, never retried forever.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from jamsos.common.v1 import envelope_pb2
from jamsos.contributions.v1 import events_pb2
from services.benefits.adapters.claim_repository import ClaimRepository
from services.benefits.adapters.metrics import UNMATCHED_SETTLEMENTS
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.application.claim_events import claim_paid, emit_claim
from services.benefits.application.payouts_opening import order_for
from services.benefits.domain.claims import Actor, ClaimState
from services.benefits.domain.payouts import OrderKind
from services.benefits.domain.programs import Program
from services.chassis.consumer import HandlerRegistry
from services.chassis.context import HEAD_OFFICE
from services.chassis.convert import event_day
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork

log = logging.getLogger("jamsos.benefits.settlement")
SETTLEMENT_CONSUMER = "benefits-jht-settlements"
CONTRIBUTIONS = Actor("service:contributions", HEAD_OFFICE)


class JhtSettlement:
    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None]):
        self.ctx = ctx
        self.on_change = on_change
        self.registry = HandlerRegistry()
        self.registry.on(events_pb2.JhtSettled, self.on_jht_settled)

    def on_jht_settled(self, uow: UnitOfWork, envelope: envelope_pb2.EventEnvelope,
                       payload: events_pb2.JhtSettled) -> None:
        amount, settled_on = int(payload.amount.rupiah), event_day(payload, "settled_on", envelope.occurred_at)
        claims = ClaimRepository.for_system(uow.session)
        claim = claims.system_claim(payload.claim_id)
        why = None
        if claim is None:
            why = "no such claim"
        elif claim.program is not Program.JHT or claim.kpj != payload.kpj:
            why = f"claim {claim.claim_id} is a {claim.program.value} claim of KPJ {claim.kpj}"
        elif amount < 0:
            why = f"a negative amount (Rp{amount:,})"
        elif claim.settled_amount is not None:
            return  # settled before: a redelivery, under whatever event id
        elif claim.state is not ClaimState.APPROVED:
            why = f"claim {claim.claim_id} is {claim.state.value}, not APPROVED"
        if why is not None:
            self._unmatched(uow, payload, amount, settled_on, why)
            return
        assert claim is not None
        at = datetime.now(UTC)
        settled = claim.settle(amount, settled_on, CONTRIBUTIONS, at)
        detail: dict = {"kpj": claim.kpj, "amount": amount, "settled_on": settled_on}
        if amount == 0:
            settled = settled.mark_paid(settled_on, CONTRIBUTIONS, at, "the JHT balance was empty: nothing to pay")
            emit_claim(uow, settled, claim_paid(settled, 0, settled_on))
        else:
            payouts = PayoutRepository.for_system(uow.session)
            if payouts.order_of_claim(claim.claim_id, OrderKind.JHT_BALANCE) is None:
                order = order_for(settled, OrderKind.JHT_BALANCE, amount, self.ctx.today())
                payouts.add_order(order)
                detail["order_id"] = order.order_id
        claims.save(claim, settled)
        uow.audit("claim.settle", claim.claim_id, detail)
        uow.count("jht_settled")
        uow.after_commit(self.on_change)

    def _unmatched(self, uow: UnitOfWork, payload: events_pb2.JhtSettled, amount: int, settled_on, why: str) -> None:
        if PayoutRepository.for_system(uow.session).record_unmatched(payload.claim_id, payload.kpj, amount,
                                                                      settled_on, why):
            uow.audit("claim.settle.unmatched", payload.claim_id[:200], {"kpj": payload.kpj, "amount": amount,
                                                                         "why": why})
            uow.after_commit(lambda: UNMATCHED_SETTLEMENTS.labels(self.ctx.base.service).inc())
            log.warning("JhtSettled for no claim of this service", extra={"claim_id": payload.claim_id, "why": why})
