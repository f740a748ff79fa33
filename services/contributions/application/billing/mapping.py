"""Billing rows as protos (billing.proto)."""
from __future__ import annotations

from datetime import datetime, UTC

from google.protobuf.timestamp_pb2 import Timestamp

from jamsos.contributions.v1 import billing_pb2
from services.chassis.convert import from_date, from_period, from_rupiah
from services.contributions.adapters.bill_queries import BillRow, LineRow
from services.contributions.adapters.billing_run_repository import ALL_BRANCHES, BillingJob, BillingRun
from services.contributions.domain.coverage import CoverageReason, EmployerCoverage
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
    message = billing_pb2.Bill(
        bill_number=bill.bill_number, npp=bill.npp, employer_name=bill.employer_name, branch_code=bill.branch_code,
        period=from_period(bill.period.year, bill.period.month), kind=BILL_KIND[bill.kind], sequence=bill.sequence,
        due_date=from_date(bill.due_date), total=from_rupiah(bill.total_rupiah),
        employer_share=from_rupiah(bill.employer_rupiah), worker_share=from_rupiah(bill.worker_rupiah),
        paid=from_rupiah(bill.paid_rupiah), status=bill.status, status_code=BILL_STATUS.get(bill.status, 0),
        worker_count=bill.worker_count,
        run_id=bill.run_id or "", issued_at=timestamp(bill.issued_at),
    )
    # Lines filled in place (`add()` and fields set one by one): a bill has five lines a
    # worker, and building each line and its two Money messages apart, then copying them
    # in, took twice as long.
    add = message.lines.add
    for line in lines or ():
        out = add()
        out.kpj, out.worker_name, out.program, out.payer = line.kpj, line.worker_name, line.program, line.payer
        out.program_code, out.payer_code = PROGRAM.get(line.program, 0), PAYER.get(line.payer, 0)
        out.base.rupiah, out.rate_bp, out.amount.rupiah = line.base_rupiah, line.rate_bp, line.amount_rupiah
    return message


PROGRAM = {"JHT": billing_pb2.BILL_PROGRAM_JHT, "JKK": billing_pb2.BILL_PROGRAM_JKK, "JK": billing_pb2.BILL_PROGRAM_JK,
           "JPK": billing_pb2.BILL_PROGRAM_JPK}
PAYER = {"EMPLOYER": billing_pb2.BILL_PAYER_EMPLOYER, "WORKER": billing_pb2.BILL_PAYER_WORKER}
BILL_STATUS = {"OPEN": billing_pb2.BILL_STATUS_OPEN, "PAID": billing_pb2.BILL_STATUS_PAID,
               "CREDIT": billing_pb2.BILL_STATUS_CREDIT, "APPLIED": billing_pb2.BILL_STATUS_APPLIED}
COVERAGE_REASON = {reason: getattr(billing_pb2, f"COVERAGE_REASON_{reason.value}") for reason in CoverageReason}


def coverage_to_proto(period: Period, branch_code: str, report: list[tuple[str, str, EmployerCoverage]],
                      names: dict[str, str]) -> billing_pb2.GetBillingCoverageResponse:
    response = billing_pb2.GetBillingCoverageResponse(period=from_period(period.year, period.month), branch_code=branch_code)
    for npp, name, coverage in report:
        response.employers.append(billing_pb2.EmployerCoverage(
            npp=npp, employer_name=name, workers_active=coverage.workers_active, workers_billed=coverage.workers_billed,
            unexplained=coverage.unexplained, differences=[billing_pb2.CoverageDifference(
                kpj=d.kpj, worker_name=names.get(d.kpj, ""), active=d.active, billed=d.billed,
                reason=COVERAGE_REASON[d.reason], bill_numbers=list(d.bill_numbers), other_npp=d.other_npp,
            ) for d in coverage.differences]))
        response.workers_active += coverage.workers_active
        response.workers_billed += coverage.workers_billed
        response.unexplained += coverage.unexplained
    return response
