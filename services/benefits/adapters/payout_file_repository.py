"""Benefits' payout files and status reports: the chassis's store on benefits' tables."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.benefits.adapters.tables import payout_files
from services.chassis.payout_file_store import PayoutFileRepository as _Store
from services.chassis.payout_file_store import StoredFile, StoredReport
from services.chassis.scope import BranchScope

__all__ = ["PayoutFileRepository", "StoredFile", "StoredReport"]


class PayoutFileRepository(_Store):
    def __init__(self, session: Session, scope: BranchScope):
        super().__init__(session, scope, payout_files)
