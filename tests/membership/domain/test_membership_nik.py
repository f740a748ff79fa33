"""NIK parsing and its agreement with birth date and sex (M-3, M-4)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.chassis.errors import InvalidArgument
from services.membership.domain.nik import PROVINCE_CODES
from services.membership.domain.numbers import is_valid_nik, make_nik, parse_nik, validate_nik_against
from services.membership.domain.person import Sex

# A man born 3 Feb 1990 registered in Binjai (12 75 .. is Kota Binjai, North Sumatra).
MAN = "1275010302900001"
WOMAN = "1275014302900002"  # the same birth date, day + 40


def reasons(error: InvalidArgument) -> dict[str, str]:
    return {v.field: v.reason for v in error.violations}


@pytest.mark.rule("M-4")
def test_m4_nik_gives_region_birth_date_and_sex():
    info = parse_nik(MAN)
    assert (info.region_code, info.province_code, info.regency_code, info.district_code) == \
        ("127501", "12", "75", "01")
    assert (info.birth_date_day, info.birth_month, info.birth_year_2digit) == (3, 2, 90)
    assert info.sex is Sex.MALE and info.serial == "0001"


@pytest.mark.rule("M-4")
def test_m4_womans_nik_has_birth_day_plus_40():
    info = parse_nik(WOMAN)
    assert info.sex is Sex.FEMALE and info.birth_date_day == 3


@pytest.mark.rule("M-3")
@pytest.mark.parametrize(
    "nik, reason_part",
    [
        ("127501030290000", "16 digits"),
        ("12750103029000O1", "only digits"),
        ("9975010302900001", "province code 99"),
        ("2075010302900001", "province code 20"),
        ("1200010302900001", "regency"),
        ("1275000302900001", "district"),
        ("1275013102900001", "not a calendar date"),  # 31 February
        ("1275017102900001", "not a calendar date"),  # a woman's 31 February
        ("1275013213900001", "not a calendar date"),  # month 13
        ("1275013502900001", "not a calendar date"),  # day 35 is neither sex
        ("1275010302900000", "serial"),
    ],
)
def test_m3_malformed_nik_is_rejected_with_a_clear_reason(nik, reason_part):
    with pytest.raises(InvalidArgument) as caught:
        parse_nik(nik)
    assert list(reasons(caught.value)) == ["nik"]
    assert reason_part in reasons(caught.value)["nik"]


@pytest.mark.rule("M-3")
def test_m3_nik_of_29_february_00_is_real_because_2000_was_leap():
    assert is_valid_nik("3171012902000001")
    assert not is_valid_nik("3171012902010001")


@pytest.mark.rule("M-4")
def test_m4_nik_agreeing_with_birth_date_and_sex_passes():
    assert validate_nik_against(WOMAN, date(1990, 2, 3), Sex.FEMALE).sex is Sex.FEMALE


@pytest.mark.rule("M-4")
def test_m4_nik_year_is_compared_by_two_digits():
    leap = validate_nik_against("3171012902000001", date(2000, 2, 29), Sex.MALE)
    assert (leap.birth_date_day, leap.birth_month, leap.birth_year_2digit, leap.sex) == (29, 2, 0, Sex.MALE)
    man = validate_nik_against(MAN, date(1990, 2, 3), Sex.MALE)
    assert (man.region_code, man.birth_date_day, man.birth_month, man.birth_year_2digit, man.serial) == \
        ("127501", 3, 2, 90, "0001")
    with pytest.raises(InvalidArgument):
        validate_nik_against(MAN, date(1991, 2, 3), Sex.MALE)


@pytest.mark.rule("M-4")
def test_m4_disagreeing_birth_date_and_sex_name_both_fields():
    with pytest.raises(InvalidArgument) as caught:
        validate_nik_against(MAN, date(1990, 3, 2), Sex.FEMALE)
    found = reasons(caught.value)
    assert set(found) == {"birth_date", "sex"}
    assert "03-02-..90" in found["birth_date"]
    assert "MALE" in found["sex"]


@pytest.mark.rule("M-4")
def test_m4_malformed_nik_is_reported_on_nik_not_on_birth_date():
    with pytest.raises(InvalidArgument) as caught:
        validate_nik_against("123", date(1990, 2, 3), Sex.MALE)
    assert list(reasons(caught.value)) == ["nik"]


provinces = st.sampled_from(sorted(PROVINCE_CODES))
two_digit_codes = st.integers(min_value=1, max_value=99)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@pytest.mark.rule("M-3")
@given(provinces, two_digit_codes, two_digit_codes, birth_dates, st.sampled_from(list(Sex)),
       st.integers(min_value=1, max_value=9999))
def test_m3_nik_built_from_valid_parts_round_trips(province, regency, district, born, sex, serial):
    region = f"{province:02d}{regency:02d}{district:02d}"
    nik = make_nik(region, born, sex, serial)
    info = parse_nik(nik)
    assert info.region_code == region
    assert (info.birth_date_day, info.birth_month, info.birth_year_2digit) == \
        (born.day, born.month, born.year % 100)
    assert info.sex is sex and info.serial == f"{serial:04d}"
    assert validate_nik_against(nik, born, sex) == info


@pytest.mark.rule("M-4")
@given(birth_dates)
def test_m4_womens_nik_day_is_birth_day_plus_40(born):
    nik = make_nik("317101", born, Sex.FEMALE)
    assert int(nik[6:8]) == born.day + 40
    assert 41 <= int(nik[6:8]) <= 71
    assert int(make_nik("317101", born, Sex.MALE)[6:8]) == born.day
