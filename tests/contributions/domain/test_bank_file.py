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


def _checked(items: list):
    from services.contributions.domain.bank_file import StatementTally
    header, *lines, end = items
    tally = StatementTally(header)
    for line in lines:
        tally.add(line)
    return tally.check(end)


# ENTRIES: 2 credits of 1,000,000 + 250,000 = 1,250,000 and 1 debit of 50,000 rupiah.
@pytest.mark.rule("C-7")
@pytest.mark.parametrize("build, read", [(mt940, _mt940), (camt053, _camt)], ids=["mt940", "camt053"])
def test_c7_the_banks_declared_credits_and_debits_are_checked(build, read):
    totals = _checked(read(build(ENTRIES, credits=(2, 1_250_000), debits=(1, 50_000))))
    assert (totals.credits_sen, totals.debits_sen, totals.lines) == (125_000_000, 5_000_000, 3)
    with pytest.raises(RuleViolation) as wrong_sum:
        _checked(read(build(ENTRIES, credits=(2, 1_200_000), debits=(1, 50_000))))
    assert wrong_sum.value.rule_id == "C-7" and wrong_sum.value.code == "STATEMENT_TOTALS_DO_NOT_ADD_UP"
    assert "declares 2 credit entries of Rp1,200,000 but holds 2 of Rp1,250,000" in wrong_sum.value.reason
    with pytest.raises(RuleViolation) as wrong_count:
        _checked(read(build(ENTRIES, debits=(2, 50_000))))
    assert "declares 2 debit entries of Rp50,000 but holds 1 of Rp50,000" in wrong_count.value.reason


@pytest.mark.rule("C-7")
def test_c7_camt_sum_of_all_entries_and_the_version_02_net_are_checked():
    # unsigned: 1,000,000 + 250,000 + 50,000 = 1,300,000; net: 1,250,000 - 50,000 = 1,200,000
    assert _checked(_camt(camt053(ENTRIES, gross=1_300_000))).lines == 3
    with pytest.raises(RuleViolation) as gross:
        _checked(_camt(camt053(ENTRIES, gross=1_200_000)))
    assert "declares entries of Rp1,200,000 in all but they add up to Rp1,300,000" in gross.value.reason

    def net_02(rupiah: int) -> bytes:  # camt.053.001.02 writes the net as TtlNetNtryAmt and CdtDbtInd
        return camt053(ENTRIES).replace(b"</NbOfNtries>", f"</NbOfNtries><TtlNetNtryAmt>{rupiah}.00</TtlNetNtryAmt>"
                                                          f"<CdtDbtInd>CRDT</CdtDbtInd>".encode())
    assert _checked(_camt(net_02(1_200_000))).lines == 3
    with pytest.raises(RuleViolation) as net:
        _checked(_camt(net_02(1_150_000)))
    assert "declares a net of Rp1,150,000 but its entries add up to Rp1,200,000" in net.value.reason


def test_a_camt_line_in_another_currency_refuses_the_file():
    from services.contributions.domain.bank_file import StatementTally
    header, first, second, *_ = _camt(camt053([ENTRIES[0], Entry("BNI-9", 100, DAY, "X", currency="USD")]))
    tally = StatementTally(header)
    tally.add(first)
    with pytest.raises(InvalidArgument) as refused:
        tally.add(second)
    assert "line 2 is in USD" in refused.value.violations[0].reason


def test_a_file_of_two_statements_is_refused_whole():
    two_mt940 = mt940(ENTRIES, statement="STMT-A") + mt940(ENTRIES, statement="STMT-B")
    with pytest.raises(InvalidArgument) as mt:
        _mt940(two_mt940)
    camt = camt053(ENTRIES)
    statement = camt[camt.index(b"<Stmt>"):camt.index(b"</Stmt>") + len(b"</Stmt>")]
    with pytest.raises(InvalidArgument) as xml:
        _camt(camt.replace(statement, statement + statement.replace(b"CAMT-0601", b"CAMT-0602")))
    assert "more than one statement" in mt.value.violations[0].reason
    assert "more than one statement" in xml.value.violations[0].reason
