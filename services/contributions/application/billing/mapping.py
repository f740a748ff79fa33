"""Billing's requests as commands and its rows and results as protos (billing.proto)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, UTC
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from jamsos.contributions.v1 import billing_pb2
from services.chassis.convert import (
    decode_page_token, encode_page_token, from_date, from_period, from_rupiah, page_size, to_period,
)
from services.chassis.errors import InvalidArgument
from services.contributions.adapters.bill_queries import BillCursor, BillRow, LineRow
from services.contributions.application.billing import commands as c
from services.contributions.adapters.billing_run_repository import ALL_BRANCHES, BillingJob, BillingRun
from services.contributions.domain.coverage import CoverageReason
from services.contributions.domain.periods import Period

RUN_STATUS = {"PENDING": billing_pb2.BILLING_RUN_STATUS_PENDING, "RUNNING": billing_pb2.BILLING_RUN_STATUS_RUNNING,
              "COMPLETED": billing_pb2.BILLING_RUN_STATUS_COMPLETED}
JOB_STATUS = {"PENDING": billing_pb2.BILLING_JOB_STATUS_PENDING, "RUNNING": billing_pb2.BILLING_JOB_STATUS_RUNNING,
              "DONE": billing_pb2.BILLING_JOB_STATUS_DONE}
BILL_KIND = {"REGULAR": billing_pb2.BILL_KIND_REGULAR, "CORRECTION": billing_pb2.BILL_KIND_CORRECTION}


def timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def run_to_proto(run: BillingRun, jobs: list[BillingJob]) -> billing_pb2.BillingRun:
    message = billing_pb2.BillingRun(
        run_id=run.run_id, period=from_period(run.period_year, run.period_month),
        branch_code="" if run.scope == ALL_BRANCHES else run.scope, status=RUN_STATUS[run.status],
        requested_by=run.requested_by, created_at=timestamp(run.created_at), completed_at=timestamp(run.completed_at),
    )
    for job in jobs:
        message.jobs.append(job_to_proto(job))
        message.employers_total += job.employers_total
        message.employers_done += job.employers_done
        message.bills_issued += job.bills_issued
    return message


def job_to_proto(job: BillingJob) -> billing_pb2.BillingJob:
    return billing_pb2.BillingJob(
        branch_code=job.branch_code, status=JOB_STATUS[job.status], employers_total=job.employers_total,
        employers_done=job.employers_done, bills_issued=job.bills_issued,
    )


def run_to_proto_filtered(run: billing_pb2.BillingRun, visible: list[BillingJob]) -> billing_pb2.BillingRun:
    """`run` with only the `visible` jobs, and totals over them (O-2: a national run seen
    from a region)."""
    trimmed = billing_pb2.BillingRun()
    trimmed.CopyFrom(run)
    del trimmed.jobs[:]
    trimmed.jobs.extend(job_to_proto(j) for j in visible)
    trimmed.employers_total = sum(j.employers_total for j in visible)
    trimmed.employers_done = sum(j.employers_done for j in visible)
    trimmed.bills_issued = sum(j.bills_issued for j in visible)
    return trimmed


def bill_to_proto(bill: BillRow, lines: list[LineRow] | None = None) -> billing_pb2.Bill:
    message = _bill(bill, bill.period.year, bill.period.month, bill.worker_count)
    _add_lines(message, lines or ())
    return message


def lines_part(lines: Iterable[Any]) -> bytes:
    """A bill's lines as the answer serialises them (a Bill holding only its lines), for
    `IssuedLines` to keep."""
    message = billing_pb2.Bill()
    _add_lines(message, lines)
    return message.SerializeToString()


# A message's bytes are its fields in number order, a repeated field's items one after the
# other: GetBill's answer is the bill's fields before `lines`, the kept lines, then the rest.
_LINES_FIELD = billing_pb2.Bill.DESCRIPTOR.fields_by_name["lines"].number
assert [f.name for f in billing_pb2.Bill.DESCRIPTOR.fields if f.number > _LINES_FIELD] == ["status_code"]
_GET_BILL_RESPONSE_BILL_TAG = b"\x0a"  # GetBillResponse.bill: field 1, length-delimited


def bill_answer_bytes(row: Any, lines: bytes, worker_count: int) -> bytes:
    """GetBill's answer, serialised: the bill's fields (`_bill`) with its kept `lines_part`,
    byte for byte the message holding both, without parsing the kept lines and serialising
    them back (for a 250-line bill 25 µs, not 140)."""
    head = _bill(row, row.period_year, row.period_month, worker_count)
    tail = billing_pb2.Bill(status_code=head.status_code).SerializeToString()
    head.ClearField("status_code")
    bill = head.SerializeToString() + lines + tail
    return _GET_BILL_RESPONSE_BILL_TAG + _varint(len(bill)) + bill


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _bill(bill: Any, year: int, month: int, worker_count: int) -> billing_pb2.Bill:
    """The bill without its lines, from a BillRow or a row with the same column names."""
    return billing_pb2.Bill(
        bill_number=bill.bill_number, npp=bill.npp, employer_name=bill.employer_name, branch_code=bill.branch_code,
        period=from_period(year, month), kind=BILL_KIND[bill.kind], sequence=bill.sequence,
        due_date=from_date(bill.due_date), total=from_rupiah(bill.total_rupiah),
        employer_share=from_rupiah(bill.employer_rupiah), worker_share=from_rupiah(bill.worker_rupiah),
        paid=from_rupiah(bill.paid_rupiah), status=bill.status, status_code=BILL_STATUS.get(bill.status, 0),
        worker_count=worker_count,
        run_id=bill.run_id or "", issued_at=timestamp(bill.issued_at),
    )


def _add_lines(message: billing_pb2.Bill, lines: Iterable[Any]) -> None:
    """Lines (LineRows or rows with the same names) filled in place (`add()` and fields set
    one by one): a bill has five lines a worker, and building each line and its two Money
    messages apart, then copying them in, took twice as long."""
    add, program_code, payer_code = message.lines.add, PROGRAM.get, PAYER.get
    for line in lines:
        out = add()
        out.kpj, out.worker_name, out.program, out.payer = line.kpj, line.worker_name, line.program, line.payer
        out.program_code, out.payer_code = program_code(line.program, 0), payer_code(line.payer, 0)
        out.base.rupiah, out.rate_bp, out.amount.rupiah = line.base_rupiah, line.rate_bp, line.amount_rupiah


PROGRAM = {"JHT": billing_pb2.BILL_PROGRAM_JHT, "JKK": billing_pb2.BILL_PROGRAM_JKK, "JK": billing_pb2.BILL_PROGRAM_JK,
           "JPK": billing_pb2.BILL_PROGRAM_JPK}
PAYER = {"EMPLOYER": billing_pb2.BILL_PAYER_EMPLOYER, "WORKER": billing_pb2.BILL_PAYER_WORKER}
BILL_STATUS = {"OPEN": billing_pb2.BILL_STATUS_OPEN, "PAID": billing_pb2.BILL_STATUS_PAID,
               "CREDIT": billing_pb2.BILL_STATUS_CREDIT, "APPLIED": billing_pb2.BILL_STATUS_APPLIED}
COVERAGE_REASON = {reason: getattr(billing_pb2, f"COVERAGE_REASON_{reason.value}") for reason in CoverageReason}


def coverage_to_proto(report: c.CoverageReport) -> billing_pb2.GetBillingCoverageResponse:
    period, names = report.period, report.worker_names
    response = billing_pb2.GetBillingCoverageResponse(period=from_period(period.year, period.month),
                                                      branch_code=report.branch_code)
    for row in report.employers:
        coverage = row.coverage
        response.employers.append(billing_pb2.EmployerCoverage(
            npp=row.npp, employer_name=row.employer_name, workers_active=coverage.workers_active,
            workers_billed=coverage.workers_billed, unexplained=coverage.unexplained,
            differences=[billing_pb2.CoverageDifference(
                kpj=d.kpj, worker_name=names.get(d.kpj, ""), active=d.active, billed=d.billed,
                reason=COVERAGE_REASON[d.reason], bill_numbers=list(d.bill_numbers), other_npp=d.other_npp,
            ) for d in coverage.differences]))
        response.workers_active += coverage.workers_active
        response.workers_billed += coverage.workers_billed
        response.unexplained += coverage.unexplained
    return response


def bill_page_to_proto(page: c.BillPage) -> billing_pb2.ListBillsResponse:
    response = billing_pb2.ListBillsResponse(bills=[bill_to_proto(b) for b in page.bills])
    if page.next_after is not None:
        after = page.next_after
        response.page.next_page_token = encode_page_token({"y": after.period.year, "m": after.period.month,
                                                           "b": after.bill_number})
    return response


def spi_to_proto(document: c.SpiDocument) -> billing_pb2.RenderSpiResponse:
    return billing_pb2.RenderSpiResponse(bill_number=document.bill_number, content_type=document.content_type,
                                         file_name=document.file_name, content=document.content)


# ---- requests to commands ---------------------------------------------------------------
def get_bill(request: billing_pb2.GetBillRequest) -> c.GetBill:
    return c.GetBill(request.bill_number)


def list_bills(request: billing_pb2.ListBillsRequest) -> c.ListBills:
    npp, branch = request.npp.strip(), request.branch_code.strip()
    if not npp and not branch:
        raise InvalidArgument.field("npp", "give an npp or a branch_code")
    period = Period(*to_period(request, "period")) if request.HasField("period") else None
    size = page_size(request.page)
    return c.ListBills(npp or None, branch or None, period, _bill_cursor(request.page.page_token), size)


def _bill_cursor(token: str) -> BillCursor | None:
    after = decode_page_token(token)
    if after is None:
        return None
    year, month, number = after.get("y"), after.get("m"), after.get("b")
    if not (type(year) is int and type(month) is int and 1900 <= year <= 9998 and 1 <= month <= 12
            and isinstance(number, str)):
        raise InvalidArgument.field("page.page_token", "not a token this service issued")
    return BillCursor(Period(year, month), number)


def render_spi(request: billing_pb2.RenderSpiRequest) -> c.RenderSpi:
    text = request.format == billing_pb2.SPI_FORMAT_TEXT
    return c.RenderSpi(request.bill_number, c.SpiFormat.TEXT if text else c.SpiFormat.PDF)


def get_coverage(request: billing_pb2.GetBillingCoverageRequest) -> c.GetCoverage:
    branch = request.branch_code.strip()
    if not branch:
        raise InvalidArgument.field("branch_code", "required: the branch whose employers are compared")
    return c.GetCoverage(branch, Period(*to_period(request, "period")), request.npp.strip() or None)
