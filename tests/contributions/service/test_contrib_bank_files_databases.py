"""The database-bound cases of ImportBankStatementFile on PostgreSQL (the SQLite run is
test_contrib_bank_files): a refused file rolls back every line it had recorded, the
same file twice records each line once, and an import's lines are kept for listing."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import payments_pb2 as pb
from services.contributions.domain.periods import Period
from tests.contributions.bank_file_builders import Entry, camt053, mt940
from tests.contributions.service.bank_file_calls import send_file, written
from tests.contributions.service.money_fixtures import NPP, add_bill, bill
from tests.service_harness import rule_of

DAY = date(2021, 6, 1)
pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url):
    return postgres_url


@pytest.mark.rule("C-7")
def test_c7_on_postgres_a_file_that_does_not_add_up_leaves_nothing_and_a_good_one_twice_records_once(
        contributions, payments):
    number = add_bill(contributions, Period(2021, 5), 800_000, date(2021, 6, 15))
    entries = [Entry("BRI-1", 800_000, DAY, f"SPI-202105-{NPP}"), Entry("BRI-2", 50_000, DAY, "HAMBA ALLAH")]
    with pytest.raises(grpc.RpcError) as refused:
        send_file(payments, mt940(entries, closing=800_000), "mt940", "pg-bad")  # 850,000 received, 800,000 closing
    assert rule_of(refused.value) == "C-7" and written(contributions) == (0, 0)
    assert bill(contributions, number).status == "OPEN"
    first = send_file(payments, camt053(entries), "camt053", "pg-1")
    again = send_file(payments, camt053(entries), "camt053", "pg-2")
    assert (first.recorded, again.duplicates, written(contributions)) == (2, 2, (2, 1))
    assert bill(contributions, number).status == "PAID"


@pytest.mark.rule("C-7")
def test_c7_on_postgres_each_import_keeps_its_lines_for_listing(contributions, payments):
    number = add_bill(contributions, Period(2021, 5), 800_000, date(2021, 6, 15))
    entries = [Entry("BRI-1", 800_000, DAY, f"SPI-202105-{NPP}"), Entry("BRI-2", 50_000, DAY, "HAMBA ALLAH"),
               Entry("BRI-3", -6_500, DAY, "BIAYA")]
    contributions.app.payments.files.results_inline_max = 2  # a small limit stands for 10,000 lines
    answer = send_file(payments, mt940(entries), "mt940", "pg-lines")
    assert answer.results_omitted and not answer.results
    first = payments.ListStatementLines(pb.ListStatementLinesRequest(
        import_id=answer.import_id, page=types_pb2.PageRequest(page_size=2)))
    rest = payments.ListStatementLines(pb.ListStatementLinesRequest(
        import_id=answer.import_id, page=types_pb2.PageRequest(page_size=2, page_token=first.page.next_page_token)))
    assert not rest.page.next_page_token
    assert [(r.bank_reference, r.status, list(r.bills_paid)) for r in [*first.results, *rest.results]] == [
        ("BRI-1", pb.PAYMENT_STATUS_MATCHED, [number]), ("BRI-2", pb.PAYMENT_STATUS_SUSPENSE, []),
        ("BRI-3", pb.PAYMENT_STATUS_UNSPECIFIED, [])]
