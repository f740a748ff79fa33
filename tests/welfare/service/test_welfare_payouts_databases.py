"""Welfare's payment orders where the database matters, on SQLite and PostgreSQL: two
exports racing for the same approved orders make one file (never two paying an order),
and the bank's answer and the payout account's statement mark them on either database."""
from __future__ import annotations

import grpc
import pytest

from jamsos.welfare.v1 import payouts_pb2 as ppb
from services.welfare.bootstrap import definition
from tests.benefits.service.payout_file_support import import_statement, payout_statement
from tests.service_harness import shared_runtime, violation_code_of
from tests.welfare.service.payout_support import (
    REPORTED, approve, awarded_scholarship, e2e, export, get_order, import_status, pain002, payouts, scholarship_order,
)
from tests.welfare.service.support import Welfare, umk_version
from tests.welfare.service.test_welfare_on_both_databases import race


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def both(request, tmp_path_factory):
    for runtime in shared_runtime(definition(), request, tmp_path_factory):
        service = Welfare(runtime)
        service.feed(umk_version("KC-BINJAI", 2_900_000))
        yield service
        service.channel.close()


@pytest.mark.rule("W-S-1")
def test_racing_exports_make_one_file_and_the_bank_and_the_statement_mark_its_orders(both):
    application_id = awarded_scholarship(both)
    first, second = (approve(both, scholarship_order(both, application_id, n).order_id) for n in (1, 2))
    results = race(lambda: export(both), lambda: export(both))
    files = [r for r in results if not isinstance(r, grpc.RpcError)]
    errors = [r for r in results if isinstance(r, grpc.RpcError)]
    assert len(files) == 1 and len(errors) == 1  # never two files paying the same orders
    assert errors[0].code() == grpc.StatusCode.ABORTED or violation_code_of(errors[0]) == "NOTHING_TO_EXPORT"
    header, _ = files[0]
    assert sorted(header.order_ids) == sorted([first.order_id, second.order_id])

    answer = import_status(both, pain002(header.msg_id, [(e2e(first.order_id), "ACSC", "", "")], created=REPORTED))
    assert answer.paid == 1 and get_order(both, first.order_id).state == ppb.PAYMENT_ORDER_STATE_PAID
    statement = payout_statement([(e2e(second.order_id), -200_000, "")], account="0099887766", day="2025-06-30")
    marked = import_statement(payouts(both), statement, ppb.ImportPayoutStatementRequest)
    assert marked.paid == 1 and get_order(both, second.order_id).state == ppb.PAYMENT_ORDER_STATE_PAID
