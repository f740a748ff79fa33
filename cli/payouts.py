"""`jamsos payout`: payment orders of approved claims, approved and marked paid by finance."""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer

from jamsos.benefits.v1 import payouts_pb2 as pb
from jamsos.benefits.v1 import payouts_pb2_grpc
from jamsos.common.v1 import types_pb2

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, rupiah, show
from .values import enum_or_unset
from .values import parse_date, pb_date

app = typer.Typer(help="Payment orders of approved claims: list, show, approve, mark paid.", no_args_is_help=True)


class OrderState(str, Enum):
    PENDING_APPROVAL = "pending-approval"
    APPROVED = "approved"
    PAID = "paid"


def _stub(ctx: typer.Context) -> CallingStub:
    return session_of(ctx).stub("benefits", payouts_pb2_grpc.PayoutServiceStub)


def order_table(order: dict[str, Any]) -> Any:
    account = order["beneficiary"] or {}
    return record_table(f"Payment order {order['order_id']}", [
        ("claim", order["claim_id"]), ("kpj", order["kpj"]), ("branch", order["branch_code"]), ("kind", order["kind"]),
        ("amount", rupiah(order["amount"])), ("state", order["state"]),
        ("beneficiary", f"{account.get('holder_name', '')}, {account.get('bank_name', '')} {account.get('account_number', '')}"),
        ("created on", order["created_on"]), ("approved", f"{order['approved_by']} {order['approved_on'] or ''}".strip()),
        ("paid", f"{order['paid_by']} {order['paid_on'] or ''}".strip()), ("bank reference", order["bank_reference"])])


def schedule_table(schedules: list[dict[str, Any]]) -> Any:
    return rows_table("Periodic schedules", ["schedule", "benefit", "rule", "monthly", "months", "starts on", "paid"], [
        (s["schedule_id"], s["code"], s["rule_id"], rupiah(s["monthly"]), s["months"], s["starts_on"],
         f"{len(s['paid'])} instalments, {rupiah(s['paid_total'])}") for s in schedules])


def _answer(ctx: typer.Context, response: Any) -> None:
    order = plain(response.order)
    show(session_of(ctx).as_json, {"order": order}, order_table(order))


@app.command("list")
def list_orders(
    ctx: typer.Context,
    branch: Annotated[str, typer.Option("--branch", help="one branch; empty: every branch you read")] = "",
    state: Annotated[OrderState | None, typer.Option("--state", case_sensitive=False)] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    page_token: Annotated[str, typer.Option("--page-token")] = "",
) -> None:
    """Payment orders of a branch, by state."""
    response = _stub(ctx).ListPaymentOrders(pb.ListPaymentOrdersRequest(
        branch_code=branch, state=enum_or_unset("PAYMENT_ORDER_STATE", state, pb),
        page=types_pb2.PageRequest(page_size=limit, page_token=page_token)))
    orders = [plain(o) for o in response.orders]
    show(session_of(ctx).as_json, {"orders": orders, "next_page_token": response.page.next_page_token},
         rows_table(f"Payment orders of {branch or 'your branches'}",
                    ["order", "claim", "kpj", "kind", "amount", "state", "created on", "paid on"],
                    [(o["order_id"], o["claim_id"], o["kpj"], o["kind"], rupiah(o["amount"]), o["state"],
                      o["created_on"], o["paid_on"]) for o in orders]))


@app.command("show")
def show_order(ctx: typer.Context, order_id: Annotated[str, typer.Argument()]) -> None:
    """One payment order, and the periodic schedules of its claim."""
    stub = _stub(ctx)
    order = plain(stub.GetPaymentOrder(pb.GetPaymentOrderRequest(order_id=order_id)).order)
    schedules = [plain(s) for s in stub.ListPaymentSchedules(
        pb.ListPaymentSchedulesRequest(claim_id=order["claim_id"])).schedules]
    show(session_of(ctx).as_json, {"order": order, "schedules": schedules}, order_table(order), schedule_table(schedules))


@app.command("approve")
def approve(ctx: typer.Context, order_id: Annotated[str, typer.Argument()], request_id: RequestId = None) -> None:
    """Finance approves the payment order."""
    _answer(ctx, _stub(ctx).ApprovePaymentOrder(pb.ApprovePaymentOrderRequest(
        request_id=new_request_id(request_id), order_id=order_id)))


@app.command("paid")
def mark_paid(
    ctx: typer.Context, order_id: Annotated[str, typer.Argument()],
    reference: Annotated[str, typer.Option("--reference", help="the bank transfer's reference")],
    paid_on: Annotated[date | None, typer.Option("--paid-on", parser=parse_date, help="default today")] = None,
    request_id: RequestId = None,
) -> None:
    """Finance marks the order paid: the claim is PAID (ClaimPaid)."""
    _answer(ctx, _stub(ctx).MarkPaymentOrderPaid(pb.MarkPaymentOrderPaidRequest(
        request_id=new_request_id(request_id), order_id=order_id, paid_on=pb_date(paid_on), bank_reference=reference)))
