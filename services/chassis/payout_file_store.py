"""Payout files as sent (pain.001, kept whole for GetPayoutFile), the bank's status
reports imported for them (pain.002) and the payout account's statements (camt.053), in a service's own database, within the caller's
branch scope (O-2): another branch's file is NotFound, as one never sent.

A service adds the tables to its MetaData once (`PayoutFileTables(metadata)`) and opens
a repository per unit of work (`tables.repository(session, scope)`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger, Column, Date, DateTime, Index, Integer, LargeBinary, MetaData, String, Table, func, insert, select,
)
from sqlalchemy.orm import Session

from services.chassis.repository import ScopedRepository
from services.chassis.scope import BranchScope


class PayoutFileTables:
    def __init__(self, metadata: MetaData):
        self.files = Table(
            "payout_files", metadata,
            Column("msg_id", String(35), primary_key=True),
            Column("branch_code", String(30), nullable=False),
            Column("scheme", String(40), nullable=False),  # pain.001.001.09
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("exported_on", Date, nullable=False),
            Column("exported_by", String(100), nullable=False),
            Column("transactions", Integer, nullable=False),
            Column("control_sum", BigInteger, nullable=False),
            Column("sha256", String(64), nullable=False),
            Column("content", LargeBinary, nullable=False),  # the file as sent, for GetPayoutFile
            Index("ix_payout_files_branch", "branch_code", "msg_id"),
        )
        self.reports = Table(
            "payout_status_reports", metadata,
            Column("original_msg_id", String(35), primary_key=True),
            Column("report_msg_id", String(35), primary_key=True),
            Column("sha256", String(64), nullable=False),
            Column("report_on", Date, nullable=False),
            Column("imported_at", DateTime(timezone=True), nullable=False),
            Column("imported_by", String(100), nullable=False),
            Column("paid", Integer, nullable=False),
            Column("failed", Integer, nullable=False),
        )

        # The payout account's camt.053 statements whose debits marked orders: each once.
        self.statements = Table(
            "payout_statements", metadata,
            Column("account", String(34), primary_key=True),
            Column("statement_id", String(35), primary_key=True),
            Column("sha256", String(64), nullable=False),
            Column("imported_at", DateTime(timezone=True), nullable=False),
            Column("imported_by", String(100), nullable=False),
            Column("paid", Integer, nullable=False),
            Column("failed", Integer, nullable=False),
        )

    def repository(self, session: Session, scope: BranchScope) -> PayoutFileRepository:
        return PayoutFileRepository(session, scope, self)


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
    def __init__(self, session: Session, scope: BranchScope, tables: PayoutFileTables):
        super().__init__(session, scope)
        self.db = session  # an ORM session (the base also takes lookup connections, which only select)
        self.files, self.reports, self.statements = tables.files, tables.reports, tables.statements
        self._header = [c for c in self.files.c if c.name != "content"]

    def add_file(self, header: StoredFile, content: bytes) -> None:
        self.db.execute(insert(self.files).values(
            msg_id=header.msg_id, branch_code=header.branch_code, scheme=header.scheme, created_at=header.created_at,
            exported_on=header.exported_on, exported_by=header.exported_by, transactions=header.transactions,
            control_sum=header.control_sum, sha256=header.sha256, content=content))

    def sent_file(self, msg_id: str) -> StoredFile | None:
        """The file, or None when never sent or another branch's (that one is audited as hidden)."""
        row = self.session.execute(select(*self._header, self._size()).where(self.files.c.msg_id == msg_id)).first()
        if row is None or not self.scope.sees(row.branch_code, "payout file", msg_id):
            return None
        return _file(row)

    def readable_file(self, msg_id: str) -> StoredFile:
        return _file(self.readable(select(*self._header, self._size()).where(self.files.c.msg_id == msg_id),
                                   self.files.c.branch_code, "payout file", msg_id))

    def content(self, msg_id: str) -> bytes:
        return bytes(self.db.execute(select(self.files.c.content).where(self.files.c.msg_id == msg_id))
                     .scalar_one())

    def report(self, original_msg_id: str, report_msg_id: str) -> StoredReport | None:
        reports = self.reports
        row = self.session.execute(select(reports).where(reports.c.original_msg_id == original_msg_id,
                                                         reports.c.report_msg_id == report_msg_id)).first()
        return StoredReport(row.sha256, int(row.paid), int(row.failed)) if row else None

    def add_report(self, original_msg_id: str, report_msg_id: str, sha256: str, report_on: date, by: str,
                   paid: int, failed: int) -> None:
        self.db.execute(insert(self.reports).values(
            original_msg_id=original_msg_id, report_msg_id=report_msg_id, sha256=sha256, report_on=report_on,
            imported_at=datetime.now(UTC), imported_by=by, paid=paid, failed=failed))

    def statement(self, account: str, statement_id: str) -> StoredReport | None:
        s = self.statements
        row = self.db.execute(select(s).where(s.c.account == account, s.c.statement_id == statement_id)).first()
        return StoredReport(row.sha256, int(row.paid), int(row.failed)) if row else None

    def add_statement(self, account: str, statement_id: str, sha256: str, by: str, paid: int, failed: int) -> None:
        self.db.execute(insert(self.statements).values(
            account=account, statement_id=statement_id, sha256=sha256, imported_at=datetime.now(UTC), imported_by=by,
            paid=paid, failed=failed))

    def _size(self) -> Any:
        return func.length(self.files.c.content).label("size")


def _file(row: Any) -> StoredFile:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)  # SQLite: naive UTC
    return StoredFile(msg_id=row.msg_id, branch_code=row.branch_code, scheme=row.scheme, created_at=created,
                      exported_on=row.exported_on, exported_by=row.exported_by, transactions=int(row.transactions),
                      control_sum=int(row.control_sum), sha256=row.sha256, size=int(row.size or 0))
