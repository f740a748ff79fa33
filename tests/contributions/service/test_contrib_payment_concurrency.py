"""Payments of one employer at the same time take turns (C-7), on both databases.

An employer with no open bill keeps each payment as credit. Such payments lock no bill, credit
or penalty row in common, so on PostgreSQL two of them could each read the credit before the
other committed and both answer it without the other. Taking turns per employer, the answers'
employer credits are the running totals 1, 2, ... n times the amount, each once.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from jamsos.contributions.v1 import payments_pb2 as pb
from services.contributions.domain.periods import Period
from tests.contributions.bank_file_builders import Entry, mt940
from tests.contributions.service.bank_file_calls import send_file
from tests.contributions.service.money_fixtures import BINJAI, NPP, add_bill, add_employer, bill, d, rp

AMOUNT, THREADS, EACH = 1_000, 6, 4
SECOND_NPP = "99000003"


@pytest.mark.rule("C-7")
def test_c7_concurrent_payments_of_an_employer_answer_each_running_total_once(contributions, payments):
    def pay(thread: int) -> list[int]:
        credits = []
        for k in range(EACH):
            response = payments.RecordPayment(pb.RecordPaymentRequest(
                request_id=f"together-{thread}-{k}", bank_reference=f"TOGETHER-{thread}-{k}", amount=rp(AMOUNT),
                paid_on=d(date(2021, 6, 1)), npp=NPP))
            assert response.payment.status == pb.PAYMENT_STATUS_MATCHED
            credits.append(response.employer_credit.rupiah)
        return credits

    with ThreadPoolExecutor(THREADS) as pool:
        answered = sorted(c for credits in pool.map(pay, range(THREADS)) for c in credits)
    assert answered == [AMOUNT * n for n in range(1, THREADS * EACH + 1)]


@pytest.mark.rule("C-7")
def test_c7_statements_naming_two_employers_in_opposite_orders_both_import(contributions, payments):
    """Each statement takes its employers' turns in NPP order, not its lines': two statements
    with the same employers in opposite orders never hold one turn each and wait for the
    other's (PostgreSQL would abort one as a deadlock)."""
    add_employer(contributions, SECOND_NPP)

    def import_statement(round_: int, npps: tuple[str, str]) -> list[int]:
        lines = [pb.BankStatementLine(bank_reference=f"OPPOSITE-{round_}-{'-'.join(npps)}-{k}", amount=rp(AMOUNT),
                                      paid_on=d(date(2021, 6, 1)), npp=npp)
                 for k, npp in enumerate(npps * EACH)]
        response = payments.ImportBankStatement(pb.ImportBankStatementRequest(
            request_id=f"opposite-{round_}-{'-'.join(npps)}", branch_code=BINJAI, lines=lines))
        return [result.outcome for result in response.results]

    for round_ in range(THREADS):
        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(import_statement, [round_, round_], [(NPP, SECOND_NPP), (SECOND_NPP, NPP)]))
        assert outcomes == [[pb.STATEMENT_LINE_OUTCOME_RECORDED] * (2 * EACH)] * 2


@pytest.mark.rule("C-7")
def test_c7_files_naming_two_employers_in_opposite_orders_both_import_also_by_bill_number_alone(
        contributions, payments):
    """ImportBankStatementFile reads the file once for the employers it names, by NPP or by
    a bill number alone, and takes their turns in NPP order before its first line: two files
    with the same employers in opposite orders both import (on PostgreSQL, turns taken line
    by line held one each and waited for the other's: one file was aborted as a deadlock)."""
    add_employer(contributions, SECOND_NPP)
    second_bill = add_bill(contributions, Period(2021, 5), 10_000_000, date(2021, 6, 15), npp=SECOND_NPP)
    by_npp, by_bill = f"NPP {NPP}", f"IURAN {second_bill}"

    def import_file(round_: int, remittances: tuple[str, str]) -> list[int]:
        name = "-".join(r.split()[0] for r in remittances)
        entries = [Entry(f"FILE-{round_}-{name}-{k}", AMOUNT, date(2021, 6, 1), remittance)
                   for k, remittance in enumerate([remittances[0]] * EACH + [remittances[1]] * EACH)]
        answer = send_file(payments, mt940(entries, statement=f"STMT-{round_}-{name}"), "mt940", f"file-{round_}-{name}")
        return [result.outcome for result in answer.results]

    for round_ in range(THREADS):
        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(import_file, [round_, round_], [(by_npp, by_bill), (by_bill, by_npp)]))
        assert outcomes == [[pb.STATEMENT_LINE_OUTCOME_RECORDED] * (2 * EACH)] * 2
    assert bill(contributions, second_bill).paid_rupiah == THREADS * 2 * EACH * AMOUNT
