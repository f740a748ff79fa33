"""Decoding helpers every welfare mapping shares: required text, positive money, enums,
dates, documents, page tokens; each failure is INVALID_ARGUMENT naming the request field."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from jamsos.common.v1 import types_pb2
from jamsos.welfare.v1 import common_pb2
from services.chassis.convert import decode_page_token, encode_page_token, page_size, to_date
from services.chassis.errors import InvalidArgument
from services.welfare.application.events import PROGRAM_TO_PROTO, reason_to_proto  # noqa: F401 - re-exported
from services.welfare.domain.documents import DocumentKind
from services.welfare.domain.programs import Program

E = TypeVar("E")
ID_MAX = 100
TEXT_MAX = 200
REFERENCE_MAX = 100

PROGRAM = {v: k for k, v in PROGRAM_TO_PROTO.items()}
DOCUMENT = {value: DocumentKind(name.removeprefix("DOCUMENT_KIND_"))
            for name, value in common_pb2.DocumentKind.items() if value}


def text(value: str, field: str, *, max_length: int = TEXT_MAX, required: bool = True) -> str | None:
    cleaned = " ".join(value.split())
    if not cleaned:
        if required:
            raise InvalidArgument.field(field, "required")
        return None
    if len(cleaned) > max_length:
        raise InvalidArgument.field(field, f"at most {max_length} characters")
    return cleaned


def required_text(value: str, field: str, *, max_length: int = TEXT_MAX) -> str:
    found = text(value, field, max_length=max_length)
    assert found is not None  # required
    return found


def identifier(value: str, field: str) -> str:
    """An id this service issued (application, loan): present and short; unknown ones are NotFound."""
    if not value:
        raise InvalidArgument.field(field, "required")
    if len(value) > ID_MAX:
        raise InvalidArgument.field(field, f"at most {ID_MAX} characters")
    return value


def money(parent: Any, name: str, field: str | None = None, *, positive: bool = True) -> int:
    field = field or name
    if not parent.HasField(name):
        raise InvalidArgument.field(field, "required")
    rupiah = int(getattr(parent, name).rupiah)
    if rupiah < 0 or (positive and rupiah == 0):
        raise InvalidArgument.field(f"{field}.rupiah", "must be a positive number of rupiah" if positive
                                    else "must not be negative")
    return rupiah


def positive_int(value: int, field: str) -> int:
    if value <= 0:
        raise InvalidArgument.field(field, "must be a positive number")
    return value


def enum_of(mapping: Mapping[int, E], value: int, field: str, *, required: bool = True) -> E | None:
    if value in mapping:
        return mapping[value]
    if value == 0 and not required:
        return None
    raise InvalidArgument.field(field, "required" if value == 0 else f"{value} is not a known value")


def required_enum(mapping: Mapping[int, E], value: int, field: str) -> E:
    found = enum_of(mapping, value, field)
    assert found is not None  # required
    return found


def day(parent: Any, name: str, field: str | None = None) -> date:
    found = to_date(parent, name, field=field)
    assert found is not None  # required
    return found


def optional_day(parent: Any, name: str, field: str | None = None) -> date | None:
    return to_date(parent, name, required=False, field=field)


def documents(values: Iterable[int], field: str) -> frozenset[DocumentKind]:
    found = set()
    for i, value in enumerate(values):
        if value not in DOCUMENT:
            raise InvalidArgument.field(f"{field}[{i}]", "not a document kind")
        found.add(DOCUMENT[value])
    return frozenset(found)


def documents_to_proto(held: Iterable[DocumentKind]) -> list[int]:
    back = {v: k for k, v in DOCUMENT.items()}
    return sorted(back[d] for d in held)


def program_of(value: int, field: str = "program") -> Program | None:
    return enum_of(PROGRAM, value, field, required=False)


def page_after(page: types_pb2.PageRequest, key: str = "after") -> tuple[int, Any]:
    """(page size, the last key of the previous page or None)."""
    size = page_size(page)
    token = decode_page_token(page.page_token) or {}
    after = token.get(key)
    if after is not None and not isinstance(after, (str, list)):
        raise InvalidArgument.field("page.page_token", "not a token this service issued")
    return size, after


def next_page(page: types_pb2.PageResponse, last: Any, more: bool) -> None:
    if more:
        page.next_page_token = encode_page_token({"after": last})
