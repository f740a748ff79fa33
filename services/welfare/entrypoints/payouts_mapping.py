"""WelfarePayoutService protobuf <-> commands and results (welfare's payouts.proto)."""
from __future__ import annotations

from jamsos.welfare.v1 import payouts_pb2 as pb
from services.chassis.convert import encode_page_token, from_date, from_rupiah
from services.chassis.errors import InvalidArgument
from services.chassis.payment_orders import BankAccount, OrderState, bank_account
from services.chassis.payout_answers import PayoutAnswers
from services.chassis.payout_rules import Outcome
from services.welfare.application.payouts import (
    ListOrders, OrderDisbursement, OrderedDisbursement, OrderScholarshipPayment, OrderStep, ReissueOrder,
)
from services.welfare.application.events import PROGRAM_TO_PROTO
from services.welfare.domain.payment_orders import WelfarePaymentOrder
from services.welfare.entrypoints.convert import enum_of, identifier, optional_day, page_after, positive_int

STATE_TO_PROTO = {v: getattr(pb, f"PAYMENT_ORDER_STATE_{v.value}") for v in OrderState}
STATE = {v: k for k, v in STATE_TO_PROTO.items()}
OUTCOME_TO_PROTO = {v: getattr(pb, f"PAYOUT_STATUS_OUTCOME_{v.value}") for v in Outcome}


def payee(request, *, required: bool = True) -> BankAccount | None:
    """The account, cleaned (InvalidArgument naming `beneficiary.*`); None when not required and unset."""
    if not request.HasField("beneficiary"):
        if required:
            raise InvalidArgument.field("beneficiary", "required")
        return None
    b = request.beneficiary
    return bank_account(b.holder_name, b.bank_name, b.account_number)


def order_scholarship(request: pb.OrderScholarshipPaymentRequest) -> OrderScholarshipPayment:
    account = payee(request)
    assert account is not None  # required
    return OrderScholarshipPayment(identifier(request.application_id, "application_id"),
                                   positive_int(request.number, "number"), account)


def order_loan(request: pb.OrderLoanDisbursementRequest) -> OrderDisbursement:
    account = payee(request)
    assert account is not None  # required
    return OrderDisbursement(identifier(request.application_id, "application_id"), account,
                             optional_day(request, "disbursed_on"))


def order_pump(request: pb.OrderPumpTransferRequest) -> OrderDisbursement:
    account = payee(request)
    assert account is not None  # required
    return OrderDisbursement(identifier(request.application_id, "application_id"), account,
                             optional_day(request, "transferred_on"))


def step(request: pb.GetPaymentOrderRequest | pb.ApprovePaymentOrderRequest) -> OrderStep:
    return OrderStep(identifier(request.order_id, "order_id"))


def reissue(request: pb.ReissuePaymentOrderRequest) -> ReissueOrder:
    return ReissueOrder(identifier(request.order_id, "order_id"), payee(request, required=False))


def list_orders(request: pb.ListPaymentOrdersRequest) -> ListOrders:
    size, before = page_after(request.page, "before")
    return ListOrders(request.branch_code.strip() or None, enum_of(STATE, request.state, "state", required=False),
                      before if isinstance(before, str) else None, size)


def export_ids(request: pb.ExportPayoutFileRequest) -> tuple[str, ...]:
    ids = []
    for index, order_id in enumerate(request.order_ids):
        if not order_id.strip():
            raise InvalidArgument.field(f"order_ids[{index}]", "is empty")
        ids.append(order_id.strip())
    return tuple(ids)


# ---- encoding --------------------------------------------------------------------------------
def order_to_proto(order: WelfarePaymentOrder) -> pb.PaymentOrder:
    b = order.beneficiary
    message = pb.PaymentOrder(
        order_id=order.order_id, program=PROGRAM_TO_PROTO[order.program], application_id=order.application_id,
        payment_number=order.number, branch_code=order.branch_code,
        beneficiary=pb.PayeeAccount(holder_name=b.holder_name, bank_name=b.bank_name, account_number=b.account_number),
        amount=from_rupiah(order.amount), state=STATE_TO_PROTO[order.state], created_on=from_date(order.created_on),
        created_by=order.created_by, approved_by=order.approved_by or "", bank_reference=order.bank_reference or "",
        attempt=order.attempt, reissue_of=order.reissue_of or "", reissued_by=order.reissued_by or "",
        reissued_as=order.reissued_as or "", exported_in=order.exported_in or "",
        failure_code=order.failure_code or "", failure_reason=order.failure_reason or "", rule_id=order.rule_id)
    for name in ("approved_on", "paid_on", "exported_on", "failed_on"):
        if day := getattr(order, name):
            getattr(message, name).CopyFrom(from_date(day))
    return message


def order_response(cls):
    return lambda order: cls(order=order_to_proto(order))


def loan_response(ordered: OrderedDisbursement) -> pb.OrderLoanDisbursementResponse:
    return pb.OrderLoanDisbursementResponse(order=order_to_proto(ordered.order), loan_id=ordered.loan_ids[0])


def pump_response(ordered: OrderedDisbursement) -> pb.OrderPumpTransferResponse:
    return pb.OrderPumpTransferResponse(order=order_to_proto(ordered.order), loan_ids=list(ordered.loan_ids))


def list_response(result: tuple[list[WelfarePaymentOrder], str | None]) -> pb.ListPaymentOrdersResponse:
    orders, last = result
    response = pb.ListPaymentOrdersResponse(orders=[order_to_proto(o) for o in orders])
    if last:
        response.page.next_page_token = encode_page_token({"before": last})
    return response


ANSWERS = PayoutAnswers(pb, OUTCOME_TO_PROTO, STATE_TO_PROTO, owner_field="application_id")
file_to_proto = ANSWERS.file  # the PayoutFile header (an export's with its orders)
imported_to_proto = ANSWERS.status  # ImportPayoutStatus's answer
statement_to_proto = ANSWERS.statement  # ImportPayoutStatement's answer
