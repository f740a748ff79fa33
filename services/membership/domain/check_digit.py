"""The Damm check digit, used for the NPP (M-1) and the KPJ (M-3).

Why Damm: it works on plain decimal digits (no extra "X" character as in ISO 7064
MOD 11-10's cousins), needs one table lookup per digit, and detects every single-digit
error and every transposition of two adjacent digits, including the check digit itself.
Reference: H. Michael Damm, "Total anti-symmetrische Quasigruppen", 2004; the table is the
standard order-10 weakly totally anti-symmetric quasigroup.
"""
from __future__ import annotations

_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

DIGITS = "0123456789"


def _interim(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _TABLE[interim][DIGITS.index(char)]
    return interim


def damm_check_digit(digits: str) -> str:
    """The check digit to append to `digits` (a non-empty string of ASCII digits)."""
    if not digits or any(c not in DIGITS for c in digits):
        raise ValueError("Damm check digit needs a non-empty string of ASCII digits")
    return DIGITS[_interim(digits)]


def damm_is_valid(digits: str) -> bool:
    """True when `digits` ends with its correct Damm check digit."""
    if len(digits) < 2 or any(c not in DIGITS for c in digits):
        return False
    return _interim(digits) == 0
