"""Amounts at the edge of int64 and malformed identifiers never reach the books.

Before the edge checks, a payment of 9,223,372,036,854,775,807 rupiah was accepted and
then broke the employer for good: every sum over its payments overflowed (UNAVAILABLE,
INTERNAL). Now such a request is INVALID_ARGUMENT, nothing is written, and the employer
keeps working.
"""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc, payments_pb2 as pb
from jamsos.contributions.v1 import standing_pb2, standing_pb2_grpc
from services.chassis.money import MAX_RUPIAH
from services.contributions.adapters.money_tables import payments as payments_table
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import FINANCE, NPP, add_bill, d, rp
from tests.service_harness import violated_fields



def payment(ref: str, amount: int, **fields) -> pb.RecordPaymentRequest:
    return pb.RecordPaymentRequest(**{**dict(request_id=f"r-{ref}", bank_reference=ref, amount=rp(amount),
                                             paid_on=d(date(2021, 3, 1)), npp=NPP), **fields})


def stored_payments(contributions) -> int:
    with contributions.app.ctx.base.read_session() as session:
        return session.execute(select(func.count()).select_from(payments_table)).scalar_one()


@pytest.mark.parametrize("amount", [2**63 - 1, MAX_RUPIAH + 1, -(2**63)])
def test_an_amount_beyond_the_platform_maximum_is_refused_and_the_employer_keeps_working(
        contributions, payments, as_user, amount):
    with pytest.raises(grpc.RpcError) as err:
        payments.RecordPayment(payment("HUGE-1", amount))
    assert violated_fields(err.value) == {"amount.rupiah"}
    assert stored_payments(contributions) == 0
    add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    assert payments.RecordPayment(payment("OK-1", 1_000_000)).payment.amount.rupiah == 1_000_000
    standing = as_user(*FINANCE)(standing_pb2_grpc.StandingServiceStub).GetStanding(standing_pb2.GetStandingRequest(npp=NPP))
    assert standing.standing.npp == NPP


def test_the_largest_allowed_amount_is_recorded_and_sums_stay_exact(contributions, payments):
    for ref in ("MAX-1", "MAX-2"):
        payments.RecordPayment(payment(ref, MAX_RUPIAH))
    assert stored_payments(contributions) == 2


@pytest.mark.parametrize("fields,field", [
    (dict(bank_reference="B" * 10_000), "bank_reference"),
    (dict(npp="ABCDEFGH"), "npp"),
    (dict(npp="123"), "npp"),
    (dict(bill_number="SPI-2021"), "bill_number"),
    (dict(npp="", branch_code="KC BINJAI"), "branch_code"),
    (dict(bank_reference="BNI\u202e-1"), "bank_reference"),
])
def test_malformed_payment_fields_are_refused_by_name_and_nothing_is_written(contributions, payments, fields, field):
    with pytest.raises(grpc.RpcError) as err:
        payments.RecordPayment(payment("BAD-1", 1_000, **fields))
    assert field in violated_fields(err.value)
    assert stored_payments(contributions) == 0


@pytest.mark.parametrize("amount", [0, -1])
def test_a_payment_is_positive(contributions, payments, amount):
    with pytest.raises(grpc.RpcError) as err:
        payments.RecordPayment(payment("ZERO-1", amount))
    assert violated_fields(err.value) == {"amount"}
    assert stored_payments(contributions) == 0


def test_a_payment_naming_no_employer_no_bill_and_no_branch_is_refused(contributions, payments):
    with pytest.raises(grpc.RpcError) as err:
        payments.RecordPayment(payment("NONE-1", 1_000, npp=""))
    assert violated_fields(err.value) == {"branch_code"}


@pytest.mark.parametrize("spi_format", [99, -7])
def test_render_spi_refuses_a_format_the_contract_does_not_define(contributions, as_user, spi_format):
    number = add_bill(contributions, Period(2021, 2), 1_000_000, date(2021, 3, 15))
    stub = as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    with pytest.raises(grpc.RpcError) as err:
        stub.RenderSpi(billing_pb2.RenderSpiRequest(bill_number=number, format=spi_format))
    assert violated_fields(err.value) == {"format"}
