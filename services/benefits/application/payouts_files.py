"""Payout files for the bank (O-3: finance): the branch's approved orders into one
pain.001.001.09 credit transfer file (the chassis's `export_branch_file`), each order EXPORTED with
the file's MsgId so no second file carries it; the file kept as sent, for GetPayoutFile."""
from __future__ import annotations

from dataclasses import dataclass

from services.benefits.adapters.payout_file_repository import PayoutFileRepository, StoredFile
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.domain.payout_files import DebtorAccount, credit_transfer
from services.chassis.payout_use_cases import export_branch_file
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
        stored, exported, more = export_branch_file(
            uow, scope, PayoutFileRepository(uow.session, scope), PayoutRepository(uow.session, scope),
            command.branch_code, command.order_ids, credit_transfer, self.debtor, INITIATING_PARTY, self.ctx.today())
        return ExportedFile(stored, tuple(o.order_id for o in exported), more)

    def get(self, scope: BranchScope, msg_id: str) -> tuple[StoredFile, bytes]:
        """The file as sent; another branch's is NotFound (O-2)."""
        with self.ctx.base.read_session() as session:
            files = PayoutFileRepository(session, scope)
            stored = files.readable_file(msg_id)
            return stored, files.content(msg_id)
