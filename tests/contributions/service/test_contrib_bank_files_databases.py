"""The database-bound cases of ImportBankStatementFile on PostgreSQL (the SQLite run is
test_contrib_bank_files): a refused file rolls back every line it had recorded, and the
same file twice records each line once."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

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
