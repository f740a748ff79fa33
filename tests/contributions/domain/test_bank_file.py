"""Bank statement files read into the domain's statement (C-7): remittance identifiers,
totals that must add up, rupiah only, and hostile or broken files refused whole."""
from __future__ import annotations

import io
from datetime import date

import pytest

from services.chassis.errors import InvalidArgument, RuleViolation
from services.contributions.adapters.camt_statement import read_camt053
from services.contributions.adapters.mt940_statement import read_mt940
from services.contributions.domain.bank_file import (
    StatementEnd, StatementHeader, StatementLine, line_reference, remittance_identifiers,
)
from tests.contributions.bank_file_builders import EXTERNAL_ENTITY, XML_BOMB, Entry, camt053, mt940

DAY = date(2021, 6, 1)
ENTRIES = [Entry("BNI-1", 1_000_000, DAY, "SETORAN SPI-202105-99000001"),
           Entry("BNI-2", 250_000, DAY, "IURAN NPP 99000002"),
           Entry("BNI-3", -50_000, DAY, "BIAYA ADMIN")]


def _mt940(data: bytes) -> list:
    return list(read_mt940(io.StringIO(data.decode())))


def _camt(data: bytes) -> list:
    return list(read_camt053(io.BytesIO(data)))


@pytest.mark.rule("C-7")
@pytest.mark.parametrize("text, npp, bill", [
    ("SETORAN SPI-202105-99000001", None, "SPI-202105-99000001"),
    ("SPI-202105-99000001-K2 NPP 99000001", "99000001", "SPI-202105-99000001-K2"),
    ("IURAN NPP: 99000002 MEI", "99000002", None),
    ("PT MAJU 99000003 JUNI", "99000003", None),
    ("99000003 DAN 99000004", None, None),  # two employers: nobody is guessed
    ("REK 123456789012 NO NPP", None, None),  # a 12-digit account number is no NPP
    ("SPI-202104-99000001 SPI-202105-99000001", None, None),  # two bills: neither is picked
])
def test_c7_remittance_names_the_employer_and_the_bill(text, npp, bill):
    found = remittance_identifiers(text)
    assert (found.npp, found.bill_number) == (npp, bill)


@pytest.mark.rule("C-7")
def test_c7_mt940_header_lines_and_end_are_read_with_sen_and_signs():
    header, *lines, end = _mt940(mt940(ENTRIES, opening=5_000_000))
    assert isinstance(header, StatementHeader) and isinstance(end, StatementEnd)
    assert (header.statement_id, header.opening.amount_sen, header.opening.currency) == ("STMT-0601/1/1", 500_000_000, "IDR")
    assert [(x.number, x.amount_sen, x.bank_reference) for x in lines] == [
        (1, 100_000_000, "BNI-1"), (2, 25_000_000, "BNI-2"), (3, -5_000_000, "BNI-3")]
    # 5,000,000 + 1,000,000 + 250,000 - 50,000 = 6,200,000 rupiah = 620,000,000 sen
    assert end.closing.amount_sen == 620_000_000
    assert "SPI-202105-99000001" in lines[0].remittance


@pytest.mark.rule("C-7")
def test_c7_camt053_is_read_like_mt940():
    header, *lines, end = _camt(camt053(ENTRIES, opening=5_000_000))
    assert (header.statement_id, header.account, header.opening.amount_sen) == ("CAMT-0601", "1234567890", 500_000_000)
    assert [(x.amount_sen, x.bank_reference, x.currency) for x in lines] == [
        (100_000_000, "BNI-1", "IDR"), (25_000_000, "BNI-2", "IDR"), (-5_000_000, "BNI-3", "IDR")]
    assert (end.closing.amount_sen, end.declared_count) == (620_000_000, 3)


def test_a_line_without_references_is_known_by_statement_and_position():
    line = StatementLine(7, 100, DAY, "IDR", bank_reference="", customer_reference="NONREF")
    assert line_reference("STMT-1/1", line) == "STMT-1/1/7"


@pytest.mark.parametrize("data, says", [
    (mt940(ENTRIES)[:-40], "truncated"),  # the :62F: closing balance cut off
    (b":20:X\n:61:garbage\n", "MT940"),
])
def test_a_broken_mt940_file_is_refused_whole(data, says):
    with pytest.raises(InvalidArgument) as refused:
        _mt940(data)
    assert refused.value.violations[0].field == "file" and says in refused.value.violations[0].reason


@pytest.mark.parametrize("data, says", [
    (XML_BOMB, "DTD or entities"),
    (EXTERNAL_ENTITY, "DTD or entities"),
    (camt053(ENTRIES)[:-60], "not well-formed"),
])
def test_a_hostile_or_truncated_camt_file_is_refused_whole(data, says):
    with pytest.raises(InvalidArgument) as refused:
        _camt(data)
    assert says in refused.value.violations[0].reason


@pytest.mark.rule("C-7")
def test_c7_totals_that_do_not_add_up_are_refused_with_the_figures():
    from services.contributions.domain.bank_file import StatementTally
    header, *lines, end = _mt940(mt940(ENTRIES, opening=5_000_000, closing=6_000_000))
    tally = StatementTally(header)
    for line in lines:
        tally.add(line)
    with pytest.raises(RuleViolation) as refused:
        tally.check(end)
    # 5,000,000 + 1,250,000 - 50,000 = 6,200,000, not 6,000,000
    assert refused.value.rule_id == "C-7" and refused.value.code == "STATEMENT_TOTALS_DO_NOT_ADD_UP"
    assert "Rp6,200,000" in refused.value.reason and "Rp6,000,000" in refused.value.reason


def test_a_statement_in_another_currency_is_refused():
    from services.contributions.domain.bank_file import StatementTally
    header = _mt940(mt940(ENTRIES, currency="USD"))[0]
    with pytest.raises(InvalidArgument) as refused:
        StatementTally(header)
    assert "USD" in refused.value.violations[0].reason
