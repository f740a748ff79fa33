"""Protobuf <-> domain for the payouts component (payouts.proto)."""
from __future__ import annotations

from datetime import date

from jamsos.benefits.v1 import claims_pb2, payouts_pb2 as pb
from services.benefits.application.payouts_files import ExportPayoutFile
from services.benefits.application.payouts_orders import ScheduleView
from services.benefits.domain.payout_files import Outcome
from services.benefits.domain.payouts import BankAccount, OrderKind, OrderState, PaymentOrder, bank_account
from services.chassis.convert import from_date, from_rupiah, to_date
from services.chassis.errors import InvalidArgument
from services.chassis.payout_answers import PayoutAnswers
from services.chassis.scope import BranchScope

STATE = {pb.PAYMENT_ORDER_STATE_PENDING_APPROVAL: OrderState.PENDING_APPROVAL,
         pb.PAYMENT_ORDER_STATE_APPROVED: OrderState.APPROVED, pb.PAYMENT_ORDER_STATE_PAID: OrderState.PAID,
         pb.PAYMENT_ORDER_STATE_EXPORTED: OrderState.EXPORTED, pb.PAYMENT_ORDER_STATE_FAILED: OrderState.FAILED}
STATE_TO_PROTO = {v: k for k, v in STATE.items()}
KIND_TO_PROTO = {OrderKind.LUMP_SUM: pb.PAYMENT_ORDER_KIND_LUMP_SUM,
                 OrderKind.JHT_BALANCE: pb.PAYMENT_ORDER_KIND_JHT_BALANCE,
                 OrderKind.INSTALMENT: pb.PAYMENT_ORDER_KIND_INSTALMENT}


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
        approved_by=order.approved_by or "", paid_by=order.paid_by or "", bank_reference=order.bank_reference or "",
        attempt=order.attempt, reissue_of=order.reissue_of or "", reissued_by=order.reissued_by or "",
        reissued_as=order.reissued_as or "", exported_in=order.exported_in or "", failure_code=order.failure_code or "",
        failure_reason=order.failure_reason or "", schedule_id=order.schedule_id or "",
        instalment=order.instalment)
    for name in ("approved_on", "paid_on", "exported_on", "failed_on"):
        if day := getattr(order, name):
            getattr(message, name).CopyFrom(from_date(day))
    return message


def schedule_to_proto(view: ScheduleView) -> pb.PaymentSchedule:
    s = view.schedule
    return pb.PaymentSchedule(
        schedule_id=s.schedule_id, claim_id=s.claim_id, kpj=s.kpj, branch_code=s.branch_code, code=s.code,
        rule_id=s.rule_id, monthly=from_rupiah(s.monthly), months=s.months, starts_on=from_date(s.starts_on),
        beneficiary=account_to_proto(s.beneficiary),
        paid=[pb.Instalment(number=n, due_on=from_date(due), paid_on=from_date(paid), amount=from_rupiah(amount),
                            order_id=order_id) for n, due, paid, amount, order_id in view.paid],
        paid_total=from_rupiah(sum(amount for _, _, _, amount, _ in view.paid)),
        ordered=[pb.Instalment(number=n, due_on=from_date(due), amount=from_rupiah(amount), order_id=order_id)
                 for n, due, amount, order_id in view.ordered])


# ---- re-issue and bank files ---------------------------------------------------------------
OUTCOME_TO_PROTO = {Outcome.PAID: pb.PAYOUT_STATUS_OUTCOME_PAID, Outcome.FAILED: pb.PAYOUT_STATUS_OUTCOME_FAILED,
                    Outcome.PENDING: pb.PAYOUT_STATUS_OUTCOME_PENDING, Outcome.UNCHANGED: pb.PAYOUT_STATUS_OUTCOME_UNCHANGED,
                    Outcome.CONFLICT: pb.PAYOUT_STATUS_OUTCOME_CONFLICT, Outcome.UNKNOWN: pb.PAYOUT_STATUS_OUTCOME_UNKNOWN}


def reissue_account(request: pb.ReissuePaymentOrderRequest) -> BankAccount | None:
    """The corrected account, cleaned (InvalidArgument naming `beneficiary.*`), or None: the failed order's."""
    if not request.HasField("beneficiary"):
        return None
    b = request.beneficiary
    return bank_account(b.holder_name, b.bank_name, b.account_number)


def export_command(request: pb.ExportPayoutFileRequest, scope: BranchScope) -> ExportPayoutFile:
    ids = []
    for index, order_id in enumerate(request.order_ids):
        if not order_id.strip():
            raise InvalidArgument.field(f"order_ids[{index}]", "is empty")
        ids.append(order_id.strip())
    return ExportPayoutFile(request.branch_code.strip() or scope.principal.office_code, tuple(ids))


ANSWERS = PayoutAnswers(pb, OUTCOME_TO_PROTO, STATE_TO_PROTO, owner_field="claim_id")
file_to_proto = ANSWERS.file  # the PayoutFile header (an export's with its orders)
imported_to_proto = ANSWERS.status  # ImportPayoutStatus's answer
statement_to_proto = ANSWERS.statement  # ImportPayoutStatement's answer
