"""Edge checks every request passes before its handler runs, for every service.

Walked from the message descriptors, so a new RPC is covered without a line of its own:
- every string has a length limit and no control characters; a field whose name says
  what it carries (`npp`, `kpj`, `nik`, `branch_code`, `bill_number`, ...) has that shape
  (the domain still checks what the shape cannot, such as check digits);
- every enum value is one the contract defines (proto3 keeps unknown numbers);
- every Money is within +-MAX_RUPIAH, so no sum the platform makes can overflow 64 bits;
- repeated fields and nesting are bounded.
Presence ("required") and signs ("positive") are the use cases' to check: they depend on
the operation. The naming convention is the contract: a field named `npp` holds an NPP.
Shapes are checked on the request's own fields, not inside rows of a batch (repeated
messages, client streams): an import answers per row, so a malformed row is its reject.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from jamsos.common.v1 import types_pb2

from .errors import FieldViolation, InvalidArgument
from .money import MAX_RUPIAH

DEFAULT_MAX_LENGTH = 200
MAX_REPEATED = 100_000
MAX_DEPTH = 16
MONEY_TYPE = "jamsos.common.v1.Money"

_SEPARATORS = str.maketrans("", "", " .-\t")
_OFFICE_CODE = re.compile(r"[A-Za-z0-9]+([-_][A-Za-z0-9]+)*")
_BILL_NUMBER = re.compile(r"SPI-\d{6}-\d{8}(-K\d{1,6})?")
_PRINTABLE_ID = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class Shape:
    max_length: int
    check: Callable[[str], str | None] = lambda _value: None  # the reason it fails, or None
    multiline: bool = False


def _digits(label: str, count: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        digits = value.translate(_SEPARATORS)
        if not digits.isascii() or not digits.isdigit() or len(digits) != count:
            return f"{label} must be {count} digits"
        return None
    return check


def _matches(pattern: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    return lambda value: None if pattern.fullmatch(value) else f"must be {what}"


NPP = Shape(24, _digits("an NPP", 8))
KPJ = Shape(24, _digits("a KPJ number", 11))
NIK = Shape(32, _digits("a NIK", 16))
OFFICE_CODE = Shape(40, _matches(_OFFICE_CODE, "an office code such as KC-BINJAI"))
BILL_NUMBER = Shape(40, _matches(_BILL_NUMBER, "an SPI bill number such as SPI-202601-01234567"))
IDENTIFIER = Shape(100, _matches(_PRINTABLE_ID, "printable characters without spaces"))
FREE_TEXT = Shape(2000, multiline=True)

# Field name -> shape. Names not listed get DEFAULT_MAX_LENGTH and no format.
SHAPES: dict[str, Shape] = {
    **dict.fromkeys(("npp", "previous_npp", "registered_npp", "matched_npp"), NPP),
    "kpj": KPJ,
    "nik": NIK,
    **dict.fromkeys(("branch_code", "previous_branch_code", "parent_code", "office_code"), OFFICE_CODE),
    **dict.fromkeys(("bill_number", "bill_numbers"), BILL_NUMBER),
    **dict.fromkeys(("request_id", "payment_id", "penalty_id", "run_id", "worksheet_id", "candidate_id",
                     "claim_id", "correction_id", "letter_number", "card_number"), IDENTIFIER),
    **dict.fromkeys(("reason", "reasons", "address", "end_reason", "suspense_reason", "change"), FREE_TEXT),
    "page_token": Shape(500),
}
# Message type -> {field name: shape} where a name means something else in that message.
MESSAGE_SHAPES: dict[str, dict[str, Shape]] = {
    "jamsos.membership.v1.Office": {"code": OFFICE_CODE},
}


def check_request(message: Message, *, shapes: bool = True) -> None:
    """Raises InvalidArgument naming every field that fails (path like `lines[2].amount`).
    `shapes=False` checks only lengths, characters, enums and money (rows of a stream)."""
    problems: list[FieldViolation] = []
    _walk(message, "", problems, 0, shapes)
    if problems:
        raise InvalidArgument(problems[:20])


def _walk(message: Message, prefix: str, problems: list[FieldViolation], depth: int, shapes: bool) -> None:
    if depth > MAX_DEPTH:
        problems.append(FieldViolation(prefix.rstrip(".") or "request", "nested too deeply"))
        return
    descriptor = message.DESCRIPTOR
    if descriptor.full_name == MONEY_TYPE:
        rupiah = cast(types_pb2.Money, message).rupiah
        if not -MAX_RUPIAH <= rupiah <= MAX_RUPIAH:
            problems.append(FieldViolation(f"{prefix}rupiah", f"must be within +-{MAX_RUPIAH:,} rupiah"))
        return
    overrides = MESSAGE_SHAPES.get(descriptor.full_name, {})
    for field, value in message.ListFields():
        path = f"{prefix}{field.name}"
        repeated = field.is_repeated
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            items = list(value.items())
            if len(items) > MAX_REPEATED:
                problems.append(FieldViolation(path, f"at most {MAX_REPEATED} entries"))
            for key, item in items[:MAX_REPEATED]:
                _check_value(field.message_type.fields_by_name["value"], item, f"{path}[{_shown_key(key)}]",
                             overrides, problems, depth, name=field.name, shapes=False)
            continue
        values = list(value) if repeated else [value]
        if len(values) > MAX_REPEATED:
            problems.append(FieldViolation(path, f"at most {MAX_REPEATED} items"))
            values = values[:MAX_REPEATED]
        for index, item in enumerate(values):
            _check_value(field, item, f"{path}[{index}]" if repeated else path, overrides, problems, depth,
                         name=field.name, shapes=shapes and not (repeated and field.message_type is not None))
        if len(problems) >= 20:
            return


def _check_value(field: FieldDescriptor, value: Any, path: str, overrides: dict[str, Shape],
                 problems: list[FieldViolation], depth: int, *, name: str, shapes: bool) -> None:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        _walk(value, f"{path}.", problems, depth + 1, shapes)
    elif field.type == FieldDescriptor.TYPE_STRING:
        shape = overrides.get(name) or SHAPES.get(name) or Shape(DEFAULT_MAX_LENGTH)
        reason = string_problem(value, shape if shapes else Shape(shape.max_length, multiline=shape.multiline))
        if reason:
            problems.append(FieldViolation(path, reason))
    elif field.type == FieldDescriptor.TYPE_ENUM:
        enum_type = field.enum_type
        assert enum_type is not None  # an enum field always has its enum type
        if enum_type.values_by_number.get(value) is None:
            problems.append(FieldViolation(path, f"{value} is not a value of {enum_type.name}"))


def string_problem(value: str, shape: Shape) -> str | None:
    if not value:
        return None  # presence is the use case's to check
    if len(value) > shape.max_length:
        return f"at most {shape.max_length} characters (got {len(value)})"
    if not (value.isascii() and value.isprintable()):  # printable ASCII holds no control character
        for char in value:
            if _is_control(char) and not (shape.multiline and char in "\n\t"):
                return f"must not contain control characters (U+{ord(char):04X})"
    return shape.check(value)


def _is_control(char: str) -> bool:
    # Cc: C0/C1 controls and NUL; Cf: format characters such as U+202E (right-to-left override).
    return unicodedata.category(char) in ("Cc", "Cf", "Cs")


def _shown_key(key: object) -> str:
    text = str(key)
    return text if len(text) <= 20 else text[:20] + "..."
