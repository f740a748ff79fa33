"""Every service, RPC, message, field and enum of protos/ has a leading comment (issue 13:
the API reference, docs/api.md, is generated from them, and a client must know a field's
unit, format and meaning): a new element without one fails here, naming it.

Exempt, because their name says all a comment would: the request id of a mutating RPC
(`request_id`, the chassis' retry contract), paging (`page`), and enum values (the enum's
comment says what it is; a value whose meaning its name does not carry gets one by hand)."""
from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parent.parent
SELF_EXPLAINING_FIELDS = {"request_id", "page"}


def _docs_pages():  # noqa: ANN202 - the script module
    spec = importlib.util.spec_from_file_location("docs_pages_for_comments", ROOT / "scripts" / "docs_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGES = _docs_pages()
MESSAGE, ENUM, SERVICE, FIELD, NESTED, METHOD = (PAGES.MESSAGE, PAGES.ENUM, PAGES.SERVICE, PAGES.FIELD,
                                                 PAGES.NESTED, PAGES.METHOD)
NESTED_ENUM = 4  # DescriptorProto.enum_type


def _enum(enum: descriptor_pb2.EnumDescriptorProto, path: tuple[int, ...], prefix: str
          ) -> Iterator[tuple[tuple[int, ...], str]]:
    yield path, f"enum {prefix}{enum.name}"


def _message(message: descriptor_pb2.DescriptorProto, path: tuple[int, ...], prefix: str
             ) -> Iterator[tuple[tuple[int, ...], str]]:
    name = f"{prefix}{message.name}"
    if message.options.map_entry:
        return
    yield path, f"message {name}"
    for i, field in enumerate(message.field):
        if field.name not in SELF_EXPLAINING_FIELDS:
            yield (*path, FIELD, i), f"field {name}.{field.name}"
    for i, nested in enumerate(message.nested_type):
        yield from _message(nested, (*path, NESTED, i), f"{name}.")
    for i, enum in enumerate(message.enum_type):
        yield from _enum(enum, (*path, NESTED_ENUM, i), f"{name}.")


def elements(file: descriptor_pb2.FileDescriptorProto) -> Iterator[tuple[tuple[int, ...], str]]:
    """(source-info path, what it is) of every element a client reads a comment of."""
    for i, service in enumerate(file.service):
        yield (SERVICE, i), f"service {service.name}"
        for j, method in enumerate(service.method):
            yield (SERVICE, i, METHOD, j), f"rpc {service.name}.{method.name}"
    for i, message in enumerate(file.message_type):
        yield from _message(message, (MESSAGE, i), "")
    for i, enum in enumerate(file.enum_type):
        yield from _enum(enum, (ENUM, i), "")


def uncommented() -> list[str]:
    missing = []
    for file in PAGES.descriptor_set().file:
        if not file.name.startswith("jamsos/"):
            continue
        commented = PAGES.comments(file)
        missing += [f"{file.name}: {what}" for path, what in elements(file) if path not in commented]
    return missing


def test_every_rpc_message_field_and_enum_of_the_protos_has_a_leading_comment():
    missing = uncommented()
    assert not missing, f"{len(missing)} proto elements without a leading comment:\n" + "\n".join(missing)
