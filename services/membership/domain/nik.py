"""NIK (Nomor Induk Kependudukan), the 16-digit national identity number (M-3, M-4).

Layout: PPKKCC DDMMYY SSSS
- PP   province code (kode provinsi), one of `PROVINCE_CODES`
- KK   regency or city code within the province, 01..99 (cities use 71..99)
- CC   district (kecamatan) code, 01..99
- DDMMYY birth date; women have DD + 40 (so 41..71)
- SSSS serial number within region and birth date, 0001..9999

The NIK carries the year in two digits only, so a NIK date is accepted when it is a real
calendar date in 19YY or 20YY (29 February 00 is real: 2000 was a leap year), and a full
birth date is compared with it by day, month and the last two digits of the year.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.errors import InvalidArgument, Violations

from .person import Sex

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40

# Province codes in use (Kemendagri): Sumatra 11-19 and Riau Islands 21, Java 31-36,
# Bali and Nusa Tenggara 51-53, Kalimantan 61-65, Sulawesi 71-76, Maluku 81-82,
# Papua 91-97 (including the provinces created in 2022).
PROVINCE_CODES: frozenset[int] = frozenset(
    [*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66),
     *range(71, 77), 81, 82, *range(91, 98)]
)

_FIELD = "nik"


@dataclass(frozen=True)
class NikInfo:
    """What a NIK says about its holder."""

    region_code: str  # 6 digits: province, regency/city, district
    birth_date_day: int  # the real day of birth, 1..31 (the +40 for women removed)
    birth_month: int
    birth_year_2digit: int  # 0..99
    sex: Sex
    serial: str = "0001"

    @property
    def province_code(self) -> str:
        return self.region_code[:2]

    @property
    def regency_code(self) -> str:
        return self.region_code[2:4]

    @property
    def district_code(self) -> str:
        return self.region_code[4:6]

    def matches_birth_date(self, birth_date: date) -> bool:
        """True when `birth_date` has this NIK's day, month and two-digit year."""
        return (
            birth_date.day == self.birth_date_day
            and birth_date.month == self.birth_month
            and birth_date.year % 100 == self.birth_year_2digit
        )


def normalise_nik(text: object) -> str:
    """The NIK as 16 ASCII digits (spaces, dots and dashes removed), or InvalidArgument "nik"."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument.field(_FIELD, "is required")
    digits = "".join(c for c in text if c not in " .-\t")
    if any(c not in "0123456789" for c in digits):
        raise InvalidArgument.field(_FIELD, "must contain only digits")
    if len(digits) != NIK_LENGTH:
        raise InvalidArgument.field(_FIELD, f"must be {NIK_LENGTH} digits (got {len(digits)})")
    return digits


def _is_calendar_date(day: int, month: int, year_2digit: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + year_2digit, month, day)
            return True
        except ValueError:
            continue
    return False


def parse_nik(nik: object) -> NikInfo:
    """Parse and check a NIK (M-3): region codes, a real birth date, a serial above 0000.

    Raises InvalidArgument naming "nik" with the first problem found.
    """
    digits = normalise_nik(nik)
    province, regency, district = int(digits[0:2]), digits[2:4], digits[4:6]
    if province not in PROVINCE_CODES:
        raise InvalidArgument.field(_FIELD, f"province code {digits[0:2]} is not an Indonesian province")
    if regency == "00":
        raise InvalidArgument.field(_FIELD, "regency/city code 00 does not exist")
    if district == "00":
        raise InvalidArgument.field(_FIELD, "district code 00 does not exist")
    encoded_day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = Sex.FEMALE if encoded_day > FEMALE_DAY_OFFSET else Sex.MALE
    day = encoded_day - FEMALE_DAY_OFFSET if sex is Sex.FEMALE else encoded_day
    if not _is_calendar_date(day, month, year):
        raise InvalidArgument.field(
            _FIELD,
            f"birth date {digits[6:12]} is not a calendar date "
            f"(DDMMYY, day 01-31 for men, 41-71 for women)",
        )
    serial = digits[12:16]
    if serial == "0000":
        raise InvalidArgument.field(_FIELD, "serial number 0000 is never issued")
    return NikInfo(digits[0:6], day, month, year, sex, serial)


def is_valid_nik(nik: object) -> bool:
    try:
        parse_nik(nik)
    except InvalidArgument:
        return False
    return True


def validate_nik_against(nik: object, birth_date: date, sex: Sex) -> NikInfo:
    """Check that a NIK agrees with the stated birth date and sex (M-3, M-4).

    Raises InvalidArgument naming "nik" for a malformed NIK, otherwise naming
    "birth_date" and/or "sex" for each disagreement.
    """
    info = parse_nik(nik)
    violations = Violations()
    if not info.matches_birth_date(birth_date):
        violations.add(
            "birth_date",
            f"{birth_date.isoformat()} disagrees with the NIK, which encodes "
            f"{info.birth_date_day:02d}-{info.birth_month:02d}-..{info.birth_year_2digit:02d} (DD-MM-YY)",
        )
    if info.sex is not sex:
        violations.add(
            "sex",
            f"{sex.value} disagrees with the NIK, which encodes {info.sex.value} "
            f"(women's NIK birth day is day + 40)",
        )
    violations.raise_if_any()
    return info


def make_nik(region_code: str, birth_date: date, sex: Sex, serial: int = 1) -> str:
    """Build a NIK from its parts (for fixtures and tests; the civil registry issues real ones)."""
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError("region code is 6 digits")
    if not 1 <= serial <= 9999:
        raise ValueError("serial is 1..9999")
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex is Sex.FEMALE else 0)
    return f"{region_code}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
