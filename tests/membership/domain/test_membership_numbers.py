"""NPP (M-1) and KPJ (M-3) numbers, NPWP, and the Damm check digit behind them."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chassis.errors import InvalidArgument
from services.membership.domain.check_digit import damm_check_digit, damm_is_valid
from services.membership.domain.numbers import (
    KPJ_MAX_SEQUENCE,
    NPP_MAX_SEQUENCE,
    is_valid_kpj,
    is_valid_npp,
    make_kpj,
    make_npp,
    normalise_npwp,
    npp_sequence,
    validate_kpj,
    validate_npp,
)

npp_sequences = st.integers(min_value=1, max_value=NPP_MAX_SEQUENCE)
kpj_sequences = st.integers(min_value=1, max_value=KPJ_MAX_SEQUENCE)


def single_digit_changes(number: str):
    for i, original in enumerate(number):
        for digit in "0123456789":
            if digit != original:
                yield number[:i] + digit + number[i + 1:]


def adjacent_transpositions(number: str):
    for i in range(len(number) - 1):
        if number[i] != number[i + 1]:
            yield number[:i] + number[i + 1] + number[i] + number[i + 2:]


def field_of(error: InvalidArgument) -> list[str]:
    return [v.field for v in error.violations]


def test_damm_check_digit_of_the_published_example():
    # Wikipedia's worked example: 572 -> check digit 4.
    assert damm_check_digit("572") == "4"
    assert damm_is_valid("5724")
    assert not damm_is_valid("5274")


@pytest.mark.rule("M-1")
def test_m1_npp_is_eight_digits_sequence_then_check_digit():
    npp = make_npp(1234)
    # Damm over 0,0,0,1,2,3,4 (interim digit, row then column of the table): 0 -> 0 -> 0 -> 0,
    # then 1: T[0][1] = 3, 2: T[3][2] = 5, 3: T[5][3] = 4, 4: T[4][4] = 0 -> check digit 0
    assert npp == "00012340"
    assert npp_sequence(npp) == 1234


@pytest.mark.rule("M-3")
def test_m3_kpj_is_eleven_digits_sequence_then_check_digit():
    kpj = make_kpj(42)
    # Damm over eight zeros (interim stays 0), then 4: T[0][4] = 5, 2: T[5][2] = 7 -> check digit 7
    assert kpj == "00000000427"


@pytest.mark.rule("M-1")
@pytest.mark.parametrize("bad", [0, -1, NPP_MAX_SEQUENCE + 1])
def test_m1_npp_sequence_out_of_range_is_a_programming_error(bad):
    with pytest.raises(ValueError):
        make_npp(bad)


@pytest.mark.rule("M-1")
def test_m1_npp_validation_normalises_separators():
    npp = make_npp(765432)
    assert validate_npp(f" {npp[:4]}-{npp[4:]} ") == npp


@pytest.mark.rule("M-1")
@pytest.mark.parametrize(
    "text, reason_part",
    [(None, "required"), ("", "required"), ("1234567", "8 digits"), ("12A45678", "only digits"),
     ("00000000", "never issued")],
)
def test_m1_bad_npp_is_rejected_naming_the_npp_field(text, reason_part):
    with pytest.raises(InvalidArgument) as caught:
        validate_npp(text)
    assert field_of(caught.value) == ["npp"]
    assert reason_part in caught.value.violations[0].reason


@pytest.mark.rule("M-3")
def test_m3_kpj_validation_can_name_another_request_field():
    with pytest.raises(InvalidArgument) as caught:
        validate_kpj("123", field="member_kpj")
    assert field_of(caught.value) == ["member_kpj"]


@pytest.mark.rule("M-3")
def test_m3_kpj_check_digit_catches_every_single_digit_typo():
    kpj = make_kpj(1_234_567_890)
    for typo in single_digit_changes(kpj):
        assert not is_valid_kpj(typo), typo


@pytest.mark.rule("M-3")
def test_m3_kpj_check_digit_catches_every_adjacent_transposition():
    kpj = make_kpj(9_081_726_354)
    for swapped in adjacent_transposition_list(kpj):
        assert not is_valid_kpj(swapped), swapped


def adjacent_transposition_list(number: str) -> list[str]:
    found = list(adjacent_transpositions(number))
    assert found, "the example must have differing neighbours"
    return found


@pytest.mark.rule("M-1")
@given(npp_sequences)
def test_m1_every_generated_npp_validates(sequence):
    npp = make_npp(sequence)
    assert validate_npp(npp) == npp
    assert npp_sequence(npp) == sequence


@pytest.mark.rule("M-3")
@given(kpj_sequences)
def test_m3_every_generated_kpj_validates(sequence):
    kpj = make_kpj(sequence)
    assert validate_kpj(kpj) == kpj


@pytest.mark.rule("M-1")
@given(npp_sequences, st.data())
def test_m1_any_single_digit_change_of_an_npp_is_rejected(sequence, data):
    npp = make_npp(sequence)
    typo = data.draw(st.sampled_from(list(single_digit_changes(npp))))
    assert not is_valid_npp(typo)


@pytest.mark.rule("M-3")
@given(kpj_sequences, st.data())
def test_m3_any_single_digit_change_of_a_kpj_is_rejected(sequence, data):
    kpj = make_kpj(sequence)
    typo = data.draw(st.sampled_from(list(single_digit_changes(kpj))))
    assert not is_valid_kpj(typo)


@pytest.mark.rule("M-1")
@given(npp_sequences)
def test_m1_any_adjacent_transposition_of_an_npp_is_rejected(sequence):
    npp = make_npp(sequence)
    for swapped in adjacent_transpositions(npp):
        assert not is_valid_npp(swapped), swapped


@pytest.mark.rule("M-3")
@given(kpj_sequences)
def test_m3_any_adjacent_transposition_of_a_kpj_is_rejected(sequence):
    kpj = make_kpj(sequence)
    for swapped in adjacent_transpositions(kpj):
        assert not is_valid_kpj(swapped), swapped


@pytest.mark.rule("M-1")
def test_m1_npwp_old_and_new_forms_compare_equal():
    assert normalise_npwp("01.234.567.8-901.000") == "0012345678901000"
    assert normalise_npwp("0012345678901000") == "0012345678901000"


@pytest.mark.rule("M-1")
@pytest.mark.parametrize("text", ["1234", "01.234.567.8-901.00X", "000000000000000"])
def test_m1_malformed_npwp_is_rejected_naming_tax_number(text):
    with pytest.raises(InvalidArgument) as caught:
        normalise_npwp(text)
    assert field_of(caught.value) == ["tax_number"]
