"""Payout files for the bank (O-3: finance): the branch's approved orders into one
pain.001.001.09 credit transfer file (the chassis's `export_file`), each order EXPORTED with
the file's MsgId so no second file carries it; the file kept as sent, for GetPayoutFile."""
from __future__ import annotations

from dataclasses import dataclass

from services.benefits.adapters.payout_file_repository import PayoutFileRepository, StoredFile
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.domain.payout_files import MAX_ORDERS_PER_FILE, DebtorAccount, credit_transfer
from services.benefits.domain.payouts import PaymentOrder
from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.payout_use_cases import export_file
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork

INITIATING_PARTY = "JAMSOS BENEFITS"


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
        stored, exported = export_file(uow, scope, PayoutFileRepository(uow.session, scope), payouts,
                                       command.branch_code, chosen, credit_transfer, self.debtor, INITIATING_PARTY,
                                       self.ctx.today())
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
