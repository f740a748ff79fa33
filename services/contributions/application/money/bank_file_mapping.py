"""ImportBankStatementFile's and ListStatementLines' messages: the stream to a command and
an upload, the result to the response (the line outcomes inline up to `RESULTS_INLINE_MAX`
lines, a summary only beyond), a page request to a query. Bad input is INVALID_ARGUMENT
naming the field."""
from __future__ import annotations

from collections.abc import Iterator

from jamsos.contributions.v1 import payments_pb2 as pb
from jamsos.common.v1 import types_pb2
from services.chassis.convert import decode_page_token, encode_page_token, from_date, page_size
from services.chassis.errors import InvalidArgument
from services.contributions.adapters.bank_file_store import StoredLine
from services.contributions.adapters.bank_file_upload import Upload, spool
from services.contributions.application.money.bank_file_import import (
    ImportStatementFile, ListStatementLines, StatementFileImported, StatementLinePage,
)
from services.contributions.application.money.statement_file_lines import DUPLICATE, RECORDED, REJECTED, SKIPPED
from services.contributions.domain.bank_file import BankFileFormat

FORMAT_FROM_PROTO = {pb.BANK_FILE_FORMAT_MT940: BankFileFormat.MT940,
                     pb.BANK_FILE_FORMAT_CAMT053: BankFileFormat.CAMT053}
FORMAT_TO_PROTO = {v: k for k, v in FORMAT_FROM_PROTO.items()}
OUTCOME_TO_PROTO = {RECORDED: pb.STATEMENT_LINE_OUTCOME_RECORDED, DUPLICATE: pb.STATEMENT_LINE_OUTCOME_DUPLICATE,
                    REJECTED: pb.STATEMENT_LINE_OUTCOME_REJECTED, SKIPPED: pb.STATEMENT_LINE_OUTCOME_SKIPPED}
STATUS_TO_PROTO = {"MATCHED": pb.PAYMENT_STATUS_MATCHED, "SUSPENSE": pb.PAYMENT_STATUS_SUSPENSE}


def command_from_stream(requests: Iterator[pb.ImportBankStatementFileRequest], max_bytes: int
                        ) -> tuple[ImportStatementFile, Upload]:
    """The first message names the request, branch and format; every message's chunk is the file's next bytes."""
    first = next(requests, None)
    if first is None:
        raise InvalidArgument.field("chunk", "the file is empty")
    if first.format not in FORMAT_FROM_PROTO:
        raise InvalidArgument.field("format", "required: MT940 or CAMT053")
    branch = first.branch_code.strip()
    if not branch:
        raise InvalidArgument.field("branch_code", "required: the branch whose suspense keeps unmatched lines")
    command = ImportStatementFile(first.request_id, branch, FORMAT_FROM_PROTO[first.format])
    upload = spool((r.chunk for r in _all(first, requests)), max_bytes)
    return command, upload


def _all(first: pb.ImportBankStatementFileRequest, rest: Iterator[pb.ImportBankStatementFileRequest]
         ) -> Iterator[pb.ImportBankStatementFileRequest]:
    yield first
    yield from rest


def fingerprint_request(command: ImportStatementFile, upload: Upload) -> pb.ImportBankStatementFileRequest:
    """What the request id is bound to: branch, format and the file's hash (not its bytes)."""
    return pb.ImportBankStatementFileRequest(request_id=command.request_id, branch_code=command.branch_code,
                                             format=FORMAT_TO_PROTO[command.file_format],
                                             chunk=bytes.fromhex(upload.sha256))


def line_to_proto(line: StoredLine) -> pb.StatementFileLineResult:
    return pb.StatementFileLineResult(
        line_number=line.line_number, bank_reference=line.bank_reference, outcome=OUTCOME_TO_PROTO[line.outcome],
        payment_id=line.payment_id, status=STATUS_TO_PROTO.get(line.status, pb.PAYMENT_STATUS_UNSPECIFIED),
        reason=line.reason, amount_sen=line.amount_sen, paid_on=from_date(line.paid_on),
        npp=line.npp, bill_number=line.bill_number, bills_paid=list(line.bills_paid))


def imported_to_proto(result: StatementFileImported) -> pb.ImportBankStatementFileResponse:
    totals, summary = result.totals, result.lines
    count = summary.counts
    return pb.ImportBankStatementFileResponse(
        statement_id=result.header.statement_id, account=result.header.account,
        format=FORMAT_TO_PROTO[result.file_format], already_imported=result.already_imported,
        totals=pb.StatementTotals(opening_sen=totals.opening_sen, credits_sen=totals.credits_sen,
                                  debits_sen=totals.debits_sen, closing_sen=totals.closing_sen, lines=totals.lines,
                                  opening_on=from_date(totals.opening_on), closing_on=from_date(totals.closing_on)),
        results=[line_to_proto(line) for line in summary.lines], recorded=count[RECORDED],
        duplicates=count[DUPLICATE], rejected=count[REJECTED], skipped=count[SKIPPED], suspense=summary.suspense,
        file_sha256=result.sha256, import_id=result.import_id, results_omitted=summary.omitted)


def list_lines_query(request: pb.ListStatementLinesRequest) -> ListStatementLines:
    import_id = request.import_id.strip()
    if not import_id:
        raise InvalidArgument.field("import_id", "required: the import_id of an ImportBankStatementFile answer")
    after = (decode_page_token(request.page.page_token) or {}).get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < 2**31:
        raise InvalidArgument.field("page.page_token", "not a token this service issued")
    return ListStatementLines(import_id, after, page_size(request.page))


def line_page_to_proto(page: StatementLinePage) -> pb.ListStatementLinesResponse:
    token = encode_page_token({"after": page.lines[-1].line_number}) if page.more else ""
    return pb.ListStatementLinesResponse(results=[line_to_proto(line) for line in page.lines],
                                         page=types_pb2.PageResponse(next_page_token=token))
