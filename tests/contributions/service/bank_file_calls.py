"""Sending a bank file to ImportBankStatementFile in chunks, and reading what it left."""
from __future__ import annotations

from sqlalchemy import func, select

from jamsos.contributions.v1 import payments_pb2 as pb
from services.contributions.adapters.bank_file_tables import bank_statements
from services.contributions.adapters.money_tables import payments as payments_table

FORMATS = {"mt940": pb.BANK_FILE_FORMAT_MT940, "camt053": pb.BANK_FILE_FORMAT_CAMT053}


def send_file(stub, data: bytes, file_format: str, request_id: str, branch: str = "KC-BINJAI", chunk: int = 300):
    def messages():
        yield pb.ImportBankStatementFileRequest(request_id=request_id, branch_code=branch,
                                                format=FORMATS[file_format], chunk=data[:chunk])
        for start in range(chunk, len(data), chunk):
            yield pb.ImportBankStatementFileRequest(chunk=data[start:start + chunk])
    return stub.ImportBankStatementFile(messages())


def written(contributions) -> tuple[int, int]:
    """(payments, statements) stored."""
    with contributions.app.ctx.base.read_session() as session:
        return (session.execute(select(func.count()).select_from(payments_table)).scalar_one(),
                session.execute(select(func.count()).select_from(bank_statements)).scalar_one())
