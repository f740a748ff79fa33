"""What depends on the database, on SQLite and PostgreSQL: the read model's upserts, the
locks that keep a bank reference counted once and a fund from being spent twice when
requests race, and the region's locked steps on a branch's PUMP case."""
from __future__ import annotations

import threading
from datetime import date

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.welfare.v1 import fund_pb2, fund_pb2_grpc, loans_pb2, loans_pb2_grpc
from jamsos.welfare.v1 import pump_pb2 as pb
from services.welfare.adapters.tables import loan_repayments
from tests.service_harness import shared_runtime
from tests.welfare.service import coop_support as coop
from tests.welfare.service import pump_support as pump
from tests.welfare.service.support import (
    FINANCE, Welfare, d, new_kpj, rid, rp, standing_changed, wage_changed, worker_enrolled, worker_terminated,
)
from services.welfare.bootstrap import definition


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def both(request, tmp_path_factory):
    for runtime in shared_runtime(definition(), request, tmp_path_factory):
        service = Welfare(runtime)
        yield service
        service.channel.close()


def race(*calls) -> list[object]:
    """Run the calls at once; each result or the RpcError it raised."""
    results: list[object] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i, call):
        start.wait()
        try:
            results[i] = call()
        except grpc.RpcError as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.rule("W-S-2", "C-8")
def test_the_read_model_upserts_make_a_redelivery_change_nothing(both):
    npp = both.employer()
    kpj = new_kpj()
    events = [worker_enrolled(kpj, npp, 4_000_000, start=date(2020, 2, 3)),
              wage_changed(kpj, npp, 4_500_000, date(2025, 1, 1)), standing_changed(npp, False, date(2025, 5, 1)),
              worker_terminated(kpj, npp, date(2025, 5, 31))]
    assert both.feed(*events) == ["applied"] * 4
    assert both.feed(*events) == ["applied"] * 4


@pytest.mark.rule("W-K-3")
def test_two_requests_racing_with_one_bank_reference_count_it_once(both):
    both.fund()
    application, loan_id = coop.agreed_loan(both, both.employer())
    coop.disburse(both, application.application_id)
    stub = both.stub(loans_pb2_grpc.LoanServiceStub, "KC-BINJAI", FINANCE)
    reference = rid("BNI-RACE")

    def pay():
        return stub.RecordRepayment(loans_pb2.RecordRepaymentRequest(
            request_id=rid(), loan_id=loan_id, bank_reference=reference, amount=rp(2_800_000),
            paid_on=d(date(2025, 6, 30))))

    results = race(pay, pay, pay)
    assert sum(isinstance(r, loans_pb2.RecordRepaymentResponse) for r in results) == 1
    assert {r.code() for r in results if isinstance(r, grpc.RpcError)} <= {
        grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.ABORTED}
    with both.runtime.app.ctx.base.read_session() as session:
        assert session.execute(select(func.count()).select_from(loan_repayments)
                               .where(loan_repayments.c.bank_reference == reference)).scalar_one() == 1
    loan = stub.GetLoan(loans_pb2.GetLoanRequest(loan_id=loan_id)).loan
    assert loan.paid.rupiah == 2_800_000


@pytest.mark.rule("W-K-3")
def test_two_transfers_racing_for_one_balance_spend_it_once(both):
    region_fund = both.stub(fund_pb2_grpc.FundServiceStub, "KW-DKI", "REGIONAL_OFFICER")
    npp = both.employer(branch="KC-JAKPUS")
    agreed = []
    for _ in range(2):
        application = coop.propose(both, npp, office="KC-JAKPUS")
        coop.check(both, application.application_id, office="KC-JAKPUS")
        coop.approve(both, application.application_id, office="KC-JAKPUS")
        coop.sign(both, application.application_id, office="KC-JAKPUS")
        agreed.append(application.application_id)
    region_fund.AllocateToFund(fund_pb2.AllocateToFundRequest(
        request_id=rid(), region_code="KW-DKI", fund=fund_pb2.FUND_DPKP, amount=rp(150_000_000),
        booked_on=d(date(2025, 6, 1)), reference=rid("SK"), reason="one loan's worth"))
    results = race(*(lambda a=a: coop.disburse(both, a, office="KC-JAKPUS") for a in agreed))
    assert sum(not isinstance(r, grpc.RpcError) for r in results) == 1
    balance = region_fund.GetFundBalance(fund_pb2.GetFundBalanceRequest(region_code="KW-DKI", fund=fund_pb2.FUND_DPKP))
    assert balance.balance.rupiah == 150_000_000 - 120_000_000


@pytest.mark.rule("W-P-3", "W-P-4")
def test_the_regions_steps_on_a_branchs_case(both):
    both.fund(region="KW-SUMBAGUT")
    npp = both.employer(branch="KC-MEDAN")
    kpj = both.worker(npp, branch="KC-MEDAN")
    application = pump.submit(both, npp, [kpj], office="KC-MEDAN")
    pump.check(both, application.application_id, "KC-MEDAN")
    pump.approve(both, application.application_id, "KC-MEDAN")
    pump.bank(both, application.application_id, kpj, office="KC-MEDAN")
    pump.report(both, application.application_id, "KC-MEDAN")
    assert pump.determine(both, application.application_id).status == pb.PUMP_STATUS_DETERMINED
    pump.sign(both, application.application_id, "KC-MEDAN")
    moved = pump.transfer(both, application.application_id)
    assert moved.application.status == pb.PUMP_STATUS_TRANSFERRED and moved.loans[0].region_code == "KW-SUMBAGUT"
