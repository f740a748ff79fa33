"""'No row written': the row count of every table of a service's database, before and after.

Counts come from an engine of our own on the URL the runtime uses (`runtime.settings.
database_url`), for every table of `runtime.definition.metadata`, in one statement.
Rows of `audit_log` whose `action` starts with "access." are not counted: refused
attempts are audited there, and that is the one write a refused call may make.
"""
from __future__ import annotations

from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from services.chassis.row_security import system_path

AUDIT_TABLE = "audit_log"
ALLOWED_AUDIT_PREFIX = "access."


class RowCounter:
    def __init__(self, runtime):
        self.engine = create_engine(runtime.settings.database_url, poolclass=NullPool)
        counts = []
        for table in runtime.definition.metadata.sorted_tables:
            query = select(func.count()).select_from(table)
            if table.name == AUDIT_TABLE:
                query = query.where(~table.c.action.startswith(ALLOWED_AUDIT_PREFIX, autoescape=True))
            counts.append(query.scalar_subquery().label(table.name))
        self._statement = select(*counts)
        self.tables = [t.name for t in runtime.definition.metadata.sorted_tables]

    def snapshot(self) -> dict[str, int]:
        with self.engine.connect() as connection, system_path(connection):  # every branch's rows (PostgreSQL)
            return dict(connection.execute(self._statement).one()._mapping)

    def written_since(self, before: dict[str, int]) -> dict[str, tuple[int, int]]:
        """Tables whose count changed since `before`: {table: (before, after)}."""
        after = self.snapshot()
        return {t: (before.get(t, 0), n) for t, n in after.items() if n != before.get(t, 0)}

    def close(self) -> None:
        self.engine.dispose()
