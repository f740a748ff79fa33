"""C-5: WatchBillingRun streams a run's progress to the end, and bills carry enum fields.

The run here is written PENDING (as StartBillingRun leaves it when replicas take its jobs
from the topic) and billed by a thread one employer per chunk, so the stream sees it move.
"""
from __future__ import annotations

import threading
import time
from datetime import date, datetime, UTC

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2 as R, billing_pb2_grpc
from services.contributions.adapters.billing_run_repository import PENDING, BillingJobStore
from services.contributions.application.billing import jobs
from services.contributions.domain.periods import Period
from tests.contributions.service.read_model_support import Feed, employer_registered, office_tree, worker_enrolled

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
NPPS = ("10000001", "10000002", "10000003")


@pytest.fixture
def billing(contributions, as_user):
    feed = Feed(contributions)
    feed(office_tree(), *(employer_registered(n) for n in NPPS),
         *(worker_enrolled(f"2000000000{i}", n, 4_000_000, start=date(2024, 1, 2)) for i, n in enumerate(NPPS, 1)))
    return as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)


def pending_run(contributions) -> str:
    with contributions.app.ctx.base.unit_of_work() as uow:
        store = BillingJobStore(uow.session)
        store.add_run(run_id="run-watched", period=Period(2024, 3), scope="KC-BINJAI", status=PENDING,
                      requested_by="ani", created_at=datetime.now(UTC), completed_at=None)
        store.add_jobs("run-watched", {"KC-BINJAI": 3}, datetime.now(UTC))
        uow.commit()
    return "run-watched"


@pytest.mark.rule("C-5")
def test_c5_watch_streams_each_move_of_the_run_and_ends_when_it_completes(contributions, billing):
    run_id = pending_run(contributions)

    def bill_slowly() -> None:
        time.sleep(0.4)
        jobs.run_jobs_inline(contributions.app.ctx.base.unit_of_work, run_id, chunk_size=1)

    worker = threading.Thread(target=bill_slowly)
    worker.start()
    seen = [u.run for u in billing.WatchBillingRun(R.WatchBillingRunRequest(run_id=run_id), timeout=20)]
    worker.join()
    assert seen[0].status == R.BILLING_RUN_STATUS_PENDING and seen[0].employers_done == 0
    assert seen[-1].status == R.BILLING_RUN_STATUS_COMPLETED
    assert (seen[-1].employers_done, seen[-1].bills_issued, seen[-1].jobs[0].status) == (3, 3, R.BILLING_JOB_STATUS_DONE)
    assert all(a != b for a, b in zip(seen, seen[1:], strict=False))  # an answer only when the run moved
    done = [r.employers_done for r in seen]
    assert done == sorted(done)


@pytest.mark.rule("C-5")
def test_c5_watch_ends_at_the_clients_deadline_and_checks_its_input(contributions, billing):
    run_id = pending_run(contributions)
    stream = billing.WatchBillingRun(R.WatchBillingRunRequest(run_id=run_id), timeout=0.8)
    first = next(stream)
    assert first.run.status == R.BILLING_RUN_STATUS_PENDING
    with pytest.raises(grpc.RpcError) as late:
        list(stream)
    assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    for request, code in ((R.WatchBillingRunRequest(), grpc.StatusCode.INVALID_ARGUMENT),
                          (R.WatchBillingRunRequest(run_id="no-such-run"), grpc.StatusCode.NOT_FOUND)):
        with pytest.raises(grpc.RpcError) as bad:
            list(billing.WatchBillingRun(request, timeout=5))
        assert bad.value.code() == code


@pytest.mark.rule("C-5")
def test_c5_bills_and_lines_carry_enum_fields_beside_the_deprecated_strings(billing):
    billing.StartBillingRun(R.StartBillingRunRequest(request_id="r", period=types_pb2.Period(year=2024, month=3),
                                                     branch_code="KC-BINJAI"))
    bill = billing.GetBill(R.GetBillRequest(bill_number="SPI-202403-10000001")).bill
    assert (bill.status, bill.status_code) == ("OPEN", R.BILL_STATUS_OPEN)
    pairs = {(line.program, line.payer): (line.program_code, line.payer_code) for line in bill.lines}
    assert pairs == {("JHT", "EMPLOYER"): (R.BILL_PROGRAM_JHT, R.BILL_PAYER_EMPLOYER),
                     ("JHT", "WORKER"): (R.BILL_PROGRAM_JHT, R.BILL_PAYER_WORKER),
                     ("JKK", "EMPLOYER"): (R.BILL_PROGRAM_JKK, R.BILL_PAYER_EMPLOYER),
                     ("JK", "EMPLOYER"): (R.BILL_PROGRAM_JK, R.BILL_PAYER_EMPLOYER),
                     ("JPK", "EMPLOYER"): (R.BILL_PROGRAM_JPK, R.BILL_PAYER_EMPLOYER)}
    # Rp4,000,000 risk group I: 148,000 + 80,000 + 9,600 + 12,000 + 30,000 = 279,600
    assert bill.total.rupiah == 279_600
