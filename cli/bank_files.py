"""A bank's statement file (MT940 or camt.053) sent as it came, in chunks, with a progress
bar over the bytes sent; the server checks the file's totals and matches every line (C-7)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jamsos.contributions.v1 import payments_pb2

from .connection import Session
from .progress import progress_bar

CHUNK_BYTES = 256 * 1024
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
        return response
