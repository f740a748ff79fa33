"""Conversions between the common protobuf types and Python values, with field-named errors."""
from __future__ import annotations

import base64
import json
from datetime import date
from collections.abc import Mapping
from typing import Any, TypeVar

from google.protobuf.message import Message
from jamsos.common.v1 import types_pb2

from .errors import InvalidArgument, Violations

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def enum_in(mapping: Mapping[int, T], value: int, field: str, v: Violations, *, required: bool = True) -> T | None:
    """The value a proto enum number stands for; an unset (0) or unknown number is noted in `v`."""
    if value in mapping:
        return mapping[value]
    if value == 0:
        if required:
            v.add(field, "is required")
        return None
    v.add(field, f"{value} is not a known value")
    return None


def to_date(parent: Message, name: str, *, required: bool = True, field: str | None = None) -> date | None:
    """`parent.<name>` (a Date message) as a `date`; unset is None, or an error when required."""
    field = field or name
    if not parent.HasField(name):
        if required:
            raise InvalidArgument.field(field, "required")
        return None
    message = getattr(parent, name)
    try:
        return date(message.year, message.month, message.day)
    except ValueError as exc:
        raise InvalidArgument.field(field, f"not a calendar date ({message.year}-{message.month}-{message.day}): {exc}") from None


def from_date(value: date | None) -> types_pb2.Date | None:
    if value is None:
        return None
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


def to_period(parent: Message, name: str, *, field: str | None = None) -> tuple[int, int]:
    field = field or name
    if not parent.HasField(name):
        raise InvalidArgument.field(field, "required")
    message = getattr(parent, name)
    if not 1 <= message.month <= 12:
        raise InvalidArgument.field(f"{field}.month", f"must be 1..12, got {message.month}")
    if not 1900 <= message.year <= 9999:
        raise InvalidArgument.field(f"{field}.year", f"out of range: {message.year}")
    return message.year, message.month


def from_period(year: int, month: int) -> types_pb2.Period:
    return types_pb2.Period(year=year, month=month)


def to_rupiah(parent: Message, name: str, *, required: bool = True, field: str | None = None) -> int | None:
    """`parent.<name>` (a Money message) as int rupiah; Money{rupiah: 0} is a set zero."""
    field = field or name
    if not parent.HasField(name):
        if required:
            raise InvalidArgument.field(field, "required")
        return None
    return int(getattr(parent, name).rupiah)


def from_rupiah(value: int) -> types_pb2.Money:
    return types_pb2.Money(rupiah=value)


def page_size(page: types_pb2.PageRequest) -> int:
    if page.page_size < 0:
        raise InvalidArgument.field("page.page_size", "must not be negative")
    return min(page.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_page_token(last_key: dict[str, Any]) -> str:
    """Keyset paging: the token is the sort key of the last row returned."""
    return base64.urlsafe_b64encode(json.dumps(last_key, sort_keys=True).encode()).decode()


def decode_page_token(token: str) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, json.JSONDecodeError):
        raise InvalidArgument.field("page.page_token", "not a token this service issued") from None
    if not isinstance(value, dict):
        raise InvalidArgument.field("page.page_token", "not a token this service issued")
    return value


def enum_word(enum: Any, value: int, prefix: str, default: str) -> str:
    """An enum value of another service's event as the word after its prefix
    (`WORKER_STATUS_ACTIVE` -> "ACTIVE"); `default` for 0 or a value this build does not know."""
    name = enum.Name(value) if value in enum.values() else ""
    return name[len(prefix):] if name and value else default


def event_day(message: Message, name: str, occurred_at: Any) -> date:
    """An event's effective date, or the day it happened (`envelope.occurred_at`) when the
    producer left it unset."""
    found = to_date(message, name, required=False)
    return found if found is not None else occurred_at.ToDatetime().date()
