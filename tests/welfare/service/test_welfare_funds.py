"""The regional funds through the real gRPC server: who allocates, who reads, the balance on a date."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.welfare.v1 import fund_pb2, fund_pb2_grpc
from tests.welfare.service.support import ADMIN, REGIONAL, d, rid, rp, violated_fields

DPKP = fund_pb2.FUND_DPKP


def funds(welfare, office: str, *roles: str):
    return welfare.stub(fund_pb2_grpc.FundServiceStub, office, *roles)


def allocate(welfare, office: str, role: str, region: str, amount: int, on: date, fund=fund_pb2.FUND_PARTNERSHIP):
    return funds(welfare, office, role).AllocateToFund(fund_pb2.AllocateToFundRequest(
        request_id=rid(), region_code=region, fund=fund, amount=rp(amount), booked_on=d(on), reference=rid("SK"),
        reason="penyaluran dana kemitraan"))


def balance(welfare, office: str, role: str, region: str, on: date, fund=fund_pb2.FUND_PARTNERSHIP) -> int:
    return funds(welfare, office, role).GetFundBalance(fund_pb2.GetFundBalanceRequest(
        region_code=region, fund=fund, on_date=d(on))).balance.rupiah


@pytest.mark.rule("O-2")
def test_the_head_office_and_the_region_itself_allocate_and_the_balance_counts_by_date(welfare):
    allocate(welfare, "KP", "HEAD_OFFICE_ADMIN", "KW-DKI", 300_000_000, date(2025, 1, 10))
    response = allocate(welfare, "KW-DKI", REGIONAL, "KW-DKI", 50_000_000, date(2025, 3, 1))
    assert response.balance.rupiah == 350_000_000  # 300,000,000 + 50,000,000
    assert balance(welfare, "KW-DKI", REGIONAL, "KW-DKI", date(2025, 2, 28)) == 300_000_000
    assert balance(welfare, "KC-JAKSEL", ADMIN, "KW-DKI", date(2025, 3, 1)) == 350_000_000  # its own region
    assert balance(welfare, "KP", "HEAD_OFFICE_AUDITOR", "KW-DKI", date(2024, 12, 31)) == 0


@pytest.mark.rule("O-2")
@pytest.mark.parametrize(("office", "role"), [("KW-SUMBAGUT", REGIONAL), ("KC-JAKSEL", ADMIN)])
def test_no_one_else_allocates_or_reads_a_regions_fund(welfare, office, role):
    with pytest.raises(grpc.RpcError) as refused:
        allocate(welfare, office, REGIONAL if office.startswith("KW") else "HEAD_OFFICE_ADMIN", "KW-DKI", 1,
                 date(2025, 1, 10))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as refused:
        balance(welfare, "KC-BINJAI" if office == "KC-JAKSEL" else office, role, "KW-DKI", date(2025, 1, 10))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_an_office_that_is_no_region_has_no_fund(welfare):
    for region in ("KC-BINJAI", "KW-NOWHERE"):
        with pytest.raises(grpc.RpcError) as missing:
            allocate(welfare, "KP", "HEAD_OFFICE_ADMIN", region, 1, date(2025, 1, 10))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND


def test_the_ledger_pages_by_booking_date(welfare):
    for day in (5, 3, 4):
        allocate(welfare, "KP", "HEAD_OFFICE_ADMIN", "KW-SUMBAGUT", day * 1_000, date(2025, 2, day))
    stub = funds(welfare, "KW-SUMBAGUT", REGIONAL)
    first = stub.ListFundEntries(fund_pb2.ListFundEntriesRequest(region_code="KW-SUMBAGUT",
                                                                 fund=fund_pb2.FUND_PARTNERSHIP, page={"page_size": 2}))
    rest = stub.ListFundEntries(fund_pb2.ListFundEntriesRequest(
        region_code="KW-SUMBAGUT", fund=fund_pb2.FUND_PARTNERSHIP,
        page={"page_size": 2, "page_token": first.page.next_page_token}))
    assert [e.amount.rupiah for e in (*first.entries, *rest.entries)] == [3_000, 4_000, 5_000]
    assert not rest.page.next_page_token


def test_bad_input_names_the_field(welfare):
    stub = funds(welfare, "KP", "HEAD_OFFICE_ADMIN")
    for request, fields in (
        (fund_pb2.AllocateToFundRequest(request_id=rid(), region_code="KW-DKI", fund=DPKP, amount=rp(-1),
                                        reference="SK-1", reason="x"), {"amount.rupiah"}),
        (fund_pb2.AllocateToFundRequest(request_id=rid(), region_code="KW-DKI", amount=rp(1), reference="SK-1",
                                        reason="x"), {"fund"}),
        (fund_pb2.AllocateToFundRequest(request_id=rid(), region_code="KW-DKI", fund=DPKP, amount=rp(1),
                                        reference="SK-1"), {"reason"}),
        (fund_pb2.AllocateToFundRequest(request_id=rid(), region_code="KW-DKI", fund=DPKP, amount=rp(1),
                                        reference="SK-1", reason="x", booked_on=d(date(2025, 7, 1))), {"booked_on"}),
    ):
        with pytest.raises(grpc.RpcError) as bad:
            stub.AllocateToFund(request)
        assert violated_fields(bad.value) == fields
