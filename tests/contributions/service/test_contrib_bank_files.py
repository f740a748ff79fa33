"""ImportBankStatementFile through the real server (SQLite): the bank's MT940 and camt.053
files matched line by line (C-7), each outcome reported, broken files refused whole."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import grpc
import pytest

from jamsos.contributions.v1 import payments_pb2 as pb
from services.contributions.domain.periods import Period
from tests.contributions.bank_file_builders import XML_BOMB, Entry, camt053, mt940
from tests.contributions.service.bank_file_calls import send_file, written
from tests.contributions.service.money_fixtures import NPP, add_bill, bill
from tests.service_harness import rule_of, violated_fields

DAY = date(2021, 6, 1)
O = pb.StatementLineOutcome


@pytest.fixture
def database_url(sqlite_url):
    """SQLite only here: test_contrib_bank_files_databases runs the database-bound cases on both."""
    return sqlite_url


@pytest.fixture
def open_bills(contributions, payments):
    return (add_bill(contributions, Period(2021, 4), 1_000_000, date(2021, 5, 15)),
            add_bill(contributions, Period(2021, 5), 800_000, date(2021, 6, 15)))


def every_outcome() -> list[Entry]:
    return [Entry("BNI-1", 1_000_000, DAY, f"SETORAN SPI-202104-{NPP}"),  # names the April bill
            Entry("BNI-2", 800_000, DAY, f"IURAN MEI NPP {NPP}"),  # names the employer only
            Entry("BNI-3", 500_000, DAY, "TRANSFER TANPA KETERANGAN"),  # names nobody: suspense
            Entry("BNI-4", 300_000, DAY, "NPP 77000001"),  # an employer not known: suspense
            Entry("BNI-5", -25_000, DAY, "BIAYA ADMIN BANK"),  # a debit: no receipt
            Entry("BNI-6", 100_000, date(2021, 7, 1), f"NPP {NPP}")]  # after today (30 Jun): rejected


@pytest.mark.rule("C-7")
@pytest.mark.parametrize("file_format, build", [("mt940", mt940), ("camt053", camt053)])
def test_c7_each_line_of_the_banks_file_has_its_outcome_and_its_bill(contributions, payments, open_bills,
                                                                       file_format, build):
    april, may = open_bills
    # What the bank declares of its lines: 5 credits of 2,700,000 rupiah and 1 debit of 25,000.
    data = build(every_outcome(), opening=2_000_000, credits=(5, 2_700_000), debits=(1, 25_000))
    response = send_file(payments, data, file_format, f"f-{file_format}")
    by_ref = {r.bank_reference: r for r in response.results}
    assert [r.line_number for r in response.results] == [1, 2, 3, 4, 5, 6]
    assert (by_ref["BNI-1"].outcome, by_ref["BNI-1"].status, list(by_ref["BNI-1"].bills_paid)) == (
        O.STATEMENT_LINE_OUTCOME_RECORDED, pb.PAYMENT_STATUS_MATCHED, [april])
    assert by_ref["BNI-1"].bill_number == april
    assert (by_ref["BNI-2"].npp, list(by_ref["BNI-2"].bills_paid)) == (NPP, [may])
    assert by_ref["BNI-3"].status == pb.PAYMENT_STATUS_SUSPENSE and by_ref["BNI-3"].reason == "no employer given"
    assert by_ref["BNI-4"].status == pb.PAYMENT_STATUS_SUSPENSE and "77000001 is not known" in by_ref["BNI-4"].reason
    assert by_ref["BNI-5"].outcome == O.STATEMENT_LINE_OUTCOME_SKIPPED and by_ref["BNI-5"].amount_sen == -2_500_000
    assert by_ref["BNI-6"].outcome == O.STATEMENT_LINE_OUTCOME_REJECTED and "after today" in by_ref["BNI-6"].reason
    assert (response.recorded, response.suspense, response.skipped, response.rejected) == (4, 2, 1, 1)
    # 2,000,000 + (1,000,000 + 800,000 + 500,000 + 300,000 + 100,000) - 25,000 = 4,675,000 rupiah, in sen
    assert (response.totals.opening_sen, response.totals.credits_sen, response.totals.debits_sen,
            response.totals.closing_sen, response.totals.lines) == (
        200_000_000, 270_000_000, 2_500_000, 467_500_000, 6)
    assert (bill(contributions, april).status, bill(contributions, may).status) == ("PAID", "PAID")


@pytest.mark.rule("C-7")
def test_c7_the_same_file_twice_changes_nothing(contributions, payments, open_bills):
    data = mt940(every_outcome(), opening=2_000_000)
    first = send_file(payments, data, "mt940", "twice-1")
    again = send_file(payments, data, "mt940", "twice-2")  # a new request id: the lines meet their references
    assert written(contributions) == (4, 1)
    assert again.already_imported and not first.already_imported
    assert [r.outcome for r in again.results] == [O.STATEMENT_LINE_OUTCOME_DUPLICATE] * 4 + [
        O.STATEMENT_LINE_OUTCOME_SKIPPED, O.STATEMENT_LINE_OUTCOME_REJECTED]
    assert [r.payment_id for r in again.results[:4]] == [r.payment_id for r in first.results[:4]]
    retried = send_file(payments, data, "mt940", "twice-1")  # the same request id: the stored answer
    assert retried == first


@pytest.mark.rule("C-7")
def test_c7_another_file_under_an_imported_statement_id_is_refused(contributions, payments, open_bills):
    send_file(payments, mt940(every_outcome()[:1]), "mt940", "other-1")
    with pytest.raises(grpc.RpcError) as refused:
        send_file(payments, mt940(every_outcome()[1:2]), "mt940", "other-2")
    assert rule_of(refused.value) == "C-7" and "another file" in refused.value.details()
    assert written(contributions) == (1, 1)


@pytest.mark.rule("C-7")
@pytest.mark.parametrize("file_format, build", [("mt940", mt940), ("camt053", camt053)])
def test_c7_a_file_whose_totals_do_not_add_up_is_refused_whole_with_the_figures(contributions, payments, open_bills,
                                                                                 file_format, build):
    data = build(every_outcome(), opening=2_000_000, closing=4_000_000)
    with pytest.raises(grpc.RpcError) as refused:
        send_file(payments, data, file_format, f"sum-{file_format}")
    # 2,000,000 + 2,700,000 - 25,000 = 4,675,000, not 4,000,000
    assert rule_of(refused.value) == "C-7"
    assert "Rp4,675,000" in refused.value.details() and "Rp4,000,000" in refused.value.details()
    assert written(contributions) == (0, 0)
    assert bill(contributions, open_bills[0]).status == "OPEN"


@pytest.mark.rule("C-7")
@pytest.mark.parametrize("file_format, build", [("mt940", mt940), ("camt053", camt053)])
def test_c7_a_file_whose_declared_credits_are_not_its_lines_is_refused_whole(contributions, payments, open_bills,
                                                                             file_format, build):
    data = build(every_outcome(), opening=2_000_000, credits=(5, 2_600_000))  # the 5 credits hold 2,700,000
    with pytest.raises(grpc.RpcError) as refused:
        send_file(payments, data, file_format, f"declared-{file_format}")
    assert rule_of(refused.value) == "C-7"
    assert "declares 5 credit entries of Rp2,600,000 but holds 5 of Rp2,700,000" in refused.value.details()
    assert written(contributions) == (0, 0)


@pytest.mark.rule("C-7")
@pytest.mark.parametrize("file_format, build", [("mt940", mt940), ("camt053", camt053)])
def test_c7_a_line_with_a_fraction_of_a_rupiah_is_rejected_and_the_good_lines_are_recorded(
        contributions, payments, open_bills, file_format, build):
    april, _ = open_bills
    entries = [Entry("BNI-1", 1_000_000, DAY, f"SETORAN SPI-202104-{NPP}"),
               Entry("BNI-F", Decimal("150000.50"), DAY, f"NPP {NPP}")]
    response = send_file(payments, build(entries), file_format, f"fraction-{file_format}")
    good, bad = response.results
    assert (good.outcome, list(good.bills_paid)) == (O.STATEMENT_LINE_OUTCOME_RECORDED, [april])
    assert (bad.outcome, bad.amount_sen, bad.payment_id) == (O.STATEMENT_LINE_OUTCOME_REJECTED, 15_000_050, "")
    assert "a fraction of a rupiah" in bad.reason
    # 1,000,000 + 150,000.50 rupiah received, in sen; only the good line is a payment
    assert (response.totals.credits_sen, response.recorded, response.rejected) == (115_000_050, 1, 1)
    assert written(contributions) == (1, 1)


@pytest.mark.parametrize("file_format, data, says", [
    ("mt940", mt940(every_outcome())[:-45], "truncated"),
    ("mt940", mt940(every_outcome(), currency="USD"), "USD"),
    ("camt053", camt053(every_outcome(), currency="EUR"), "EUR"),
    ("camt053", camt053([*every_outcome()[:2], Entry("BNI-9", 100_000, DAY, "X", currency="USD")]), "line 3 is in USD"),
    ("camt053", camt053(every_outcome())[:-50], "not well-formed"),
    ("camt053", XML_BOMB, "DTD or entities"),
    ("camt053", b"\x00\x01 not xml", "not well-formed"),
])
def test_a_broken_or_hostile_file_is_refused_whole_and_nothing_is_written(contributions, payments, open_bills,
                                                                          file_format, data, says):
    with pytest.raises(grpc.RpcError) as refused:
        send_file(payments, data, file_format, f"bad-{file_format}-{len(data)}")
    assert violated_fields(refused.value) == {"file"} and says in refused.value.details()
    assert written(contributions) == (0, 0)


def test_missing_format_branch_or_file_is_invalid_argument_naming_the_field(contributions, payments):
    def call(*messages):
        with pytest.raises(grpc.RpcError) as refused:
            payments.ImportBankStatementFile(iter(messages))
        return violated_fields(refused.value)

    assert call(pb.ImportBankStatementFileRequest(request_id="m1", branch_code="KC-BINJAI", chunk=b"x")) == {"format"}
    assert call(pb.ImportBankStatementFileRequest(request_id="m2", format=pb.BANK_FILE_FORMAT_MT940,
                                                  chunk=b"x")) == {"branch_code"}
    assert call(pb.ImportBankStatementFileRequest(request_id="m3", branch_code="KC-BINJAI",
                                                  format=pb.BANK_FILE_FORMAT_MT940)) == {"chunk"}
    assert call(pb.ImportBankStatementFileRequest(request_id="m4", branch_code="KC-BINJAI", format=99,
                                                  chunk=b"x")) == {"format"}


def test_a_file_over_the_size_limit_is_refused(contributions, payments):
    contributions.app.payments.files.max_bytes = 1000  # the use case's limit; a small one stands for 50 MB
    with pytest.raises(grpc.RpcError) as refused:
        send_file(payments, mt940(every_outcome() * 5), "mt940", "big")
    assert violated_fields(refused.value) == {"chunk"} and "larger than" in refused.value.details()


@pytest.mark.rule("O-2")
def test_o2_a_branch_the_caller_does_not_act_for_is_refused(contributions, as_user, payments):
    from jamsos.contributions.v1 import payments_pb2_grpc
    medan = as_user("KC-MEDAN", "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub)
    with pytest.raises(grpc.RpcError) as refused:
        send_file(medan, mt940(every_outcome()[:1]), "mt940", "o2", branch="KC-BINJAI")
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert written(contributions) == (0, 0)
