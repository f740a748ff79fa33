"""The edge checks every request passes (request_guard), on the platform's real contracts."""
from __future__ import annotations

import pytest

from jamsos.contributions.v1 import billing_pb2, payments_pb2
from jamsos.membership.v1 import employers_pb2, offices_pb2
from services.chassis.errors import InvalidArgument
from services.chassis.money import MAX_RUPIAH
from services.chassis.request_guard import check_request


def problems(message) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as err:
        check_request(message)
    return {v.field: v.reason for v in err.value.violations}


def payment(**fields) -> payments_pb2.RecordPaymentRequest:
    base = dict(request_id="r1", bank_reference="TRX-1", amount={"rupiah": 1000}, npp="01234567")
    return payments_pb2.RecordPaymentRequest(**{**base, **fields})


def test_a_well_formed_request_passes():
    check_request(payment(bill_number="SPI-202601-01234567-K2", branch_code="KC-BINJAI"))
    check_request(payment(npp="0123-4567"))  # separators as people type them


def test_every_string_has_a_length_limit():
    assert "bank_reference" in problems(payment(bank_reference="x" * 10_000))


@pytest.mark.parametrize("field,value", [
    ("npp", "abc"), ("npp", "123"), ("bill_number", "not-a-bill"), ("branch_code", "KC BINJAI; DROP"),
    ("branch_code", "-KC"),
])
def test_fields_named_for_an_identifier_have_its_shape(field, value):
    assert field in problems(payment(**{field: value}))


@pytest.mark.parametrize("char", ["\x00", "\u202e", "\x1b", "\u200b"])
def test_control_and_format_characters_are_refused(char):
    assert "bank_reference" in problems(payment(bank_reference=f"TRX{char}1"))


def test_free_text_may_hold_new_lines():
    check_request(employers_pb2.ChangeEmployerAddressRequest(request_id="r", npp="01234567", address="Jl. Baru 1\nBinjai"))
    assert "request_id" in problems(employers_pb2.ChangeEmployerAddressRequest(request_id="r\n1"))


def test_an_office_code_in_the_office_tree_has_the_office_code_shape():
    office = offices_pb2.Office(code="KC BINJAI!", name="Kantor Cabang Binjai")
    assert "office.code" in problems(offices_pb2.UpsertOfficeRequest(request_id="r", office=office))


@pytest.mark.parametrize("value", [99, -7])
def test_an_enum_value_the_contract_does_not_define_is_refused(value):
    request = billing_pb2.RenderSpiRequest(bill_number="SPI-202601-01234567", format=value)
    assert "format" in problems(request)


@pytest.mark.parametrize("rupiah", [MAX_RUPIAH + 1, -MAX_RUPIAH - 1, 2**63 - 1, -(2**63)])
def test_money_beyond_the_platform_maximum_is_refused(rupiah):
    assert "amount.rupiah" in problems(payment(amount={"rupiah": rupiah}))


def test_the_platform_maximum_keeps_sums_and_rates_within_64_bits():
    assert MAX_RUPIAH * 90_000 < 2**63 and MAX_RUPIAH * 10_000 < 2**63
    check_request(payment(amount={"rupiah": MAX_RUPIAH}))


def test_nested_fields_are_named_by_path_and_rows_of_a_batch_keep_their_own_shape_checks():
    request = payments_pb2.ImportBankStatementRequest(request_id="r", branch_code="KC-BINJAI", lines=[
        payments_pb2.BankStatementLine(bank_reference="ok", amount={"rupiah": 1}),
        payments_pb2.BankStatementLine(bank_reference="ok\x00", npp="x", amount={"rupiah": 2**62}),
    ])
    # a malformed NPP in one line is that line's reject (per-line results); the rest is refused whole
    assert set(problems(request)) == {"lines[1].bank_reference", "lines[1].amount.rupiah"}


def test_empty_fields_are_left_to_the_use_case():
    check_request(payments_pb2.RecordPaymentRequest())
