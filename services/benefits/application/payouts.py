"""Component `payouts`: paying approved claims.

- `payouts_opening`    the payment order and schedules an approval opens (used by claims_approval)
- `payouts_settlement` JhtSettled from contributions: the JHT balance's payment order (B-JHT-1)
- `payouts_orders`     finance approves and pays orders (O-3); ClaimPaid; re-issue of a failed one (O-4)
- `payouts_files`      payout files for the bank (pain.001) of approved orders
- `payouts_status`     the bank's status reports (pain.002) and the payout account's statements
                       (camt.053): orders PAID or FAILED
- `payouts_daily`      the daily payout of periodic benefits, idempotent per day
"""
from __future__ import annotations

from dataclasses import dataclass

from services.benefits.adapters.payout_debtor import debtor_from_env
from services.benefits.application.deadlines import DeadlineGauge
from services.benefits.application.payouts_daily import DailyPayout
from services.benefits.application.payouts_files import PayoutFiles
from services.benefits.application.payouts_orders import PaymentOrders
from services.benefits.application.payouts_settlement import SETTLEMENT_CONSUMER, JhtSettlement
from services.benefits.application.payouts_status import PayoutStatusImport
from services.chassis.runtime import ConsumerSpec
from services.chassis.service_context import ServiceContext


@dataclass
class PayoutUseCases:
    ctx: ServiceContext
    orders: PaymentOrders
    daily: DailyPayout
    settlement: JhtSettlement
    files: PayoutFiles
    status: PayoutStatusImport


def build(ctx: ServiceContext) -> PayoutUseCases:
    gauge = DeadlineGauge(ctx.base, lambda: ctx.today())
    debtor = debtor_from_env()
    return PayoutUseCases(ctx=ctx, orders=PaymentOrders(ctx, gauge.refresh_quietly),
                          daily=DailyPayout(ctx, gauge.refresh_quietly),
                          settlement=JhtSettlement(ctx, gauge.refresh_quietly),
                          files=PayoutFiles(ctx, debtor),
                          status=PayoutStatusImport(ctx, gauge.refresh_quietly, debtor))


def consumers(use_cases: PayoutUseCases) -> list[ConsumerSpec]:
    return [ConsumerSpec(SETTLEMENT_CONSUMER, ("contributions",), use_cases.settlement.registry)]
