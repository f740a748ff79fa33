"""Payout files for the bank (O-3: finance): the branch's approved orders into one
pain.001.001.09 credit transfer file, each order EXPORTED with the file's MsgId so no
second file carries it; the file kept as sent, for GetPayoutFile.

One transaction: the orders are taken under lock and marked only if still APPROVED, so
two exports racing for the same orders make one file of them and the other a Conflict
(retried by its caller), never two files paying the same order.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from services.benefits.adapters.pain001 import pain001
from services.benefits.adapters.payout_file_repository import PayoutFileRepository, StoredFile
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.domain.payout_files import MAX_ORDERS_PER_FILE, SCHEME, DebtorAccount, PayoutFile
from services.benefits.domain.payouts import PaymentOrder
from services.chassis.errors import Conflict, InvalidArgument, RuleViolation
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ExportPayoutFile:
    """The command: a branch's approved orders (all waiting, oldest first), or exactly these."""

    branch_code: str
    order_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportedFile:
    file: StoredFile
    order_ids: tuple[str, ...]
    more_waiting: bool  # approved orders of the branch left for the next file (the per-file limit)


def new_msg_id() -> str:
    """Unique (a UUIDv7's 32 hex digits behind a P): 33 characters of the 35 MsgId allows."""
    return "P" + uuid7().replace("-", "")


class PayoutFiles:
    def __init__(self, ctx: ServiceContext, debtor: DebtorAccount):
        self.ctx = ctx
        self.debtor = debtor

    def export(self, uow: UnitOfWork, scope: BranchScope, command: ExportPayoutFile) -> ExportedFile:
        scope.require_write(command.branch_code, f"payment orders of {command.branch_code}")
        payouts = PayoutRepository(uow.session, scope)
        chosen = self._orders(payouts, command)
        if not chosen:
            raise RuleViolation("O-3", f"no approved payment order of {command.branch_code} waits for a payout file",
                                code="NOTHING_TO_EXPORT")
        today, msg_id = self.ctx.today(), new_msg_id()
        exported = [o.exported(msg_id, today) for o in chosen]
        if payouts.mark_exported(exported) != len(exported):
            raise Conflict("another export took some of these payment orders first; export again")
        payout = PayoutFile(msg_id, command.branch_code, datetime.now(UTC).replace(microsecond=0), today, self.debtor,
                            tuple(exported))
        content = pain001(payout)
        stored = StoredFile(msg_id=msg_id, branch_code=command.branch_code, scheme=SCHEME, created_at=payout.created_at,
                            exported_on=today, exported_by=scope.principal.user_id, transactions=payout.transactions,
                            control_sum=payout.control_sum, sha256=hashlib.sha256(content).hexdigest(),
                            size=len(content))
        PayoutFileRepository(uow.session, scope).add_file(stored, content)
        uow.audit("payout_file.export", msg_id, {"branch_code": command.branch_code, "orders": payout.transactions,
                                                 "control_sum": payout.control_sum, "sha256": stored.sha256})
        uow.count("payout_file_exported")
        more = bool(payouts.approved_for_export(command.branch_code, 1))
        return ExportedFile(stored, tuple(o.order_id for o in exported), more)

    def _orders(self, payouts: PayoutRepository, command: ExportPayoutFile) -> list[PaymentOrder]:
        if not command.order_ids:
            return payouts.approved_for_export(command.branch_code, MAX_ORDERS_PER_FILE)
        if len(command.order_ids) > MAX_ORDERS_PER_FILE:
            raise InvalidArgument.field("order_ids", f"at most {MAX_ORDERS_PER_FILE} orders in one file")
        orders = [payouts.writable_order(i) for i in dict.fromkeys(command.order_ids)]  # NotFound: another branch's
        for index, order in enumerate(orders):
            if order.branch_code != command.branch_code:
                raise InvalidArgument.field(f"order_ids[{index}]", f"payment order {order.order_id} is of "
                                                                   f"{order.branch_code}, not {command.branch_code}")
        return orders

    def get(self, scope: BranchScope, msg_id: str) -> tuple[StoredFile, bytes]:
        """The file as sent; another branch's is NotFound (O-2)."""
        with self.ctx.base.read_session() as session:
            files = PayoutFileRepository(session, scope)
            stored = files.readable_file(msg_id)
            return stored, files.content(msg_id)
