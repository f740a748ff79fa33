"""A bank's statement file (MT940 or camt.053) sent as it came, in chunks, with a progress
bar over the bytes sent; the server checks the file's totals and matches every line (C-7).
A large statement's answer is its summary only: its lines are then read a page at a time
(ListStatementLines), so the CLI shows them whatever the size."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import payments_pb2

from .connection import Session
from .progress import progress_bar

CHUNK_BYTES = 256 * 1024
LINES_PAGE = 500  # the service's largest page
FORMATS = {"mt940": payments_pb2.BANK_FILE_FORMAT_MT940, "camt053": payments_pb2.BANK_FILE_FORMAT_CAMT053}


def send_file(session: Session, stub: Any, path: Path, file_format: str, branch: str,
              request_id: str) -> payments_pb2.ImportBankStatementFileResponse:
    size = path.stat().st_size
    with progress_bar(session.as_json) as bar:
        task = bar.add_task(f"sending {path.name}", total=size)

        def messages() -> Iterator[payments_pb2.ImportBankStatementFileRequest]:
            first = True
            with open(path, "rb") as handle:
                while chunk := handle.read(CHUNK_BYTES):
                    message = payments_pb2.ImportBankStatementFileRequest(chunk=chunk)
                    if first:  # the header rides on the first chunk only
                        message.request_id, message.branch_code, message.format = request_id, branch, FORMATS[file_format]
                    first = False
                    yield message
                    bar.advance(task, len(chunk))

        response: payments_pb2.ImportBankStatementFileResponse = stub.ImportBankStatementFile(messages())
    if response.results_omitted:
        response.results.extend(listed_lines(stub, response.import_id))
    return response


def listed_lines(stub: Any, import_id: str) -> Iterator[payments_pb2.StatementFileLineResult]:
    token = ""
    while True:
        page = stub.ListStatementLines(payments_pb2.ListStatementLinesRequest(
            import_id=import_id, page=types_pb2.PageRequest(page_size=LINES_PAGE, page_token=token)))
        yield from page.results
        token = page.page.next_page_token
        if not token:
            return
