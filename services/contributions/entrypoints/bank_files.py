"""The edge of the bank statement files (C-7): ImportBankStatementFile and ListStatementLines
as PaymentService serves them. Authorise (O-3) before the stream is read, decode the stream
to a command and an upload, run the import once per request id (the id bound to the file's
hash, not its bytes), encode the result."""
from __future__ import annotations

from collections.abc import Iterator

from jamsos.contributions.v1 import payments_pb2 as pb
from services.chassis.context import current_principal
from services.contributions.application.money import bank_file_mapping as m
from services.contributions.application.money.bank_file_use_cases import StatementFileUseCases
from services.contributions.domain.roles import ContributionsAction as A


def import_statement_file(files: StatementFileUseCases, requests: Iterator[pb.ImportBankStatementFileRequest]
                          ) -> pb.ImportBankStatementFileResponse:
    ctx = files.ctx
    scope = ctx.authorise(A.RECORD_PAYMENT)
    command, upload = m.command_from_stream(requests, files.max_bytes)
    today, user = ctx.today(), current_principal().user_id
    try:
        return ctx.base.mutation(m.fingerprint_request(command, upload), pb.ImportBankStatementFileResponse,
                                 lambda uow: m.imported_to_proto(files.import_file(uow, scope, command, upload, today,
                                                                                   user)))
    finally:
        upload.close()


def list_statement_lines(files: StatementFileUseCases, request: pb.ListStatementLinesRequest
                         ) -> pb.ListStatementLinesResponse:
    scope = files.ctx.authorise(A.READ)
    return m.line_page_to_proto(files.lines(scope, m.list_lines_query(request)))
