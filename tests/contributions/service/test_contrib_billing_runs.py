"""Billing runs (C-5): per-branch jobs, progress, idempotency, resume after a crash, scope (O-2, O-3)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from grpc_status import rpc_status
from google.rpc import error_details_pb2
from sqlalchemy import func, select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.contributions.adapters.tables import bill_lines, bills
from services.contributions.adapters.tables import billing_jobs as billing_jobs_table
from services.contributions.application.billing import jobs as billing_jobs
from tests.contributions.service.read_model_support import Feed, employer_registered, office_tree, worker_enrolled

MARCH = types_pb2.Period(year=2024, month=3)


@pytest.fixture
def feed(contributions):
    feed = Feed(contributions)
    feed(office_tree())
    for n in range(1, 4):  # three employers in Binjai with 2 workers each, one in Medan
        feed(employer_registered(f"1000000{n}"),
             worker_enrolled(f"200000000{n}1", f"1000000{n}", 4_000_000),
             worker_enrolled(f"200000000{n}2", f"1000000{n}", 6_000_000))
    feed(employer_registered("10000009", branch="KC-MEDAN"),
         worker_enrolled("20000000091", "10000009", 5_000_000, branch="KC-MEDAN"))
    return feed


def billing(as_user, office="KC-BINJAI", role="ADMINISTRATION_OFFICER"):
    return as_user(office, role)(billing_pb2_grpc.BillingServiceStub)


def start(stub, request_id, branch="KC-BINJAI", period=MARCH):
    return stub.StartBillingRun(billing_pb2.StartBillingRunRequest(request_id=request_id, period=period, branch_code=branch)).run


def counts(contributions) -> tuple[int, int, int]:
    with contributions.app.ctx.base.read_session() as session:
        outbox = contributions.app.ctx.base.tables["outbox"]
        return (session.execute(select(func.count()).select_from(bills)).scalar_one(),
                session.execute(select(func.count()).select_from(bill_lines)).scalar_one(),
                session.execute(select(func.count()).select_from(outbox).where(
                    outbox.c.event_type == "jamsos.contributions.v1.BillIssued")).scalar_one())


@pytest.mark.rule("C-5")
def test_c5_branch_run_issues_one_spi_per_employer_and_reports_progress(feed, as_user, contributions):
    run = start(billing(as_user), "run-1")
    assert run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED and run.branch_code == "KC-BINJAI"
    assert [(j.branch_code, j.status, j.employers_total, j.employers_done, j.bills_issued) for j in run.jobs] == [
        ("KC-BINJAI", billing_pb2.BILLING_JOB_STATUS_DONE, 3, 3, 3)]
    assert (run.employers_done, run.bills_issued) == (3, 3)
    assert counts(contributions) == (3, 3 * 2 * 5, 3)  # a line per worker and program, a BillIssued per bill
    again = billing(as_user).GetBillingRun(billing_pb2.GetBillingRunRequest(run_id=run.run_id)).run
    assert again == run


@pytest.mark.rule("C-5")
def test_c5_billing_the_same_period_again_issues_nothing_twice(feed, as_user, contributions):
    stub = billing(as_user)
    first = start(stub, "run-1")
    assert start(stub, "run-1") == first  # a retry of the same request
    second = start(stub, "run-2")         # a new run of the same period
    assert second.run_id != first.run_id and second.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED
    assert second.bills_issued == 0 and second.employers_done == 3
    assert counts(contributions) == (3, 30, 3)
    feed(employer_registered("10000004"), worker_enrolled("20000000041", "10000004", 4_000_000))
    late = start(stub, "run-3")  # a late registration is billed by the next run, alone
    assert late.bills_issued == 1 and counts(contributions) == (4, 35, 4)


@pytest.mark.rule("C-5")
def test_c5_a_job_that_crashed_midway_resumes_after_its_last_npp_without_duplicates(feed, as_user, contributions, monkeypatch):
    runs = contributions.app.billing.runs
    monkeypatch.setattr(runs, "chunk_size", 1)  # one employer per transaction
    real, calls = billing_jobs.bill_chunk, []

    def crash_on_second_chunk(uow, terms, employers):
        calls.append(employers[0].npp if employers else None)
        if len(calls) == 2:
            raise RuntimeError("replica killed mid-batch")
        return real(uow, terms, employers)

    monkeypatch.setattr(billing_jobs, "bill_chunk", crash_on_second_chunk)
    with pytest.raises(grpc.RpcError) as crash:
        start(billing(as_user), "run-1")
    assert crash.value.code() == grpc.StatusCode.INTERNAL
    with contributions.app.ctx.base.read_session() as session:
        job = session.execute(select(billing_jobs_table)).one()
    assert (job.status, job.last_npp, job.employers_done, job.bills_issued) == ("RUNNING", "10000001", 1, 1)

    monkeypatch.setattr(billing_jobs, "bill_chunk", real)
    resumed = start(billing(as_user), "run-2")  # asking again resumes the unfinished run
    assert resumed.run_id == job.run_id and resumed.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED
    assert (resumed.jobs[0].employers_done, resumed.jobs[0].bills_issued) == (3, 3)
    assert counts(contributions) == (3, 30, 3)
    assert calls[:2] == ["10000001", "10000002"]


@pytest.mark.rule("C-5")
def test_c5_head_office_bills_every_branch_in_one_job_per_branch(feed, as_user):
    run = start(billing(as_user, "KP"), "run-all", branch="")
    assert run.branch_code == "" and run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED
    assert {j.branch_code: j.bills_issued for j in run.jobs} == {"KC-BINJAI": 3, "KC-MEDAN": 1}
    # A regional user sees its own branches' jobs of a national run (O-2).
    regional = as_user("KW-DKI", "REGIONAL_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    assert list(regional.GetBillingRun(billing_pb2.GetBillingRunRequest(run_id=run.run_id)).run.jobs) == []


@pytest.mark.rule("C-5")
def test_c5_a_future_period_is_refused_with_a_field_violation(feed, as_user):
    with pytest.raises(grpc.RpcError) as err:
        start(billing(as_user), "run-f", period=types_pb2.Period(year=date.today().year + 1, month=1))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = rpc_status.from_call(err.value).details[0]
    bad = error_details_pb2.BadRequest()
    details.Unpack(bad)
    assert bad.field_violations[0].field == "period"


@pytest.mark.rule("O-2", "O-3")
def test_o2_o3_billing_runs_are_the_branch_administration_officers_own(feed, as_user):
    for office, role, branch in (
        ("KC-MEDAN", "ADMINISTRATION_OFFICER", "KC-BINJAI"),   # O-2: another branch
        ("KC-BINJAI", "ADMINISTRATION_OFFICER", ""),           # O-2: every branch is the head office's
        ("KC-BINJAI", "MARKETING_OFFICER", "KC-BINJAI"),       # O-3: not an administration officer
    ):
        with pytest.raises(grpc.RpcError) as err:
            start(billing(as_user, office, role), f"run-{office}-{role}", branch=branch)
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, (office, role, branch)


@pytest.mark.rule("O-2")
def test_o2_a_branch_user_cannot_read_another_branch_bill_it_is_not_found(feed, as_user):
    start(billing(as_user), "run-1")
    number = billing_pb2.GetBillRequest(bill_number="SPI-202403-10000001")
    with pytest.raises(grpc.RpcError) as err:
        billing(as_user, "KC-MEDAN").GetBill(number)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND  # O-2: as if there were no such bill
    with pytest.raises(grpc.RpcError) as err:
        as_user("KW-DKI", "REGIONAL_OFFICER")(billing_pb2_grpc.BillingServiceStub).GetBill(number)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert as_user("KW-SUMBAGUT", "REGIONAL_OFFICER")(billing_pb2_grpc.BillingServiceStub).GetBill(number).bill.npp == "10000001"
    assert as_user("KP", "HEAD_OFFICE_AUDITOR")(billing_pb2_grpc.BillingServiceStub).GetBill(number).bill.npp == "10000001"
    with pytest.raises(grpc.RpcError) as err:
        billing(as_user, "KC-MEDAN").ListBills(billing_pb2.ListBillsRequest(branch_code="KC-BINJAI"))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert list(billing(as_user, "KC-MEDAN").ListBills(billing_pb2.ListBillsRequest(npp="10000001")).bills) == []


@pytest.mark.rule("C-5")
def test_c5_bills_listed_by_branch_and_employer_with_paging(feed, as_user):
    stub = billing(as_user)
    start(stub, "run-1")
    start(stub, "run-2", period=types_pb2.Period(year=2024, month=4))
    page = stub.ListBills(billing_pb2.ListBillsRequest(branch_code="KC-BINJAI", page=types_pb2.PageRequest(page_size=4)))
    rest = stub.ListBills(billing_pb2.ListBillsRequest(branch_code="KC-BINJAI", page=types_pb2.PageRequest(
        page_size=4, page_token=page.page.next_page_token)))
    numbers = [b.bill_number for b in [*page.bills, *rest.bills]]
    assert numbers == ["SPI-202404-10000001", "SPI-202404-10000002", "SPI-202404-10000003",
                       "SPI-202403-10000001", "SPI-202403-10000002", "SPI-202403-10000003"]
    assert rest.page.next_page_token == ""
    march = stub.ListBills(billing_pb2.ListBillsRequest(npp="10000002", period=MARCH)).bills
    assert [(b.bill_number, b.worker_count, b.total.rupiah) for b in march] == [
        ("SPI-202403-10000002", 2, 684_000)]  # (4,000,000 + 6,000,000) x 6.24% + 2 x 30,000 JPK


@pytest.mark.rule("C-5")
def test_c5_spi_notice_rendered_as_pdf_and_as_text(feed, as_user):
    stub = billing(as_user)
    start(stub, "run-1")
    pdf = stub.RenderSpi(billing_pb2.RenderSpiRequest(bill_number="SPI-202403-10000001"))
    assert pdf.content_type == "application/pdf" and pdf.file_name == "SPI-202403-10000001.pdf"
    assert pdf.content.startswith(b"%PDF-1.4") and pdf.content.rstrip().endswith(b"%%EOF")
    assert b"NPP 10000001" in pdf.content
    assert_xref_points_at_every_object(pdf.content)
    text = stub.RenderSpi(billing_pb2.RenderSpiRequest(bill_number="SPI-202403-10000001",
                                                       format=billing_pb2.SPI_FORMAT_TEXT)).content.decode()
    assert "Periode       : 2024-03" in text and "Jatuh tempo   : 2024-04-15" in text
    assert "20000000011" in text and "20000000012" in text
    assert "TOTAL IURAN              : Rp 684.000" in text  # (4,000,000 + 6,000,000) x 6.24% + 2 x 30,000 JPK


def assert_xref_points_at_every_object(pdf: bytes) -> None:
    """The hand-written PDF is well formed: startxref finds the table, each entry its object."""
    start = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
    assert pdf[start:start + 4] == b"xref"
    header, *entries = pdf[start:].split(b"trailer")[0].splitlines()[1:]
    count = int(header.split()[1])
    assert len(entries) == count
    for number, entry in enumerate(entries[1:], start=1):
        offset = int(entry.split()[0])
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
