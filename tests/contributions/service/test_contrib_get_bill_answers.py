"""GetBill answers from the lookup's rows (`adapters/bill_lookups.py`) byte for byte what the
BillRow and LineRow path gives (`BillReader.get` and `bill_to_proto`), on bills of every
kind and status, and keeps the branch wall (O-2) on both databases.

The bills: two regular months of three workers, a back-dated wage raise (debit corrections),
a back-dated termination (a CREDIT correction), one bill paid and one credit applied, and a
bill of an employer and a worker the read model does not know (empty names). The lines
GetBill keeps (`IssuedLines`) answer the same bytes, and a worker renamed in the read model
shows at once.
"""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import select, update

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.chassis.context import BRANCH, REGIONAL, Principal, request_context
from services.contributions.adapters.bill_lookups import IssuedLines
from services.contributions.adapters.tables import bills
from services.contributions.application.billing import mapping
from services.contributions.application.billing.commands import GetBill
from services.contributions.domain.periods import Period
from services.contributions.domain.roles import ContributionsAction as A
from tests.contributions.service.money_fixtures import add_bill
from tests.contributions.service.read_model_support import (
    Feed, employer_registered, office_tree, wage_changed, worker_enrolled, worker_terminated,
)
from tests.service_harness import token_for

BINJAI_NPP, MEDAN_NPP, UNKNOWN_NPP = "10000001", "10000009", "10000077"
K1, K2, K3, K9 = "20000000001", "20000000002", "20000000003", "20000000009"
GET_BILL = "/jamsos.contributions.v1.BillingService/GetBill"


def run(contributions_channel, office: str, month: int) -> None:
    stub = billing_pb2_grpc.BillingServiceStub(contributions_channel)
    stub.StartBillingRun(billing_pb2.StartBillingRunRequest(
        request_id=f"run-{office}-{month}", period=types_pb2.Period(year=2024, month=month), branch_code=office),
        metadata=[("authorization", f"Bearer {token_for(office, 'ADMINISTRATION_OFFICER')}")])


def set_paid(contributions, number: str, status: str) -> None:
    """The money side's part (paid in full, a credit used up), written as its use cases leave it."""
    with contributions.app.ctx.base.unit_of_work() as uow:
        total = uow.session.execute(select(bills.c.total_rupiah).where(bills.c.bill_number == number)).scalar_one()
        uow.session.execute(update(bills).where(bills.c.bill_number == number)
                            .values(paid_rupiah=abs(total), status=status))
        uow.commit()


@pytest.fixture
def issued(contributions, contributions_channel) -> list[str]:
    """Every kind of bill GetBill shows; their numbers."""
    feed = Feed(contributions)
    feed(office_tree(), employer_registered(BINJAI_NPP), employer_registered(MEDAN_NPP, branch="KC-MEDAN"),
         worker_enrolled(K1, BINJAI_NPP, 4_000_000, start=date(2024, 1, 2), marital="MARRIED"),
         worker_enrolled(K2, BINJAI_NPP, 6_500_000, start=date(2024, 1, 2)),
         worker_enrolled(K3, BINJAI_NPP, 900_000, start=date(2024, 1, 2)),   # below the UMK: raised (C-6a)
         worker_enrolled(K9, MEDAN_NPP, 5_000_000, start=date(2024, 1, 2), branch="KC-MEDAN"))
    run(contributions_channel, "KC-BINJAI", 3)
    run(contributions_channel, "KC-BINJAI", 4)
    run(contributions_channel, "KC-MEDAN", 3)
    feed(wage_changed(K1, BINJAI_NPP, 5_000_000, date(2024, 3, 1), previous=4_000_000))  # March and April K1
    feed(worker_terminated(K2, BINJAI_NPP, date(2024, 3, 20)))                            # April: a credit
    run(contributions_channel, "KC-BINJAI", 5)
    set_paid(contributions, "SPI-202403-10000001", "PAID")
    set_paid(contributions, "SPI-202404-10000001-K2", "APPLIED")
    # Lines written out of KPJ order: the answer lists them by KPJ all the same.
    unknown = add_bill(contributions, Period(2024, 3), 240_000, date(2024, 4, 15), npp=UNKNOWN_NPP,
                       jht={"20000000066": (60_000, 30_000), "20000000055": (100_000, 50_000)})
    return ["SPI-202403-10000001", "SPI-202403-10000001-K1", "SPI-202404-10000001", "SPI-202404-10000001-K1",
            "SPI-202404-10000001-K2", "SPI-202405-10000001", "SPI-202403-10000009", unknown]


def wire(channel, office: str, role: str, number: str) -> bytes:
    """GetBill's answer as the client receives it, not parsed."""
    call = channel.unary_unary(GET_BILL)
    return call(billing_pb2.GetBillRequest(bill_number=number).SerializeToString(),
                metadata=[("authorization", f"Bearer {token_for(office, role)}")])


def old_path(contributions, office: str, role: str, number: str) -> bytes:
    """The answer as GetBill built it before: BillRow and LineRows, then bill_to_proto."""
    app = contributions.app
    principal = Principal(user_id="ani", office_code=office, office_level=REGIONAL if office.startswith("KW") else BRANCH,
                          roles=frozenset({role}))
    with request_context(principal, "old-path"):
        view = app.billing.bills.get(app.ctx.authorise(A.READ), GetBill(number))
    return billing_pb2.GetBillResponse(bill=mapping.bill_to_proto(view.bill, view.lines)).SerializeToString()


@pytest.mark.rule("C-5")
def test_c5_get_bill_answers_byte_for_byte_what_the_row_objects_path_answered(contributions, contributions_channel,
                                                                              issued):
    shown = {}
    for number in issued:
        office = "KC-MEDAN" if number.endswith(MEDAN_NPP) else "KC-BINJAI"
        answer = wire(contributions_channel, office, "ADMINISTRATION_OFFICER", number)
        assert answer == old_path(contributions, office, "ADMINISTRATION_OFFICER", number), number
        shown[number] = billing_pb2.GetBillResponse.FromString(answer).bill
    # The comparison covered what it claims: every kind and status, lines of many workers, empty names.
    bills_shown = list(shown.values())
    assert {(b.kind, b.status) for b in bills_shown} >= {
        (billing_pb2.BILL_KIND_REGULAR, "OPEN"), (billing_pb2.BILL_KIND_REGULAR, "PAID"),
        (billing_pb2.BILL_KIND_CORRECTION, "OPEN"), (billing_pb2.BILL_KIND_CORRECTION, "APPLIED")}
    assert shown["SPI-202404-10000001-K2"].total.rupiah < 0  # the credit note: negative lines
    assert shown["SPI-202403-10000001"].worker_count == 3 and len(shown["SPI-202403-10000001"].lines) == 15
    assert shown["SPI-202403-10000001"].paid.rupiah == shown["SPI-202403-10000001"].total.rupiah > 0
    unknown = shown[issued[-1]]
    assert unknown.employer_name == "" and {line.worker_name for line in unknown.lines} == {""}
    assert [line.kpj for line in unknown.lines] == ["20000000055"] * 2 + ["20000000066"] * 2
    assert all(line.worker_name == f"Pekerja {line.kpj}" for line in shown["SPI-202405-10000001"].lines)


@pytest.mark.rule("O-2")
def test_o2_another_branchs_bill_is_not_found_on_the_lookup_path_and_its_region_reads_it(contributions,
                                                                                         contributions_channel, issued):
    for number in issued:
        other = "KC-BINJAI" if number.endswith(MEDAN_NPP) else "KC-MEDAN"
        with pytest.raises(grpc.RpcError) as err:
            wire(contributions_channel, other, "ADMINISTRATION_OFFICER", number)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND, number
        assert number in err.value.details()
        # The region over both branches reads each, the same answer as the old path.
        assert wire(contributions_channel, "KW-SUMBAGUT", "REGIONAL_OFFICER", number) == \
            old_path(contributions, "KW-SUMBAGUT", "REGIONAL_OFFICER", number)
    with pytest.raises(grpc.RpcError) as err:
        wire(contributions_channel, "KW-DKI", "REGIONAL_OFFICER", issued[0])
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("C-5")
def test_c5_get_bill_kept_lines_answer_as_built_and_a_renamed_worker_shows_at_once(contributions, contributions_channel,
                                                                                   issued):
    number, office = "SPI-202403-10000001", "KC-BINJAI"
    kept = contributions.app.billing.bills.issued_lines
    first = wire(contributions_channel, office, "ADMINISTRATION_OFFICER", number)
    assert len(kept) >= 1  # the first answer built the lines and kept them
    again = wire(contributions_channel, office, "ADMINISTRATION_OFFICER", number)
    assert again == first == old_path(contributions, office, "ADMINISTRATION_OFFICER", number)
    # The read model renames a worker: the kept lines carry the old name and are not served
    # (the names version moved in the rename's transaction); the same name again moves nothing.
    before = version(contributions)
    Feed(contributions)(worker_enrolled(K3, BINJAI_NPP, 900_000, start=date(2024, 1, 2), name="Siti Rahayu"))
    assert version(contributions) == before + 1
    Feed(contributions)(worker_enrolled(K3, BINJAI_NPP, 900_000, start=date(2024, 1, 2), name="Siti Rahayu"))
    assert version(contributions) == before + 1
    renamed = wire(contributions_channel, office, "ADMINISTRATION_OFFICER", number)
    assert renamed == old_path(contributions, office, "ADMINISTRATION_OFFICER", number)
    names = {line.kpj: line.worker_name for line in billing_pb2.GetBillResponse.FromString(renamed).bill.lines}
    assert names[K3] == "Siti Rahayu" and names[K1] == f"Pekerja {K1}"
    # Paid after the lines were kept: the bill's own fields are read every call.
    set_paid(contributions, number, "PAID")
    paid = billing_pb2.GetBillResponse.FromString(wire(contributions_channel, office, "ADMINISTRATION_OFFICER", number))
    assert paid.bill.status == "PAID" and paid.bill.status_code == billing_pb2.BILL_STATUS_PAID
    assert paid.SerializeToString() == old_path(contributions, office, "ADMINISTRATION_OFFICER", number)
    # Kept lines never cross the branch wall: the bill's row is checked every call (O-2).
    with pytest.raises(grpc.RpcError) as err:
        wire(contributions_channel, "KC-MEDAN", "ADMINISTRATION_OFFICER", number)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("C-5")
def test_c5_lines_of_a_worker_the_read_model_did_not_hold_are_not_kept_and_the_name_shows_once_enrolled(
        contributions, contributions_channel, issued):
    unknown, office = issued[-1], "KC-BINJAI"
    kept = contributions.app.billing.bills.issued_lines
    feed = Feed(contributions)
    feed(employer_registered(UNKNOWN_NPP))
    first = billing_pb2.GetBillResponse.FromString(wire(contributions_channel, office, "ADMINISTRATION_OFFICER", unknown))
    assert {line.worker_name for line in first.bill.lines} == {""}
    assert kept.get(unknown, version(contributions)) is None  # an empty name is not kept
    # The worker's first row in the read model moves no names version; the answer shows it all the same.
    before = version(contributions)
    feed(worker_enrolled("20000000055", UNKNOWN_NPP, 2_000_000, start=date(2024, 1, 2), name="Rina"))
    assert version(contributions) == before
    names = {line.kpj: line.worker_name
             for line in billing_pb2.GetBillResponse.FromString(
                 wire(contributions_channel, office, "ADMINISTRATION_OFFICER", unknown)).bill.lines}
    assert names == {"20000000055": "Rina", "20000000066": ""}
    assert wire(contributions_channel, office, "ADMINISTRATION_OFFICER", unknown) == \
        old_path(contributions, office, "ADMINISTRATION_OFFICER", unknown)


def version(contributions) -> int:
    from services.contributions.adapters.tables import rm_names_version

    with contributions.app.ctx.base.read_session() as session:
        return session.execute(select(rm_names_version.c.version)).scalar_one()


def test_issued_lines_are_bounded_by_bytes_and_served_only_at_the_names_version_they_were_built_at():
    lines = IssuedLines(max_bytes=100)
    ani = ((K1, "Ani"),)
    lines.put("SPI-1", 7, b"a" * 40, ani)
    lines.put("SPI-2", 7, b"b" * 40, ani)
    assert lines.get("SPI-1", 7) == (b"a" * 40, 1) and lines.get("SPI-1", 8) is None
    lines.put("SPI-3", 7, b"c" * 40, ani)  # over 100 bytes: the least recently used (SPI-2) goes
    assert lines.get("SPI-2", 7) is None and lines.get("SPI-1", 7) and lines.get("SPI-3", 7)
    lines.put("SPI-4", 7, b"d" * 101, ani)  # larger than the whole budget: not kept, nothing dropped for it
    assert lines.get("SPI-4", 7) is None and len(lines) == 2
    lines.put("SPI-1", 8, b"e" * 10, ((K1, "Budi"), (K2, "Ani")))  # rebuilt at a new version: replaces, bytes once
    assert lines.get("SPI-1", 8) == (b"e" * 10, 2) and lines.get("SPI-1", 7) is None and len(lines) == 2
    lines.put("SPI-5", 8, b"f" * 10, ((K1, "Budi"), (K2, "")))  # a worker not known yet: built every time
    assert lines.get("SPI-5", 8) is None and len(lines) == 2


@pytest.mark.rule("C-5")
@pytest.mark.parametrize("workers", [0, 1, 3, 250])  # the bytes' length prefix: 1, 2 and 3 bytes long
@pytest.mark.parametrize("status", ["OPEN", "PAID", "NOT A STATUS"])  # the last: status_code 0, left out
def test_c5_get_bill_answer_joined_from_its_parts_is_the_message_serialised(workers, status):
    from collections import namedtuple
    from datetime import UTC, datetime

    line = namedtuple("line", "kpj worker_name program payer base_rupiah rate_bp amount_rupiah")
    lines = [line(f"2{k:010d}", f"Pekerja {k}", program, payer, 4_000_000 + k, 370, -148_000 * k)
             for k in range(workers) for program, payer in (("JHT", "EMPLOYER"), ("JHT", "WORKER"), ("JPK", "EMPLOYER"))]
    bill = namedtuple("bill", "bill_number npp employer_name branch_code period_year period_month kind sequence due_date "
                              "total_rupiah employer_rupiah worker_rupiah paid_rupiah status run_id issued_at")
    row = bill("SPI-202403-10000001-K2", BINJAI_NPP, "PT Maju", "KC-BINJAI", 2024, 3, "CORRECTION", 2, date(2024, 4, 15),
               -1_000, -600, -400, 0, status, None if workers % 2 else "run-1", datetime(2024, 4, 1, 7, tzinfo=UTC))
    part = mapping.lines_part(lines)
    joined = mapping.bill_answer_bytes(row, part, workers)
    message = billing_pb2.GetBillResponse()  # the same answer as a message, serialised by protobuf
    message.bill.ParseFromString(part)
    message.bill.MergeFrom(mapping._bill(row, row.period_year, row.period_month, workers))
    assert joined == message.SerializeToString()
    assert len(billing_pb2.GetBillResponse.FromString(joined).bill.lines) == 3 * workers
