"""Bank statement files (C-7): import one (a command and its upload, in the transaction the
entrypoint opens per request id) and page through an import's line outcomes."""
from __future__ import annotations

from datetime import date

from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.bank_file_store import StatementLineRepository
from services.contributions.adapters.bank_file_upload import Upload
from services.contributions.application.context import ContributionsContext
from services.contributions.application.money.bank_file_import import (
    MAX_FILE_BYTES, RESULTS_INLINE_MAX, ImportStatementFile, ListStatementLines, StatementFileImported, StatementLinePage,
    import_statement_file, statement_items, statement_lines,
)


class StatementFileUseCases:
    def __init__(self, ctx: ContributionsContext, max_bytes: int = MAX_FILE_BYTES,
                 results_inline_max: int = RESULTS_INLINE_MAX):
        self.ctx = ctx
        self.max_bytes = max_bytes  # the upload's limit
        self.results_inline_max = results_inline_max  # beyond: the answer is a summary, the lines are paged

    def import_file(self, uow: UnitOfWork, scope: BranchScope, command: ImportStatementFile, upload: Upload,
                    today: date, user: str) -> StatementFileImported:
        return import_statement_file(uow, scope, command, upload, lambda: statement_items(command.file_format, upload),
                                     today, user, self.results_inline_max)

    def lines(self, scope: BranchScope, query: ListStatementLines) -> StatementLinePage:
        with self.ctx.base.read_session() as connection:
            return statement_lines(StatementLineRepository(connection, scope), query)
