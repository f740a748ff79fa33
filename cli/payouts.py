"""`jamsos payout`: payment orders of approved claims (benefits, the default) or of welfare's
disbursements (`jamsos payout --service welfare ...`), approved by finance (welfare's by
another officer than its creator, O-4), marked paid by hand (benefits); bank files:
`export` writes the approved orders' pain.001 credit transfer file, `import-status` sends the
bank's pain.002 status report and `import-statement` the payout account's camt.053
statement (orders PAID or FAILED); `reissue` a failed order."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from jamsos.benefits.v1 import payouts_pb2 as pb
from jamsos.benefits.v1 import payouts_pb2_grpc
from jamsos.common.v1 import types_pb2
from jamsos.welfare.v1 import payouts_pb2 as welfare_pb
from jamsos.welfare.v1 import payouts_pb2_grpc as welfare_grpc

from .common import RequestId, session_of
from .connection import CallingStub, new_request_id
from .output import plain, record_table, rows_table, rupiah, show
from .progress import progress_bar
from .values import enum_or_unset
from .values import parse_date, pb_date

app = typer.Typer(help="Payment orders of approved claims (or, with --service welfare, of welfare's disbursements): "
                       "list, show, approve, mark paid, re-issue; payout files for the bank (export), its status "
                       "reports (import-status) and the payout account's statements (import-statement).",
                  no_args_is_help=True)
CHUNK_BYTES = 256 * 1024


class PayingService(str, Enum):
    BENEFITS = "benefits"
    WELFARE = "welfare"


@app.callback()
def payout(
    ctx: typer.Context,
    service: Annotated[PayingService, typer.Option("--service", case_sensitive=False,
                                                   help="whose payment orders")] = PayingService.BENEFITS,
) -> None:
    """Payment orders and the bank's files."""
    ctx.meta["payout_service"] = service


class OrderState(str, Enum):
    PENDING_APPROVAL = "pending-approval"
    APPROVED = "approved"
    EXPORTED = "exported"
    PAID = "paid"
    FAILED = "failed"


def _welfare(ctx: typer.Context) -> bool:
    return ctx.meta.get("payout_service", PayingService.BENEFITS) is PayingService.WELFARE


def _stub(ctx: typer.Context) -> CallingStub:
    if _welfare(ctx):
        return session_of(ctx).stub("welfare", welfare_grpc.WelfarePayoutServiceStub)
    return session_of(ctx).stub("benefits", payouts_pb2_grpc.PayoutServiceStub)


def _pb(ctx: typer.Context) -> Any:
    """The messages of the service's payouts contract (the two share their names)."""
    return welfare_pb if _welfare(ctx) else pb


def _benefits_only(ctx: typer.Context, what: str) -> None:
    if _welfare(ctx):
        raise typer.BadParameter(f"{what} is benefits' (welfare's orders are paid by the bank's files)",
                                 param_hint="--service")


def _pays(order: dict[str, Any]) -> str:
    """What the order pays: a claim (benefits) or a welfare application (and payment number)."""
    if order.get("claim_id"):
        return f"claim {order['claim_id']} (KPJ {order['kpj']}, {order['kind']})"
    number = f", payment {order['payment_number']}" if order.get("payment_number") else ""
    return f"{order.get('program', '')} {order.get('application_id', '')}{number} ({order.get('rule_id', '')})"


def order_table(order: dict[str, Any]) -> Any:
    account = order["beneficiary"] or {}
    return record_table(f"Payment order {order['order_id']}", [
        ("pays", _pays(order)), ("branch", order["branch_code"]),
        ("amount", rupiah(order["amount"])), ("state", order["state"]),
        ("beneficiary", f"{account.get('holder_name', '')}, {account.get('bank_name', '')} {account.get('account_number', '')}"),
        ("created", f"{order.get('created_by', '')} {order['created_on']}".strip()), ("approved", f"{order['approved_by']} {order['approved_on'] or ''}".strip()),
        ("paid", f"{order.get('paid_by', '')} {order['paid_on'] or ''}".strip()), ("bank reference", order["bank_reference"]),
        ("payout file", f"{order['exported_in']} {order['exported_on'] or ''}".strip()),
        ("failed", f"{order['failure_code']} {order['failure_reason']} {order['failed_on'] or ''}".strip()),
        ("re-issue", f"attempt {order['attempt']}" + (f", of {order['reissue_of']} by {order['reissued_by']}"
                                                        if order["reissue_of"] else "")
         + (f", re-issued as {order['reissued_as']}" if order["reissued_as"] else ""))])


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
    messages = _pb(ctx)
    response = _stub(ctx).ListPaymentOrders(messages.ListPaymentOrdersRequest(
        branch_code=branch, state=enum_or_unset("PAYMENT_ORDER_STATE", state, messages),
        page=types_pb2.PageRequest(page_size=limit, page_token=page_token)))
    orders = [plain(o) for o in response.orders]
    show(session_of(ctx).as_json, {"orders": orders, "next_page_token": response.page.next_page_token},
         rows_table(f"Payment orders of {branch or 'your branches'}",
                    ["order", "pays", "amount", "state", "created on", "paid on"],
                    [(o["order_id"], _pays(o), rupiah(o["amount"]), o["state"], o["created_on"], o["paid_on"])
                     for o in orders]))


@app.command("show")
def show_order(ctx: typer.Context, order_id: Annotated[str, typer.Argument()]) -> None:
    """One payment order, and the periodic schedules of its claim (benefits)."""
    stub = _stub(ctx)
    order = plain(stub.GetPaymentOrder(_pb(ctx).GetPaymentOrderRequest(order_id=order_id)).order)
    if _welfare(ctx):
        show(session_of(ctx).as_json, {"order": order}, order_table(order))
        return
    schedules = [plain(s) for s in stub.ListPaymentSchedules(
        pb.ListPaymentSchedulesRequest(claim_id=order["claim_id"])).schedules]
    show(session_of(ctx).as_json, {"order": order, "schedules": schedules}, order_table(order), schedule_table(schedules))


@app.command("approve")
def approve(ctx: typer.Context, order_id: Annotated[str, typer.Argument()], request_id: RequestId = None) -> None:
    """Finance approves the payment order."""
    _answer(ctx, _stub(ctx).ApprovePaymentOrder(_pb(ctx).ApprovePaymentOrderRequest(
        request_id=new_request_id(request_id), order_id=order_id)))


@app.command("paid")
def mark_paid(
    ctx: typer.Context, order_id: Annotated[str, typer.Argument()],
    reference: Annotated[str, typer.Option("--reference", help="the bank transfer's reference")],
    paid_on: Annotated[date | None, typer.Option("--paid-on", parser=parse_date, help="default today")] = None,
    request_id: RequestId = None,
) -> None:
    """Finance marks the order paid: the claim is PAID (ClaimPaid). Benefits only."""
    _benefits_only(ctx, "marking an order paid by hand")
    _answer(ctx, _stub(ctx).MarkPaymentOrderPaid(pb.MarkPaymentOrderPaidRequest(
        request_id=new_request_id(request_id), order_id=order_id, paid_on=pb_date(paid_on), bank_reference=reference)))


@app.command("reissue")
def reissue(
    ctx: typer.Context, order_id: Annotated[str, typer.Argument(help="the FAILED order")],
    holder: Annotated[str | None, typer.Option("--holder", help="corrected account: holder's name")] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="corrected account: bank name")] = None,
    account: Annotated[str | None, typer.Option("--account", help="corrected account: number")] = None,
    request_id: RequestId = None,
) -> None:
    """Re-issue a failed order (to the corrected account; none given: the same one). Another
    finance officer approves the new order (O-4)."""
    given = [v for v in (holder, bank, account) if v is not None]
    if given and len(given) != 3:
        raise typer.BadParameter("give --holder, --bank and --account together", param_hint="--account")
    request = _pb(ctx).ReissuePaymentOrderRequest(request_id=new_request_id(request_id), order_id=order_id)
    if holder is not None and bank is not None and account is not None:
        request.beneficiary.holder_name, request.beneficiary.bank_name = holder, bank
        request.beneficiary.account_number = account
    _answer(ctx, _stub(ctx).ReissuePaymentOrder(request))


@app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", dir_okay=False, writable=True, help="where to write the pain.001 file")],
    branch: Annotated[str, typer.Option("--branch", help="default: your own branch")] = "",
    order: Annotated[list[str] | None, typer.Option("--order", help="only these orders (repeatable)")] = None,
    request_id: RequestId = None,
) -> None:
    """Write the approved orders not yet sent into one ISO 20022 pain.001.001.09 credit
    transfer file for the bank; they become EXPORTED. Safe to retry with --request-id."""
    session = session_of(ctx)
    rid = new_request_id(request_id)
    parts = _stub(ctx).stream("ExportPayoutFile", _pb(ctx).ExportPayoutFileRequest(
        request_id=rid, branch_code=branch, order_ids=order or []))
    header = _write_file(parts, out)
    summary = {"request_id": rid, "out": str(out), "file": header}
    show(session.as_json, summary, _file_table(header, out))


@app.command("file")
def get_file(
    ctx: typer.Context, msg_id: Annotated[str, typer.Argument(help="the file's MsgId")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, writable=True, help="where to write it")],
) -> None:
    """Write a payout file sent before, as it was sent."""
    header = _write_file(_stub(ctx).stream("GetPayoutFile", _pb(ctx).GetPayoutFileRequest(msg_id=msg_id)), out)
    show(session_of(ctx).as_json, {"out": str(out), "file": header}, _file_table(header, out))


@app.command("import-status")
def import_status(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="the bank's pain.002 file")],
    request_id: RequestId = None,
) -> None:
    """Send the bank's pain.002 status report as it came: accepted orders PAID (their claims
    PAID), rejected ones FAILED with the bank's reason. The same report again changes nothing."""
    session = session_of(ctx)
    rid = new_request_id(request_id)
    response = _send_file(ctx, path, rid, "ImportPayoutStatus", _pb(ctx).ImportPayoutStatusRequest)
    show(session.as_json, {"request_id": rid, **response},
         rows_table(f"Status report {response['report_msg_id']} for payout file {response['original_msg_id']} "
                    f"({response['report_on']})",
                    ["paid", "failed", "pending", "unchanged", "conflicts", "unknown", "imported before"],
                    [(response["paid"], response["failed"], response["pending"], response["unchanged"],
                      response["conflicts"], response["unknown"], "yes" if response["already_imported"] else "no")]),
         _results_table(response["results"]))


@app.command("import-statement")
def import_statement(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="the payout account's camt.053 statement")],
    request_id: RequestId = None,
) -> None:
    """Send the payout account's camt.053 statement as it came: a debit carrying an order's
    end-to-end id marks it PAID, a returned or reversed one FAILED. The same file again
    changes nothing; another currency, account or totals that do not add up are refused."""
    session = session_of(ctx)
    rid = new_request_id(request_id)
    response = _send_file(ctx, path, rid, "ImportPayoutStatement", _pb(ctx).ImportPayoutStatementRequest)
    show(session.as_json, {"request_id": rid, **response},
         rows_table(f"Statement {response['statement_id']} of account {response['account']}",
                    ["paid", "failed", "unchanged", "conflicts", "unknown", "other entries", "imported before"],
                    [(response["paid"], response["failed"], response["unchanged"], response["conflicts"],
                      response["unknown"], response["other_entries"],
                      "yes" if response["already_imported"] else "no")]),
         _results_table(response["results"]))


def _send_file(ctx: typer.Context, path: Path, rid: str, method: str, request_cls: Any) -> dict[str, Any]:
    """The file sent in chunks (the request id on the first) under a progress bar: the answer."""
    session = session_of(ctx)
    with progress_bar(session.as_json) as bar:
        task = bar.add_task(f"sending {path.name}", total=path.stat().st_size)

        def messages() -> Iterator[Any]:
            with open(path, "rb") as handle:
                first = True
                while chunk := handle.read(CHUNK_BYTES):
                    yield request_cls(request_id=rid if first else "", chunk=chunk)
                    first = False
                    bar.advance(task, len(chunk))

        return plain(getattr(_stub(ctx), method)(messages()))


def _results_table(results: list[dict[str, Any]]) -> Any:
    return rows_table("Transactions", ["end-to-end id", "order", "pays", "status", "reason", "outcome", "amount"],
                      [(r["end_to_end_id"], r["order_id"], r.get("claim_id") or r.get("application_id", ""),
                        r["status_code"], f"{r['reason_code']} {r['reason_text']}".strip(), r["outcome"],
                        rupiah(r["amount"])) for r in results])


def _write_file(parts: Any, out: Path) -> dict[str, Any]:
    """The header of a header-then-bytes stream; the bytes written to `out` (whole or not at all)."""
    header: dict[str, Any] = {}
    partial = out.with_name(out.name + ".part")
    try:
        with open(partial, "wb") as handle:
            for part in parts:
                if part.WhichOneof("part") == "file":
                    header = plain(part.file)
                else:
                    handle.write(part.chunk)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    return header


def _file_table(header: dict[str, Any], out: Path) -> Any:
    return record_table(f"Payout file {header['msg_id']}", [
        ("scheme", header["scheme"]), ("branch", header["branch_code"]), ("written to", str(out)),
        ("transactions", header["transactions"]), ("control sum", rupiah(header["control_sum"])),
        ("exported", f"{header['exported_by']} {header['exported_on']}"), ("sha256", header["sha256"]),
        ("more waiting", "yes: export again" if header["more_waiting"] else "no")])
