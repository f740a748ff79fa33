"""Identifier formats of the membership service.

- NPP (Nomor Pendaftaran Perusahaan), the employer number (M-1): 8 digits, a 7-digit
  national sequence zero-padded plus a Damm check digit. The service issues it from one
  national sequence, so it is unique nationally; the branch is an attribute, not a prefix,
  so an employer that moves branch keeps its number.
- KPJ (Kartu Peserta Jamsostek), the member card number (M-3): 11 digits, a 10-digit
  national sequence plus a Damm check digit. One person keeps one KPJ for life.
- NPWP (Nomor Pokok Wajib Pajak), the tax number: 15 digits (old form) or 16 (since 2024).
- NIK, the national identity number: see `nik` (re-exported here).

Validators accept the number with spaces, dots or dashes, return it as plain digits, and
raise InvalidArgument naming the request field with the reason.
"""
from __future__ import annotations

from services.chassis.errors import InvalidArgument

from .check_digit import DIGITS, damm_check_digit, damm_is_valid
from .nik import (  # re-exported: numbers is the one place for identifier formats
    NikInfo,
    is_valid_nik,
    make_nik,
    normalise_nik,
    parse_nik,
    validate_nik_against,
)

NPP_SEQUENCE_DIGITS = 7
NPP_LENGTH = NPP_SEQUENCE_DIGITS + 1
NPP_MAX_SEQUENCE = 10**NPP_SEQUENCE_DIGITS - 1

KPJ_SEQUENCE_DIGITS = 10
KPJ_LENGTH = KPJ_SEQUENCE_DIGITS + 1
KPJ_MAX_SEQUENCE = 10**KPJ_SEQUENCE_DIGITS - 1

__all__ = [
    "KPJ_LENGTH", "KPJ_MAX_SEQUENCE", "NPP_LENGTH", "NPP_MAX_SEQUENCE", "NikInfo", "is_valid_kpj",
    "is_valid_nik", "is_valid_npp", "make_kpj", "make_nik", "make_npp", "normalise_nik", "normalise_npwp",
    "npp_sequence", "parse_nik", "validate_kpj", "validate_nik_against", "validate_npp",
]

_SEPARATORS = " .-\t"


def _digits(text: object, field: str, label: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument.field(field, "is required")
    digits = "".join(c for c in text if c not in _SEPARATORS)
    if any(c not in DIGITS for c in digits):
        raise InvalidArgument.field(field, f"{label} must contain only digits")
    return digits


def _make(sequence: int, width: int, maximum: int, label: str) -> str:
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"{label} sequence must be an int")
    if not 1 <= sequence <= maximum:
        raise ValueError(f"{label} sequence must be 1..{maximum}, got {sequence}")
    body = f"{sequence:0{width}d}"
    return body + damm_check_digit(body)


def _validate(text: object, field: str, label: str, length: int) -> str:
    digits = _digits(text, field, label)
    if len(digits) != length:
        raise InvalidArgument.field(field, f"{label} must be {length} digits (got {len(digits)})")
    if not damm_is_valid(digits):
        raise InvalidArgument.field(field, f"{label} {digits} has a wrong check digit (a typo?)")
    if int(digits[:-1]) == 0:
        raise InvalidArgument.field(field, f"{label} {digits} is never issued")
    return digits


def make_npp(sequence: int) -> str:
    """The NPP for national sequence number `sequence` (1..9,999,999) (M-1)."""
    return _make(sequence, NPP_SEQUENCE_DIGITS, NPP_MAX_SEQUENCE, "NPP")


def validate_npp(text: object, field: str = "npp") -> str:
    """`text` as a normalised NPP (8 digits), or InvalidArgument naming `field` (M-1)."""
    return _validate(text, field, "NPP", NPP_LENGTH)


def is_valid_npp(text: object) -> bool:
    try:
        validate_npp(text)
    except InvalidArgument:
        return False
    return True


def npp_sequence(npp: str) -> int:
    """The sequence number inside a valid NPP."""
    return int(validate_npp(npp)[:-1])


def make_kpj(sequence: int) -> str:
    """The KPJ for national sequence number `sequence` (1..9,999,999,999) (M-3)."""
    return _make(sequence, KPJ_SEQUENCE_DIGITS, KPJ_MAX_SEQUENCE, "KPJ")


def validate_kpj(text: object, field: str = "kpj") -> str:
    """`text` as a normalised KPJ (11 digits), or InvalidArgument naming `field` (M-3)."""
    return _validate(text, field, "KPJ", KPJ_LENGTH)


def is_valid_kpj(text: object) -> bool:
    try:
        validate_kpj(text)
    except InvalidArgument:
        return False
    return True


def normalise_npwp(text: object, field: str = "tax_number") -> str:
    """An NPWP (tax number) in its 16-digit form, or InvalidArgument naming `field`.

    Accepts the old 15-digit form (e.g. "01.234.567.8-901.000") and the 16-digit form.
    A company's 16-digit NPWP is "0" + its 15-digit NPWP (the 2024 conversion), so the
    old form is returned with a leading 0 and both spellings of one company compare equal.
    The NPWP's own check digit is not published as a rule, so it is not checked here.
    """
    digits = _digits(text, field, "NPWP")
    if len(digits) not in (15, 16):
        raise InvalidArgument.field(field, f"NPWP must be 15 or 16 digits (got {len(digits)})")
    if int(digits) == 0:
        raise InvalidArgument.field(field, "NPWP 0 is not a tax number")
    return digits.zfill(16)
