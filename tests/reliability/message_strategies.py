"""Hypothesis strategies for any protobuf message, built from its descriptor.

Scalars lean on the edges: strings long (10,000 characters), with control characters,
NUL, U+202E (right-to-left override) and lookalikes of real identifiers; integers at
the ends of their range; enums with numbers the contract does not define (99, -7);
nested messages to a bounded depth; short repeated fields; maps; oneofs.

So that some requests get past the first check and reach the use cases, a field whose
name says what it holds (`npp`, `kpj`, `branch_code`, `request_id`, `year`, ...) and the
common Date, Period and Money types are also drawn, more often than not, from plausible
values: the first NPP and KPJ a fresh database issues (`make_npp(1)`, `make_kpj(1)`),
the offices of the tree, real calendar dates (the first and last of all among them),
amounts of a few million rupiah.
"""
from __future__ import annotations

from datetime import date
from functools import cache

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

from services.membership.domain.numbers import make_kpj, make_nik, make_npp
from services.membership.domain.person import Sex

F = FieldDescriptor
MAX_DEPTH = 3

INT32 = (-2**31, 2**31 - 1)
INT64 = (-2**63, 2**63 - 1)
UINT32 = (0, 2**32 - 1)
UINT64 = (0, 2**64 - 1)

# Strings that mean something to the services, so some requests get past the first check.
DOMAIN_STRINGS = (
    "KP", "KW-SUMBAGUT", "KW-DKI", "KC-BINJAI", "KC-MEDAN", "KC-JAKSEL", make_npp(1), make_npp(2), make_kpj(1),
    make_kpj(2), "3171011501900001", "1275014302900001", "SPI-202401-" + make_npp(1), "2024-01-31", "rq-1",
)
NASTY_STRINGS = (
    "", " ", "\x00", "a\x00b", "\u202e", "\u202eKC-BINJAI", "KC-BINJAI\u202e", "\x1b[2J", "\r\n", "\t", "\x7f",
    "\ufeff", "\u200b", "'; DROP TABLE workers; --", "%s%s%n", "../../etc/passwd", "${jndi:ldap://x}",
    "x" * 10_000, "9" * 10_000, "\U0001d54f" * 2_500, "é" * 5_000,
)

OFFICES = ("KP", "KW-SUMBAGUT", "KW-DKI", "KC-MEDAN", "KC-BINJAI", "KC-SIBOLGA", "KC-JAKSEL", "KC-JAKPUS", "KC-JAKTIM")
NPPS = tuple(make_npp(n) for n in (1, 2, 3))
KPJS = tuple(make_kpj(n) for n in (1, 2, 3))
# The person the fuzz module enrols (see test_fuzz_requests.py), born on FUZZ_BIRTH_DATE.
FUZZ_BIRTH_DATE = date(1990, 2, 3)
FUZZ_NIK = make_nik("127599", FUZZ_BIRTH_DATE, Sex.FEMALE, 9999)


def _mostly_first(values: tuple) -> st.SearchStrategy:
    """The first value (the seeded record's) three times in four, else another."""
    return st.sampled_from((values[0],) * 3 + values[1:2])


_ids = st.uuids().map(lambda u: f"rq-{u.hex[:16]}")

# Field name -> plausible values, drawn two times in three for a field of that name.
HINTS: dict[str, st.SearchStrategy] = {
    **dict.fromkeys(("npp", "previous_npp", "registered_npp", "matched_npp"), _mostly_first(NPPS)),
    "kpj": _mostly_first(KPJS),
    "nik": st.sampled_from((FUZZ_NIK, "3171011501900001", "1275010101900001")),
    **dict.fromkeys(("branch_code", "office_code", "parent_code", "previous_branch_code", "code"), st.sampled_from(OFFICES)),
    **dict.fromkeys(("request_id", "claim_id", "letter_number", "bank_reference", "reference"), _ids),
    "bill_number": st.sampled_from(NPPS).flatmap(
        lambda npp: st.sampled_from([f"SPI-2024{m:02d}-{npp}" for m in (1, 2, 12)])),
    "year": st.integers(2015, 2030),
    "month": st.integers(1, 12),
    "risk_group": st.integers(1, 5),
    "page_size": st.sampled_from([0, 1, 50, 500, 501, 2**31 - 1]),
}


# The first and last dates of all twice as likely: arithmetic past them overflows.
EDGE_DATES = (date.min, date.max, date.min, date.max, date(1900, 2, 28), date(2000, 2, 29), date(2024, 2, 29),
              date(2023, 12, 31), date(1970, 1, 1), FUZZ_BIRTH_DATE)


def _plausible_date() -> st.SearchStrategy[dict]:
    days = st.one_of(st.sampled_from(EDGE_DATES), st.dates(date(1950, 1, 1), date(2030, 12, 31)), st.dates())
    return days.map(lambda d: {"year": d.year, "month": d.month, "day": d.day})


# Message type -> plausible field values (a dict), drawn two times in three.
TYPE_HINTS: dict[str, st.SearchStrategy[dict]] = {
    "jamsos.common.v1.Date": _plausible_date(),
    "jamsos.common.v1.Period": st.fixed_dictionaries({
        "year": st.one_of(st.integers(2015, 2030), st.sampled_from([1, 1900, 9998, 9999])), "month": st.integers(1, 12)}),
    "jamsos.common.v1.Money": st.fixed_dictionaries({"rupiah": st.sampled_from([0, 1, 3_500_000, 12_000_000, 10**12])}),
}


def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_STRINGS),
        st.sampled_from(DOMAIN_STRINGS),
        st.text(max_size=30),
        st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Zl", "Zp")), max_size=10),
    )


def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    edges = sorted({low, high, 0, 1, -1 if low < 0 else 0, low + 1, high - 1})
    return st.one_of(st.sampled_from(edges), st.integers(low, high))


def _enum(field: FieldDescriptor) -> st.SearchStrategy[int]:
    known = [v.number for v in field.enum_type.values]
    if getattr(field.enum_type, "is_closed", False):
        return st.sampled_from(known)
    return st.one_of(st.sampled_from(known), st.sampled_from([99, -7, 2**31 - 1, -2**31]))


def _scalar(field: FieldDescriptor) -> st.SearchStrategy:
    t = field.type
    if t == F.TYPE_STRING:
        return _text()
    if t == F.TYPE_BYTES:
        return st.one_of(st.binary(max_size=64), st.just(b"\x00" * 4096), st.just(b"\xff\xfe"))
    if t == F.TYPE_BOOL:
        return st.booleans()
    if t in (F.TYPE_INT32, F.TYPE_SINT32, F.TYPE_SFIXED32):
        return _integers(*INT32)
    if t in (F.TYPE_INT64, F.TYPE_SINT64, F.TYPE_SFIXED64):
        return _integers(*INT64)
    if t in (F.TYPE_UINT32, F.TYPE_FIXED32):
        return _integers(*UINT32)
    if t in (F.TYPE_UINT64, F.TYPE_FIXED64):
        return _integers(*UINT64)
    if t == F.TYPE_DOUBLE:
        return st.floats(allow_nan=True, allow_infinity=True)
    if t == F.TYPE_FLOAT:
        return st.floats(allow_nan=True, allow_infinity=True, width=32)
    if t == F.TYPE_ENUM:
        return _enum(field)
    raise TypeError(f"no strategy for field type {t} of {field.full_name}")


def _value(field: FieldDescriptor, depth: int) -> st.SearchStrategy | None:
    """One value of `field` (not its repetition); None when nesting is too deep."""
    if field.type == F.TYPE_MESSAGE:
        if depth >= MAX_DEPTH:
            return None
        generic = messages(field.message_type, depth + 1)
        hint = TYPE_HINTS.get(field.message_type.full_name)
        if hint is None:
            return generic
        cls = GetMessageClass(field.message_type)
        plausible = hint.map(lambda values: cls(**values))
        return st.one_of(plausible, plausible, generic)
    hint = HINTS.get(field.name)
    compatible = hint is not None and (field.type == F.TYPE_STRING) == (field.name not in _INT_HINTS)
    return st.one_of(hint, hint, _scalar(field)) if compatible else _scalar(field)


_INT_HINTS = frozenset({"year", "month", "risk_group", "page_size"})


def _is_map(field: FieldDescriptor) -> bool:
    return field.type == F.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def _field(field: FieldDescriptor, depth: int) -> st.SearchStrategy | None:
    if _is_map(field):
        key = _scalar(field.message_type.fields_by_name["key"])
        value = _value(field.message_type.fields_by_name["value"], depth)
        return None if value is None else st.dictionaries(key, value, max_size=3)
    value = _value(field, depth)
    if value is None:
        return None
    return st.lists(value, max_size=3) if field.is_repeated else value


def _assign(message: Message, field: FieldDescriptor, value) -> None:
    target = getattr(message, field.name)
    if _is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        for k, v in value.items():
            if value_field.type == F.TYPE_MESSAGE:
                target[k].CopyFrom(v)
            else:
                target[k] = v
    elif field.is_repeated:
        if field.type == F.TYPE_MESSAGE:
            for item in value:
                target.add().CopyFrom(item)
        else:
            target.extend(value)
    elif field.type == F.TYPE_MESSAGE:
        target.CopyFrom(value)
    else:
        setattr(message, field.name, value)


@cache
def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """Messages of `descriptor`'s type, every field present or absent, one member per oneof."""
    cls = GetMessageClass(descriptor)
    in_real_oneof = {f.name for o in descriptor.oneofs if not _synthetic(o) for f in o.fields}
    plain = {}
    for f in descriptor.fields:
        if f.name in in_real_oneof:
            continue
        strategy = _field(f, depth)
        if strategy is not None:
            plain[f.name] = st.one_of(st.none(), strategy, strategy)  # absent a third of the time
    oneofs = []
    for o in descriptor.oneofs:
        if _synthetic(o):
            continue
        members = [st.tuples(st.just(f.name), s) for f in o.fields if (s := _field(f, depth)) is not None]
        oneofs.append(st.one_of(st.none(), *members))

    def build(values: dict, chosen: list) -> Message:
        message = cls()
        for name, value in values.items():
            if value is not None:
                _assign(message, descriptor.fields_by_name[name], value)
        for pick in chosen:
            if pick is not None:
                _assign(message, descriptor.fields_by_name[pick[0]], pick[1])
        return message

    return st.builds(build, st.fixed_dictionaries(plain), st.tuples(*oneofs).map(list))


def _synthetic(oneof) -> bool:
    """The oneof proto3 makes for one `optional` field: that field is a plain one here."""
    return len(oneof.fields) == 1 and getattr(oneof.fields[0], "has_presence", False) and oneof.name.startswith("_")


def requests(descriptor: Descriptor, client_streaming: bool) -> st.SearchStrategy[list[Message]]:
    """What a caller sends: one message, or 1..3 for a client stream."""
    one = messages(descriptor)
    return st.lists(one, min_size=1, max_size=3) if client_streaming else one.map(lambda m: [m])
