"""Payments, allocations and bill balances as API messages."""
from __future__ import annotations

from typing import Any, Mapping, Sequence, TypeVar

from jamsos.contributions.v1 import payments_pb2
from services.chassis.convert import from_date, from_rupiah
from services.contributions.adapters import money_bills, payment_store
from services.contributions.application.payment_matching import MatchResult
from services.contributions.application.penalties import penalties_to_proto

STATUS_TO_PROTO = {payment_store.MATCHED: payments_pb2.PAYMENT_STATUS_MATCHED,
                   payment_store.SUSPENSE: payments_pb2.PAYMENT_STATUS_SUSPENSE}
R = TypeVar("R")


def allocation_to_proto(a: Mapping[str, Any]) -> payments_pb2.PaymentAllocation:
    return payments_pb2.PaymentAllocation(
        payment_id=a["payment_id"], bill_number=a["bill_number"], amount=from_rupiah(int(a["amount_rupiah"])),
        allocated_on=from_date(a["allocated_on"]), from_credit=bool(a["from_credit"]))


def payment_to_proto(p, allocations: Sequence) -> payments_pb2.Payment:
    return payments_pb2.Payment(
        payment_id=p.payment_id, bank_reference=p.bank_reference, npp=p.npp or "", branch_code=p.branch_code,
        amount=from_rupiah(int(p.amount_rupiah)), paid_on=from_date(p.paid_on), status=STATUS_TO_PROTO[p.status],
        bill_number=p.bill_number or "", allocations=[allocation_to_proto(a._mapping) for a in allocations],
        credit=from_rupiah(int(p.credit_rupiah)), suspense_reason=p.suspense_reason or "")


def payments_to_proto(session, rows: Sequence) -> list[payments_pb2.Payment]:
    allocations = payment_store.allocations_of(session, [r.payment_id for r in rows])
    return [payment_to_proto(r, allocations[r.payment_id]) for r in rows]


def bill_balance(bill: money_bills.BillRow) -> payments_pb2.BillBalance:
    return payments_pb2.BillBalance(
        bill_number=bill.bill_number, total=from_rupiah(bill.total_rupiah), paid=from_rupiah(bill.paid_rupiah),
        outstanding=from_rupiah(bill.outstanding_rupiah), status=bill.status, settled_on=from_date(bill.settled_on))


def match_response(session, response_cls: type[R], payment_id: str, match: MatchResult | None) -> R:
    """RecordPayment / AssignSuspensePayment response: the payment, credit applied before
    it, the bills touched, penalties assessed and the employer's credit after it."""
    row = payment_store.get_payment(session, payment_id)
    response = response_cls(payment=payments_to_proto(session, [row])[0])
    if match is not None:
        response.credit_applied.extend(allocation_to_proto(a) for a in match.credit_applied)
        response.bills.extend(bill_balance(money_bills.get_bill(session, n)) for n in match.bill_numbers)
        response.penalties.extend(penalties_to_proto(session, match.penalty_ids))
    if row.npp:
        response.employer_credit.CopyFrom(from_rupiah(payment_store.employer_credit(session, row.npp)))
    return response
