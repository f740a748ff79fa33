"""ImportBankStatementFile (C-7): authorise, take the upload, run the import once per request id."""
from __future__ import annotations

from collections.abc import Iterator

from jamsos.contributions.v1 import payments_pb2 as pb
from services.chassis.context import current_principal
from services.contributions.application.context import ContributionsContext
from services.contributions.application.money import bank_file_mapping as mapping
from services.contributions.application.money.bank_file_import import (
    MAX_FILE_BYTES, import_statement_file, statement_items,
)
from services.contributions.domain.roles import ContributionsAction


class StatementFileUseCases:
    def __init__(self, ctx: ContributionsContext, max_bytes: int = MAX_FILE_BYTES):
        self.ctx = ctx
        self.max_bytes = max_bytes

    def import_file(self, requests: Iterator[pb.ImportBankStatementFileRequest]) -> pb.ImportBankStatementFileResponse:
        scope = self.ctx.authorise(ContributionsAction.RECORD_PAYMENT)  # O-3 before the stream is read
        command, upload = mapping.command_from_stream(requests, self.max_bytes)
        today, user = self.ctx.today(), current_principal().user_id
        try:
            def use_case(uow):
                items = statement_items(command.file_format, upload)
                return mapping.imported_to_proto(import_statement_file(uow, scope, command, upload, items, today, user))

            return self.ctx.base.mutation(mapping.fingerprint_request(command, upload),
                                          pb.ImportBankStatementFileResponse, use_case)
        finally:
            upload.close()
