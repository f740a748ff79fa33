"""Distinct, valid NIKs for the benches' enrolments (M-3 checks the NIK's birth date and sex).

Number n gives serial n % 9999 + 1 and birth date 1970-01-01 + n // 9999 days, so two
numbers never give the same NIK; the region is Binjai's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.membership.domain.nik import make_nik
from services.membership.domain.person import Sex

REGION = "127501"  # Binjai's region code in the NIK
FIRST_BIRTH_DATE = date(1970, 1, 1)


@dataclass(frozen=True)
class Person:
    nik: str
    birth_date: date
    sex: Sex


def person(number: int) -> Person:
    """The person numbered `number` (0 or more): the same number, the same person."""
    days, serial = divmod(number, 9999)
    born = FIRST_BIRTH_DATE + timedelta(days=days)
    sex = Sex.FEMALE if number % 2 else Sex.MALE
    return Person(make_nik(REGION, born, sex, serial=serial + 1), born, sex)


class People:
    """Hands out blocks of person numbers, so concurrent senders never share a NIK."""

    def __init__(self, first: int = 0) -> None:
        self.next_number = first

    def take(self, count: int) -> int:
        """Reserves `count` numbers; returns the first."""
        first = self.next_number
        self.next_number += count
        return first
