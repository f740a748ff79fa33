"""Parsing what the operator types: dates, periods, whole rupiah, and the proto values made of them.

A bad value is a usage error (`typer.BadParameter`: exit 2 naming the option) before any
call is made. Money is whole rupiah: digits, with `_` or `,` between thousands if wanted,
never a fraction, never beyond what the platform stores.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import typer

from jamsos.common.v1 import types_pb2
from services.chassis.money import MAX_RUPIAH

_RUPIAH = re.compile(r"-?\d{1,3}(?:([_,])\d{3})?(?:\1\d{3})*|-?\d+")
_PERIOD = re.compile(r"(\d{4})-(\d{1,2})")


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a calendar date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class Month:
    """A contribution period, a calendar month."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_period(text: str) -> Month:
    """YYYY-MM."""
    found = _PERIOD.fullmatch(str(text).strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise typer.BadParameter(f"{text!r} is not a period (YYYY-MM, month 1..12)")
    return Month(int(found.group(1)), int(found.group(2)))


def rupiah_of(text: str, allow_negative: bool = False) -> int:
    """Whole rupiah within +-MAX_RUPIAH; ValueError saying why not."""
    cleaned = str(text).strip()
    if not _RUPIAH.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not whole rupiah (digits only, e.g. 3500000 or 3_500_000)")
    amount = int(cleaned.replace("_", "").replace(",", ""))
    if amount < 0 and not allow_negative:
        raise ValueError(f"{text!r} is negative")
    if abs(amount) > MAX_RUPIAH:
        raise ValueError(f"{text!r} is beyond {MAX_RUPIAH:,} rupiah")
    return amount


def parse_rupiah(text: str) -> int:
    try:
        return rupiah_of(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def pb_date(value: date | None) -> types_pb2.Date | None:
    return None if value is None else types_pb2.Date(year=value.year, month=value.month, day=value.day)


def pb_period(value: Month) -> types_pb2.Period:
    return types_pb2.Period(year=value.year, month=value.month)


def pb_money(rupiah: int) -> types_pb2.Money:
    return types_pb2.Money(rupiah=rupiah)


def proto_enum(enum_prefix: str, choice: Enum | str, module: Any) -> Any:
    """The proto enum value of a choice: `proto_enum("SEX", "FEMALE", workers_pb2)` -> SEX_FEMALE."""
    value = choice.value if isinstance(choice, Enum) else choice
    return getattr(module, f"{enum_prefix}_{str(value).upper().replace('-', '_')}")


def enum_or_unset(enum_prefix: str, choice: Enum | None, module: Any) -> Any:
    """The proto enum value of an optional filter: unset (0) when not given."""
    return proto_enum(enum_prefix, choice.name, module) if choice is not None else 0
