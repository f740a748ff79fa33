"""Request bodies no protobuf parser accepts, built for one input message type.

Each is checked against the generated class when built: a body the parser would accept
is a bug of this module, not of the service. One exception: field number 0 is illegal in
the protobuf encoding, yet upb accepts a run of zero bytes as unknown data in a message
with no fields (ListOfficesRequest); the service must still refuse it.
"""
from __future__ import annotations

import random
from collections.abc import Callable

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError
from google.protobuf.message_factory import GetMessageClass

LENGTH_DELIMITED, INVALID_WIRE_TYPE, FIXED64 = 2, 7, 1


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def tag(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def string_field_path(message: Descriptor, depth: int = 3) -> list[FieldDescriptor] | None:
    """The field numbers down to a string field (nested messages followed), or None."""
    for f in message.fields:
        if f.type == FieldDescriptor.TYPE_STRING:
            return [f]
    if depth:
        for f in message.fields:
            if f.type == FieldDescriptor.TYPE_MESSAGE:
                below = string_field_path(f.message_type, depth - 1)
                if below:
                    return [f, *below]
    return None


def _invalid_utf8(message: Descriptor) -> bytes | None:
    path = string_field_path(message)
    if path is None:
        return None
    body = tag(path[-1].number, LENGTH_DELIMITED) + varint(2) + b"\xff\xfe"
    for outer in reversed(path[:-1]):
        body = tag(outer.number, LENGTH_DELIMITED) + varint(len(body)) + body
    return body


def _random_garbage(message: Descriptor) -> bytes:
    cls = GetMessageClass(message)
    for seed in range(1000):
        body = random.Random(f"{message.full_name}/{seed}").randbytes(64)
        try:
            cls.FromString(body)
        except DecodeError:
            return body
    raise AssertionError(f"no random body fails to parse as {message.full_name}")


def _first_field_number(message: Descriptor) -> int:
    return message.fields[0].number if message.fields else 1


UNDECODABLE: dict[str, Callable[[Descriptor], bytes | None]] = {
    "random-bytes": _random_garbage,
    "huge-length-prefix": lambda m: b"\x0a\xff\xff\xff\xff\x0f",
    "truncated-tag": lambda m: b"\x80",
    "invalid-utf8-string": _invalid_utf8,
    "1MB-of-zeros": lambda m: b"\x00" * (1 << 20),
    "endless-varint": lambda m: b"\x08" + b"\xff" * 10,
    "invalid-wire-type": lambda m: tag(_first_field_number(m), INVALID_WIRE_TYPE) + b"\x00",
}


SPEC_INVALID_ONLY = frozenset({"1MB-of-zeros"})


def undecodable_bodies(message: Descriptor) -> dict[str, bytes]:
    """{case: body} for every case that applies to `message` (invalid UTF-8 needs a string field)."""
    cls = GetMessageClass(message)
    bodies = {}
    for case, build in UNDECODABLE.items():
        body = build(message)
        if body is None:
            continue
        bodies[case] = body
        if case in SPEC_INVALID_ONLY:
            continue
        try:
            cls.FromString(body)
        except DecodeError:
            pass
        else:
            raise AssertionError(f"{case} parses as {message.full_name}: not garbage")
    return bodies


def mismatched_wire_type(message: Descriptor) -> bytes:
    """A known field sent with another (valid) wire type: protobuf parses it as an unknown field."""
    f = message.fields[0] if message.fields else None
    number = f.number if f else 1
    wire = FIXED64 if f is None or f.type != FieldDescriptor.TYPE_DOUBLE else LENGTH_DELIMITED
    return tag(number, wire) + (b"\x01" * 8 if wire == FIXED64 else b"\x01\x00")
