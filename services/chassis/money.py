"""Money is whole rupiah (int). Rates are basis points (1 bp = 0.01%), also int.

This module is the one place where a rate is applied and rounded: round half up to the
rupiah (half away from zero for negative amounts, so a correction mirrors its charge).
"""
from __future__ import annotations

BASIS_POINTS_PER_UNIT = 10_000


def apply_rate(amount: int, rate_bp: int) -> int:
    """`amount` x `rate_bp`/10000, rounded half up to the rupiah. 3.7% is 370 bp."""
    if not isinstance(amount, int) or not isinstance(rate_bp, int):
        raise TypeError("money and rates are integers (rupiah, basis points)")
    magnitude = apply_rate_unsigned(abs(amount), abs(rate_bp))
    negative = (amount < 0) != (rate_bp < 0)
    return -magnitude if negative else magnitude


def apply_rate_unsigned(amount: int, rate_bp: int) -> int:
    """`apply_rate` of a non-negative integer amount and rate, which the caller has checked
    (a billing run prices millions of lines of validated rates and bases through this)."""
    return (amount * rate_bp * 2 + BASIS_POINTS_PER_UNIT) // (2 * BASIS_POINTS_PER_UNIT)


def apply_fraction(amount: int, numerator: int, denominator: int) -> int:
    """`amount` x numerator/denominator, rounded half up (e.g. 75% of a wage, 80 months)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    magnitude = (abs(amount) * abs(numerator) * 2 + denominator) // (2 * denominator)
    negative = (amount < 0) != (numerator < 0)
    return -magnitude if negative else magnitude


# The largest amount any request may carry (100 trillion rupiah, far above any real bill,
# wage or payout). Chosen so that sums the platform makes of such amounts stay in 64 bits:
# 90,000 of them, or one of them times a rate of 10,000 bp, is still below 2**63.
MAX_RUPIAH = 100_000_000_000_000
