"""Protobuf <-> domain for the payouts component (payouts.proto)."""
from __future__ import annotations

from datetime import date

from jamsos.benefits.v1 import claims_pb2, payouts_pb2 as pb
from services.benefits.application.payouts_orders import ScheduleView
from services.benefits.domain.payouts import BankAccount, OrderKind, OrderState, PaymentOrder
from services.chassis.convert import from_date, from_rupiah, to_date
from services.chassis.errors import InvalidArgument

STATE = {pb.PAYMENT_ORDER_STATE_PENDING_APPROVAL: OrderState.PENDING_APPROVAL,
         pb.PAYMENT_ORDER_STATE_APPROVED: OrderState.APPROVED, pb.PAYMENT_ORDER_STATE_PAID: OrderState.PAID}
STATE_TO_PROTO = {v: k for k, v in STATE.items()}
KIND_TO_PROTO = {OrderKind.LUMP_SUM: pb.PAYMENT_ORDER_KIND_LUMP_SUM,
                 OrderKind.JHT_BALANCE: pb.PAYMENT_ORDER_KIND_JHT_BALANCE}


def require_id(request, name: str) -> str:
    value = getattr(request, name).strip()
    if not value:
        raise InvalidArgument.field(name, "is required")
    return value


def state_filter(request) -> OrderState | None:
    if request.state == 0:
        return None
    if request.state not in STATE:
        raise InvalidArgument.field("state", f"{request.state} is not a known value")
    return STATE[request.state]


def optional_day(request, name: str) -> date | None:
    return to_date(request, name, required=False)


def account_to_proto(b: BankAccount) -> claims_pb2.BankAccount:
    return claims_pb2.BankAccount(holder_name=b.holder_name, bank_name=b.bank_name, account_number=b.account_number)


def order_to_proto(order: PaymentOrder) -> pb.PaymentOrder:
    message = pb.PaymentOrder(
        order_id=order.order_id, claim_id=order.claim_id, kpj=order.kpj, branch_code=order.branch_code,
        kind=KIND_TO_PROTO[order.kind], beneficiary=account_to_proto(order.beneficiary),
        amount=from_rupiah(order.amount), state=STATE_TO_PROTO[order.state], created_on=from_date(order.created_on),
        approved_by=order.approved_by or "", paid_by=order.paid_by or "", bank_reference=order.bank_reference or "")
    if order.approved_on:
        message.approved_on.CopyFrom(from_date(order.approved_on))
    if order.paid_on:
        message.paid_on.CopyFrom(from_date(order.paid_on))
    return message


def schedule_to_proto(view: ScheduleView) -> pb.PaymentSchedule:
    s = view.schedule
    return pb.PaymentSchedule(
        schedule_id=s.schedule_id, claim_id=s.claim_id, kpj=s.kpj, branch_code=s.branch_code, code=s.code,
        rule_id=s.rule_id, monthly=from_rupiah(s.monthly), months=s.months, starts_on=from_date(s.starts_on),
        beneficiary=account_to_proto(s.beneficiary),
        paid=[pb.Instalment(number=n, due_on=from_date(due), paid_on=from_date(paid), amount=from_rupiah(amount))
              for n, due, paid, amount in view.paid],
        paid_total=from_rupiah(sum(amount for *_, amount in view.paid)))
