"""Contribution calculation through the service, in hand-computed rupiah (C-1..C-4, C-6, C-6a)."""
from __future__ import annotations

from datetime import date

import uuid

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc, rules_pb2, rules_pb2_grpc
from services.contributions.bootstrap import definition
from tests.contributions.service.read_model_support import Feed, d, employer_registered, office_tree, rp, worker_enrolled
from tests.service_harness import Caller, start_service, token_for

ADMIN = ("KC-BINJAI", "ADMINISTRATION_OFFICER")
HEAD_ADMIN = ("KP", "HEAD_OFFICE_ADMIN")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def calculation_service(request, tmp_path_factory):
    """One service per backend for this module: every test bills employers of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('calc')}/contributions.db"
    else:
        server = request.getfixturevalue("postgres_server")
        name = f"test_calc_{uuid.uuid4().hex[:12]}"
        url = server.create_database(name)
        request.addfinalizer(lambda: server.drop_database(name))
    runtime = start_service(definition(), url)
    Feed(runtime)(office_tree())
    yield runtime
    runtime.stop(grace=0)


@pytest.fixture
def feed(calculation_service):
    return Feed(calculation_service)


@pytest.fixture
def as_user(calculation_service):
    with grpc.insecure_channel(f"127.0.0.1:{calculation_service.grpc_port}") as channel:
        yield lambda office, *roles: Caller(channel, token_for(office, *roles))


def bill_for(as_user, npp: str, year: int, month: int, branch: str = "KC-BINJAI") -> billing_pb2.Bill:
    stub = as_user(branch, "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    run = stub.StartBillingRun(billing_pb2.StartBillingRunRequest(
        request_id=uuid.uuid4().hex, period=types_pb2.Period(year=year, month=month), branch_code=branch)).run
    assert run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED
    return stub.GetBill(billing_pb2.GetBillRequest(bill_number=f"SPI-{year:04d}{month:02d}-{npp}")).bill


def shares(bill: billing_pb2.Bill, kpj: str) -> dict[tuple[str, str], int]:
    return {(l.program, l.payer): l.amount.rupiah for l in bill.lines if l.kpj == kpj}


# Each test bills employers of its own (NPP 1xxxxxxx, KPJ 2xxxxxxxxxx) in the module's service.

@pytest.mark.rule("C-1", "C-2", "C-3", "C-4")
def test_c1_c2_c3_c4_lines_of_a_married_worker_in_risk_group_iii(feed, as_user):
    feed(employer_registered("11000001", risk_group=3),
         worker_enrolled("21000000001", "11000001", 5_000_000, marital="MARRIED"))
    bill = bill_for(as_user, "11000001", 2024, 3)
    assert shares(bill, "21000000001") == {
        ("JHT", "EMPLOYER"): 185_000,  # C-1 3.7% of 5,000,000
        ("JHT", "WORKER"): 100_000,    # C-1 2%
        ("JKK", "EMPLOYER"): 44_500,   # C-3 group III 0.89%
        ("JK", "EMPLOYER"): 15_000,    # C-2 0.3%
        ("JPK", "EMPLOYER"): 60_000,   # C-4 married 6% of the Rp1,000,000 cap
    }
    assert bill.total.rupiah == 404_500 and bill.worker_share.rupiah == 100_000 and bill.employer_share.rupiah == 304_500
    jpk = [l for l in bill.lines if l.program == "JPK"][0]
    assert jpk.base.rupiah == 1_000_000 and jpk.rate_bp == 600


@pytest.mark.rule("C-3")
def test_c3_jkk_rate_follows_the_employer_risk_group(feed, as_user):
    for group in range(1, 6):
        feed(employer_registered(f"1200000{group}", risk_group=group),
             worker_enrolled(f"2200000000{group}", f"1200000{group}", 5_000_000))
    stub = as_user(*ADMIN)(billing_pb2_grpc.BillingServiceStub)
    stub.StartBillingRun(billing_pb2.StartBillingRunRequest(request_id=uuid.uuid4().hex, branch_code="KC-BINJAI",
                                                            period=types_pb2.Period(year=2024, month=3)))
    jkk = {}
    for group in range(1, 6):
        bill = stub.GetBill(billing_pb2.GetBillRequest(bill_number=f"SPI-202403-1200000{group}")).bill
        jkk[group] = shares(bill, f"2200000000{group}")[("JKK", "EMPLOYER")]
    # C-3: I 0.24%, II 0.54%, III 0.89%, IV 1.27%, V 1.74% of 5,000,000
    assert jkk == {1: 12_000, 2: 27_000, 3: 44_500, 4: 63_500, 5: 87_000}


@pytest.mark.rule("C-4")
def test_c4_jpk_single_3_percent_capped_and_uncapped_below_the_cap(feed, as_user):
    feed(employer_registered("13000001"),
         worker_enrolled("23000000001", "13000001", 4_000_000, marital="SINGLE"),
         worker_enrolled("23000000002", "13000001", 800_000, marital="MARRIED"))
    bill = bill_for(as_user, "13000001", 2024, 3)
    assert shares(bill, "23000000001")[("JPK", "EMPLOYER")] == 30_000   # 3% of the 1,000,000 cap
    assert shares(bill, "23000000002")[("JPK", "EMPLOYER")] == 48_000   # 6% of 800,000 (below the cap)
    assert shares(bill, "23000000002")[("JHT", "EMPLOYER")] == 29_600   # C-1 on the whole wage: 3.7% of 800,000
    assert bill.worker_count == 2


@pytest.mark.rule("C-6a")
def test_c6a_a_wage_below_the_umk_is_raised_to_the_umk_for_every_program(feed, as_user):
    as_user(*HEAD_ADMIN)(rules_pb2_grpc.RuleServiceStub).SetUmkRate(rules_pb2.SetUmkRateRequest(
        request_id=uuid.uuid4().hex, reason="UMK Sibolga 2024", rate=rules_pb2.UmkRate(
            branch_code="KC-SIBOLGA", effective_from=d(date(2024, 1, 1)), monthly_wage=rp(3_000_000))))
    feed(employer_registered("14000001", risk_group=2, branch="KC-SIBOLGA"),
         worker_enrolled("24000000001", "14000001", 2_500_000, branch="KC-SIBOLGA"),
         worker_enrolled("24000000002", "14000001", 3_500_000, branch="KC-SIBOLGA"))
    bill = bill_for(as_user, "14000001", 2024, 3, branch="KC-SIBOLGA")
    assert shares(bill, "24000000001") == {
        ("JHT", "EMPLOYER"): 111_000, ("JHT", "WORKER"): 60_000,  # on the UMK 3,000,000, not the 2,500,000 wage
        ("JKK", "EMPLOYER"): 16_200, ("JK", "EMPLOYER"): 9_000, ("JPK", "EMPLOYER"): 30_000,
    }
    assert shares(bill, "24000000002")[("JHT", "EMPLOYER")] == 129_500  # above the UMK: the wage itself
    assert {l.base.rupiah for l in bill.lines if l.kpj == "24000000001" and l.program != "JPK"} == {3_000_000}


@pytest.mark.rule("M-4")
def test_m4_only_the_programs_a_worker_is_enrolled_in_are_billed(feed, as_user):
    feed(employer_registered("15000001"),
         worker_enrolled("25000000001", "15000001", 5_000_000, programs=("JHT", "JKK")))
    bill = bill_for(as_user, "15000001", 2024, 3)
    assert sorted(shares(bill, "25000000001")) == [("JHT", "EMPLOYER"), ("JHT", "WORKER"), ("JKK", "EMPLOYER")]


@pytest.mark.rule("C-6")
def test_c6_due_on_the_15th_of_the_next_month_rolled_over_weekend_and_holidays(feed, as_user):
    as_user(*HEAD_ADMIN)(rules_pb2_grpc.RuleServiceStub).SetHolidays(rules_pb2.SetHolidaysRequest(
        request_id=uuid.uuid4().hex, year=2024, reason="SKB 3 Menteri 2024", holidays=[
            rules_pb2.Holiday(day=d(date(2024, 6, 17)), name="Idul Adha"),
            rules_pb2.Holiday(day=d(date(2024, 6, 18)), name="Cuti bersama Idul Adha")]))
    feed(employer_registered("16000001"), worker_enrolled("26000000001", "16000001", 5_000_000))
    assert bill_for(as_user, "16000001", 2024, 3).due_date == d(date(2024, 4, 15))  # a Monday
    # 15 June 2024 is a Saturday; Monday 17 and Tuesday 18 are holidays: due Wednesday 19 June.
    assert bill_for(as_user, "16000001", 2024, 5).due_date == d(date(2024, 6, 19))


@pytest.mark.rule("C-6")
def test_c6_pp49_2020_version_for_2020_09_and_the_normal_rules_for_2021_03(feed, as_user):
    feed(employer_registered("17000001"), worker_enrolled("27000000001", "17000001", 5_000_000))
    relief = bill_for(as_user, "17000001", 2020, 9)
    normal = bill_for(as_user, "17000001", 2021, 3)
    assert relief.due_date == d(date(2020, 10, 30))  # PP 49/2020: the 30th of the next month
    assert normal.due_date == d(date(2021, 4, 15))   # back to the 15th
    # Same rates in both versions: 185,000 + 100,000 + 12,000 (JKK I) + 15,000 + 30,000 (JPK single).
    assert relief.total.rupiah == normal.total.rupiah == 342_000
