"""The two use cases every paying service runs the same way, whatever its orders pay
(a claim, a scholarship payment, a loan): a payout file of the branch's approved orders
(pain.001), and the bank's status report (pain.002) applied to the orders of the file it
answers. The service gives its orders through an `OrderBook`; what paying or failing an
order does beyond the order itself (a claim PAID, a scholarship payment recorded, an
event) is the book's.

Export, one transaction (`export_branch_file`): the caller must be able to change the
branch the file is for (O-2), the branch's approved orders or exactly the ones named (of
that branch; another branch's is NotFound) are taken under lock and marked only if still
APPROVED, so two exports racing for the same orders make one file of them and the other
a Conflict (retried by its caller), never two files paying the same order.

Status import, one transaction, after the file was read:
- a report whose OrgnlMsgId is not a file this service sent (or another branch's: O-2,
  answered the same) is refused whole, before anything changes;
- an EndToEndId that is not an order of that file is reported UNKNOWN, never fatal;
- the same report again changes nothing: each order already is what the report says
  (UNCHANGED); a different file under a report MsgId imported before is refused.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Protocol

from services.chassis.errors import Conflict, InvalidArgument, RuleViolation
from services.chassis.ids import uuid7
from services.chassis.payment_orders import REFERENCE_MAX
from services.chassis.payout_file_store import PayoutFileRepository, StoredFile
from services.chassis.payout_files import pain001
from services.chassis.payout_rules import (
    MAX_ORDERS_PER_FILE, SCHEME, CreditTransfer, DebtorAccount, Outcome, PayoutFile, StatusReason, StatusReport, bank_status, check_report_day, order_id_of, outcome_for, resolved_statuses,
)
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork


class Order(Protocol):
    @property
    def order_id(self) -> str: ...

    @property
    def state(self) -> Enum: ...


class OrderBook(Protocol):
    """A service's payment orders as the file use cases see them."""

    def exported_in(self, msg_id: str) -> Sequence[Any]:
        """The orders the file carried, locked."""

    def mark_exported(self, exported: list[Any]) -> int:
        """Saves them EXPORTED, each only if still APPROVED: how many were."""

    def visible_order(self, order_id: str) -> Any | None:
        """The order, locked, or None when there is none in the caller's branches."""

    def paid(self, order: Any, on: date, bank_reference: str) -> Any:
        """The order PAID on `on`, saved, with what that pays (and its event)."""

    def failed(self, order: Any, on: date, code: str, reason: str, source: str) -> Any:
        """The order FAILED with the bank's reason, saved (and its event); `source` names the bank's file."""


def new_msg_id() -> str:
    """Unique (a UUIDv7's 32 hex digits behind a P): 33 characters of the 35 MsgId allows."""
    return "P" + uuid7().replace("-", "")


class ExportBook(OrderBook, Protocol):
    """The orders an export chooses from (the chassis's `PaymentOrderStore` is one)."""

    def approved_for_export(self, branch_code: str, limit: int) -> Sequence[Any]:
        """The branch's approved orders not yet in a file, oldest first, locked."""

    def writable_order(self, order_id: str) -> Any:
        """The order, locked; NotFound when another branch's (O-2)."""


def export_branch_file(uow: UnitOfWork, scope: BranchScope, files: PayoutFileRepository, book: ExportBook,
                       branch_code: str, order_ids: tuple[str, ...], transfer: Any, debtor: DebtorAccount,
                       initiating_party: str, today: date) -> tuple[StoredFile, list[Any], bool]:
    """The branch's approved orders (all waiting, oldest first, up to a file's limit) or
    exactly `order_ids`, in one file: (its header, the orders as exported, whether approved
    orders are left for the next file). The command names the branch the file is written
    for, so the caller must be able to change that branch before any order is looked at (O-2)."""
    scope.require_write(branch_code, f"payment orders of {branch_code}")
    chosen = _chosen(book, branch_code, order_ids)
    if not chosen:
        raise RuleViolation("O-3", f"no approved payment order of {branch_code} waits for a payout file",
                            code="NOTHING_TO_EXPORT")
    stored, exported = export_file(uow, scope, files, book, branch_code, chosen, transfer, debtor, initiating_party,
                                   today)
    return stored, exported, bool(book.approved_for_export(branch_code, 1))


def _chosen(book: ExportBook, branch_code: str, order_ids: tuple[str, ...]) -> list[Any]:
    if not order_ids:
        return list(book.approved_for_export(branch_code, MAX_ORDERS_PER_FILE))
    if len(order_ids) > MAX_ORDERS_PER_FILE:
        raise InvalidArgument.field("order_ids", f"at most {MAX_ORDERS_PER_FILE} orders in one file")
    chosen = [book.writable_order(i) for i in dict.fromkeys(order_ids)]  # NotFound: another branch's
    for index, order in enumerate(chosen):
        if order.branch_code != branch_code:
            raise InvalidArgument.field(f"order_ids[{index}]", f"payment order {order.order_id} is of "
                                                               f"{order.branch_code}, not {branch_code}")
    return chosen


def export_file(uow: UnitOfWork, scope: BranchScope, files: PayoutFileRepository, book: OrderBook,
                branch_code: str, chosen: list[Any], transfer: Any, debtor: DebtorAccount, initiating_party: str,
                today: date) -> tuple[StoredFile, list[Any]]:
    """`chosen` (approved orders of `branch_code`) EXPORTED in one new file, kept as sent:
    (the file's header, the orders as exported). `transfer(order) -> CreditTransfer`."""
    msg_id = new_msg_id()
    exported = [o.exported(msg_id, today) for o in chosen]
    if book.mark_exported(exported) != len(exported):
        raise Conflict("another export took some of these payment orders first; export again")
    transfers: tuple[CreditTransfer, ...] = tuple(transfer(o) for o in exported)
    payout = PayoutFile(msg_id, branch_code, datetime.now(UTC).replace(microsecond=0), today, debtor, transfers,
                        initiating_party)
    content = pain001(payout)
    stored = StoredFile(msg_id=msg_id, branch_code=branch_code, scheme=SCHEME, created_at=payout.created_at,
                        exported_on=today, exported_by=scope.principal.user_id, transactions=payout.transactions,
                        control_sum=payout.control_sum, sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    files.add_file(stored, content)
    uow.audit("payout_file.export", msg_id, {"branch_code": branch_code, "orders": payout.transactions,
                                             "control_sum": payout.control_sum, "sha256": stored.sha256})
    uow.count("payout_file_exported")
    return stored, exported


@dataclass(frozen=True)
class ImportPayoutStatus:
    """The command: the report as read, and the hash of the file it came in."""

    report: StatusReport
    sha256: str


@dataclass(frozen=True)
class StatusLine:
    end_to_end_id: str
    status_code: str
    reason: StatusReason
    outcome: Outcome
    order: Any  # the service's order as the report left it; None when UNKNOWN


@dataclass(frozen=True)
class StatusImported:
    report: StatusReport
    already_imported: bool
    lines: tuple[StatusLine, ...]


def import_status(uow: UnitOfWork, scope: BranchScope, files: PayoutFileRepository, book: OrderBook,
                  command: ImportPayoutStatus, today: date) -> StatusImported:
    report = command.report
    sent = files.sent_file(report.original_msg_id)
    if sent is None:
        raise RuleViolation("O-3", f"the report answers OrgnlMsgId {report.original_msg_id}, which is not a payout "
                                   f"file this service sent", code="UNKNOWN_PAYOUT_FILE")
    scope.require_write(sent.branch_code, f"payout file {sent.msg_id}")
    before = files.report(sent.msg_id, report.msg_id)
    if before is not None and before.sha256 != command.sha256:
        raise RuleViolation("O-3", f"status report {report.msg_id} for {sent.msg_id} was imported before from "
                                   f"another file", code="REPORT_ALREADY_IMPORTED")
    check_report_day(report, sent.exported_on, today)
    orders = {o.order_id: o for o in book.exported_in(sent.msg_id)}
    lines = []
    for status in resolved_statuses(report, list(orders)):
        order_id = order_id_of(status.end_to_end_id)
        order = orders.get(order_id) if order_id else None
        outcome = outcome_for(order.state.value if order is not None else None, bank_status(status.status_code))
        if order is not None and outcome is Outcome.PAID:
            reference = (status.bank_reference or f"pain.002 {report.msg_id}")[:REFERENCE_MAX]
            order = orders[order.order_id] = book.paid(order, report.created_on, reference)
        elif order is not None and outcome is Outcome.FAILED:
            order = orders[order.order_id] = book.failed(order, report.created_on, status.reason.code or
                                                         status.status_code, status.reason.text,
                                                         f"pain.002 {report.msg_id}")
        lines.append(StatusLine(status.end_to_end_id, status.status_code, status.reason, outcome, order))
    paid = sum(1 for line in lines if line.outcome is Outcome.PAID)
    failed = sum(1 for line in lines if line.outcome is Outcome.FAILED)
    if before is None:
        files.add_report(sent.msg_id, report.msg_id, command.sha256, report.created_on, scope.principal.user_id,
                         paid, failed)
    uow.audit("payout_status.import", f"{sent.msg_id}/{report.msg_id}", {
        "sha256": command.sha256, "paid": paid, "failed": failed, "lines": len(lines),
        "unknown": sum(1 for line in lines if line.outcome is Outcome.UNKNOWN)})
    uow.count("payout_status_imported")
    return StatusImported(report, before is not None, tuple(lines))
