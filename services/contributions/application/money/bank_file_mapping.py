"""ImportBankStatementFile's messages: the stream to a command and an upload, the result
to the response. Bad input is INVALID_ARGUMENT naming the field."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from jamsos.contributions.v1 import payments_pb2 as pb
from services.chassis.convert import from_date
from services.chassis.errors import InvalidArgument
from services.contributions.adapters.bank_file_upload import Upload, spool
from services.contributions.application.money.bank_file_import import (
    FileLine, ImportStatementFile, StatementFileImported,
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


def line_to_proto(line: FileLine) -> pb.StatementFileLineResult:
    recorded = line.recorded
    return pb.StatementFileLineResult(
        line_number=line.line.number, bank_reference=line.reference, outcome=OUTCOME_TO_PROTO[recorded.outcome],
        payment_id=recorded.payment_id, status=STATUS_TO_PROTO.get(recorded.status, pb.PAYMENT_STATUS_UNSPECIFIED),
        reason=recorded.reason, amount_sen=line.line.amount_sen, paid_on=from_date(line.line.booked_on),
        npp=line.named.npp or "", bill_number=line.named.bill_number or "", bills_paid=list(recorded.bills))


def imported_to_proto(result: StatementFileImported) -> pb.ImportBankStatementFileResponse:
    totals = result.totals
    count = Counter(line.recorded.outcome for line in result.lines)
    suspense = sum(1 for line in result.lines if line.recorded.outcome == RECORDED and line.recorded.status == "SUSPENSE")
    return pb.ImportBankStatementFileResponse(
        statement_id=result.header.statement_id, account=result.header.account,
        format=FORMAT_TO_PROTO[result.file_format], already_imported=result.already_imported,
        totals=pb.StatementTotals(opening_sen=totals.opening_sen, credits_sen=totals.credits_sen,
                                  debits_sen=totals.debits_sen, closing_sen=totals.closing_sen, lines=totals.lines,
                                  opening_on=from_date(totals.opening_on), closing_on=from_date(totals.closing_on)),
        results=[line_to_proto(line) for line in result.lines], recorded=count[RECORDED],
        duplicates=count[DUPLICATE], rejected=count[REJECTED], skipped=count[SKIPPED], suspense=suspense,
        file_sha256=result.sha256)
