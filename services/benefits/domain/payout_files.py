"""Benefits' payment orders through the bank's files: the shared rules of
`services.chassis.payout_rules` (the pain.001 file, the pain.002 answer, what each bank
status does to an order), seen through benefits' `PaymentOrder`."""
from __future__ import annotations

from services.chassis.payout_rules import (
    CURRENCY, FAILED_CODES, ID_MAX, MAX_ORDERS_PER_FILE, PAID_CODES, SCHEME, BankStatus, CreditTransfer, DebtorAccount,
    Outcome, PayoutFile, StatusReason, StatusReport, TransactionStatus, bank_status, check_report_day, end_to_end_id,
    order_id_of,
)
from services.chassis.payout_rules import outcome_for as _outcome_for
from services.chassis.payout_rules import resolved_statuses as _resolved_statuses

from .payouts import PaymentOrder

__all__ = ["CURRENCY", "FAILED_CODES", "ID_MAX", "MAX_ORDERS_PER_FILE", "PAID_CODES", "SCHEME", "BankStatus",
           "CreditTransfer", "DebtorAccount", "Outcome", "PayoutFile", "StatusReason", "StatusReport",
           "TransactionStatus", "bank_status", "check_report_day", "credit_transfer", "end_to_end_id", "order_id_of",
           "outcome_for", "resolved_statuses"]


def credit_transfer(order: PaymentOrder) -> CreditTransfer:
    """The order as the file carries it: the claim in the remittance information."""
    b = order.beneficiary
    what = f"{order.kind.value} {order.instalment}" if order.instalment else order.kind.value
    return CreditTransfer(order.order_id, order.amount, b.holder_name, b.bank_name, b.account_number,
                          f"Claim {order.claim_id} KPJ {order.kpj} {what}")


def resolved_statuses(report: StatusReport, exported: list[PaymentOrder]) -> list[TransactionStatus]:
    return _resolved_statuses(report, [o.order_id for o in exported])


def outcome_for(order: PaymentOrder | None, status: BankStatus) -> Outcome:
    return _outcome_for(order.state.value if order else None, status)
