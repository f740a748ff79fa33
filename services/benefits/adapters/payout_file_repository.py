"""Payout files as sent (pain.001) and the status reports imported for them (pain.002),
within the caller's branch scope (O-2): another branch's file is NotFound, as one never sent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select

from services.benefits.adapters.tables import payouts
from services.chassis.repository import ScopedRepository

files, reports = payouts["files"], payouts["reports"]
_HEADER = [c for c in files.c if c.name != "content"]


@dataclass(frozen=True)
class StoredFile:
    msg_id: str
    branch_code: str
    scheme: str
    created_at: datetime
    exported_on: date
    exported_by: str
    transactions: int
    control_sum: int
    sha256: str
    size: int


@dataclass(frozen=True)
class StoredReport:
    sha256: str
    paid: int
    failed: int


class PayoutFileRepository(ScopedRepository):
    def add_file(self, header: StoredFile, content: bytes) -> None:
        self.session.execute(insert(files).values(
            msg_id=header.msg_id, branch_code=header.branch_code, scheme=header.scheme, created_at=header.created_at,
            exported_on=header.exported_on, exported_by=header.exported_by, transactions=header.transactions,
            control_sum=header.control_sum, sha256=header.sha256, content=content))

    def sent_file(self, msg_id: str) -> StoredFile | None:
        """The file, or None when never sent or another branch's (that one is audited as hidden)."""
        row = self.session.execute(select(*_HEADER, _size()).where(files.c.msg_id == msg_id)).first()
        if row is None or not self.scope.sees(row.branch_code, "payout file", msg_id):
            return None
        return _file(row)

    def readable_file(self, msg_id: str) -> StoredFile:
        return _file(self.readable(select(*_HEADER, _size()).where(files.c.msg_id == msg_id), files.c.branch_code,
                                   "payout file", msg_id))

    def content(self, msg_id: str) -> bytes:
        return bytes(self.session.execute(select(files.c.content).where(files.c.msg_id == msg_id)).scalar_one())

    def report(self, original_msg_id: str, report_msg_id: str) -> StoredReport | None:
        row = self.session.execute(select(reports).where(reports.c.original_msg_id == original_msg_id,
                                                         reports.c.report_msg_id == report_msg_id)).first()
        return StoredReport(row.sha256, int(row.paid), int(row.failed)) if row else None

    def add_report(self, original_msg_id: str, report_msg_id: str, sha256: str, report_on: date, by: str,
                   paid: int, failed: int) -> None:
        self.session.execute(insert(reports).values(
            original_msg_id=original_msg_id, report_msg_id=report_msg_id, sha256=sha256, report_on=report_on,
            imported_at=datetime.now(UTC), imported_by=by, paid=paid, failed=failed))


def _size() -> Any:
    return func.length(files.c.content).label("size")


def _file(row: Any) -> StoredFile:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)  # SQLite: naive UTC
    return StoredFile(msg_id=row.msg_id, branch_code=row.branch_code, scheme=row.scheme, created_at=created,
                      exported_on=row.exported_on, exported_by=row.exported_by, transactions=int(row.transactions),
                      control_sum=int(row.control_sum), sha256=row.sha256, size=int(row.size or 0))
