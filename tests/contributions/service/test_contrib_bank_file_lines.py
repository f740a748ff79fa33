"""ImportBankStatementFile's answer at any size, and ListStatementLines (issue 15): a
statement too large for one message (over gRPC's 4 MB default receive size) answers with
its summary, and its per-line outcomes are read a page at a time. Real server, SQLite."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from cli.bank_files import listed_lines
from services.contributions.adapters.bank_file_store import StoredLine
from services.contributions.application.money.bank_file_import import LineSummary
from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import payments_pb2 as pb
from jamsos.contributions.v1 import payments_pb2_grpc
from services.contributions.domain.periods import Period
from tests.contributions.bank_file_builders import Entry, mt940
from tests.contributions.service.bank_file_calls import send_file
from tests.contributions.service.money_fixtures import NPP, add_bill
from tests.service_harness import violated_fields

DAY = date(2021, 6, 1)
O = pb.StatementLineOutcome
GRPC_DEFAULT_RECEIVE = 4 * 1024 * 1024


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


@pytest.fixture
def april_bill(contributions, payments):
    return add_bill(contributions, Period(2021, 4), 1_000_000, date(2021, 5, 15))


def four_lines() -> list[Entry]:
    return [Entry("BNI-1", 1_000_000, DAY, f"SETORAN SPI-202104-{NPP}"),  # pays the April bill
            Entry("BNI-2", 500_000, DAY, "TRANSFER TANPA KETERANGAN"),  # names nobody: suspense
            Entry("BNI-3", -25_000, DAY, "BIAYA ADMIN BANK"),  # a debit: skipped
            Entry("BNI-4", 100_000, date(2021, 7, 1), f"NPP {NPP}")]  # after today (30 Jun): rejected


def every_line(stub, import_id: str, page_size: int) -> tuple[list[pb.StatementFileLineResult], int]:
    """All lines of an import through ListStatementLines, and how many pages it took."""
    lines, token, pages = [], "", 0
    while True:
        page = stub.ListStatementLines(pb.ListStatementLinesRequest(
            import_id=import_id, page=types_pb2.PageRequest(page_size=page_size, page_token=token)))
        lines += page.results
        pages += 1
        token = page.page.next_page_token
        if not token:
            return lines, pages


@pytest.mark.rule("C-7")
def test_c7_the_lines_listed_are_the_lines_the_answer_carried(contributions, payments, april_bill):
    answer = send_file(payments, mt940(four_lines(), opening=1_000_000), "mt940", "lines-1")
    assert not answer.results_omitted and len(answer.results) == 4 and answer.import_id
    listed, pages = every_line(payments, answer.import_id, page_size=3)
    assert pages == 2
    assert listed == list(answer.results)
    assert (listed[0].outcome, list(listed[0].bills_paid), listed[1].status, listed[2].outcome, listed[3].outcome) == (
        O.STATEMENT_LINE_OUTCOME_RECORDED, [april_bill], pb.PAYMENT_STATUS_SUSPENSE, O.STATEMENT_LINE_OUTCOME_SKIPPED,
        O.STATEMENT_LINE_OUTCOME_REJECTED)


@pytest.mark.rule("C-7")
def test_c7_beyond_the_inline_limit_the_answer_is_the_summary_and_the_lines_are_paged(contributions, payments,
                                                                                      april_bill):
    contributions.app.payments.files.results_inline_max = 3  # a small limit stands for 10,000 lines
    answer = send_file(payments, mt940(four_lines(), opening=1_000_000), "mt940", "lines-2")
    assert answer.results_omitted and list(answer.results) == []
    assert (answer.recorded, answer.suspense, answer.skipped, answer.rejected, answer.totals.lines) == (2, 1, 1, 1, 4)
    listed, _ = every_line(payments, answer.import_id, page_size=2)
    assert [(r.line_number, r.bank_reference, r.outcome) for r in listed] == [
        (1, "BNI-1", O.STATEMENT_LINE_OUTCOME_RECORDED), (2, "BNI-2", O.STATEMENT_LINE_OUTCOME_RECORDED),
        (3, "BNI-3", O.STATEMENT_LINE_OUTCOME_SKIPPED), (4, "BNI-4", O.STATEMENT_LINE_OUTCOME_REJECTED)]
    assert list(listed[0].bills_paid) == [april_bill] and listed[2].amount_sen == -2_500_000
    assert list(listed_lines(payments, answer.import_id)) == listed  # what the CLI shows of such an answer
    # The same file again is its own import: its lines meet their references.
    again = send_file(payments, mt940(four_lines(), opening=1_000_000), "mt940", "lines-3")
    relisted, _ = every_line(payments, again.import_id, page_size=50)
    assert again.import_id != answer.import_id and again.already_imported
    assert [r.outcome for r in relisted[:2]] == [O.STATEMENT_LINE_OUTCOME_DUPLICATE] * 2
    assert [r.payment_id for r in relisted[:2]] == [r.payment_id for r in listed[:2]]


@pytest.mark.rule("C-7")
def test_c7_a_statement_over_4_mb_of_outcomes_answers_a_client_with_the_default_receive_limit(
        contributions, payments, april_bill):
    # 50,000 bank charges (debits, skipped) and one receipt that pays the April bill.
    charges = [Entry(f"FEE-{i:06d}", -1_000, DAY, "BIAYA ADMIN BANK") for i in range(50_000)]
    data = mt940([Entry("BNI-1", 1_000_000, DAY, f"SETORAN SPI-202104-{NPP}"), *charges], opening=60_000_000)
    answer = send_file(payments, data, "mt940", "lines-big", chunk=1 << 20)  # the fixture's channel: default options
    assert answer.results_omitted and answer.ByteSize() < 10_000
    assert (answer.recorded, answer.skipped, answer.totals.lines) == (1, 50_000, 50_001)
    listed, pages = every_line(payments, answer.import_id, page_size=500)
    assert pages == 101 and [r.line_number for r in listed] == list(range(1, 50_002))
    assert (listed[0].bank_reference, list(listed[0].bills_paid)) == ("BNI-1", [april_bill])
    assert {r.outcome for r in listed[1:]} == {O.STATEMENT_LINE_OUTCOME_SKIPPED}
    # What one answer with every line would have been: more than a default client takes.
    assert pb.ImportBankStatementFileResponse(results=listed).ByteSize() > GRPC_DEFAULT_RECEIVE


@pytest.mark.rule("O-2")
def test_o2_another_branchs_import_is_not_found(contributions, as_user, payments, april_bill):
    answer = send_file(payments, mt940(four_lines(), opening=1_000_000), "mt940", "lines-o2")
    medan = as_user("KC-MEDAN", "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub)
    with pytest.raises(grpc.RpcError) as refused:
        medan.ListStatementLines(pb.ListStatementLinesRequest(import_id=answer.import_id))
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_missing_import_id_or_a_foreign_token_is_invalid_argument_naming_the_field(contributions, payments):
    with pytest.raises(grpc.RpcError) as missing:
        payments.ListStatementLines(pb.ListStatementLinesRequest())
    assert violated_fields(missing.value) == {"import_id"}
    with pytest.raises(grpc.RpcError) as foreign:
        payments.ListStatementLines(pb.ListStatementLinesRequest(
            import_id="x", page=types_pb2.PageRequest(page_token="eyJhZnRlciI6ICJ4In0=")))  # {"after": "x"}
    assert violated_fields(foreign.value) == {"page.page_token"}


def test_the_answer_keeps_the_counts_of_every_line_but_the_lines_only_up_to_the_limit():
    def line(number: int, outcome: str, status: str = "") -> StoredLine:
        return StoredLine(number, f"R-{number}", outcome, "", status, "", 100, DAY, "", "", ())

    small, large = LineSummary(inline_max=3), LineSummary(inline_max=3)
    for summary, count in ((small, 3), (large, 6)):
        for n in range(1, count + 1):
            summary.add(line(n, "RECORDED", "SUSPENSE" if n % 2 else "MATCHED"))
    assert ([x.line_number for x in small.lines], small.omitted, small.suspense) == ([1, 2, 3], False, 2)
    assert (large.lines, large.omitted, large.counts["RECORDED"], large.suspense) == ([], True, 6, 3)
    assert len(large.kept) == 4  # one past the limit is all it holds, whatever the file's size
