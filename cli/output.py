"""Tables for people, JSON for scripts, from the same data.

`plain(message)` turns a response into plain JSON-ready values the way an operator reads
them: Money -> integer rupiah (never a string or a float), Date -> "YYYY-MM-DD", Period ->
"YYYY-MM", timestamps -> ISO 8601, enums -> their short name ("ENROLLED", not
"ENROLMENT_OUTCOME_ENROLLED"), bytes left out. Tables go to stdout; progress to stderr.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from rich.console import Console
from rich.table import Table



def plain(message: Message) -> dict[str, Any]:
    """Every field of `message` (defaults included) as plain values."""
    return {f.name: _value(f, getattr(message, f.name), message) for f in message.DESCRIPTOR.fields
            if f.type != FieldDescriptor.TYPE_BYTES}


def _value(f: Any, value: Any, parent: Message) -> Any:
    if f.is_repeated:
        return [_single(f, v) for v in value]
    if f.type == FieldDescriptor.TYPE_MESSAGE and not parent.HasField(f.name):
        return None
    return _single(f, value)


def _single(f: Any, value: Any) -> Any:
    if f.type == FieldDescriptor.TYPE_ENUM:
        return _enum_name(f, value)
    if f.type != FieldDescriptor.TYPE_MESSAGE:
        return value
    name = f.message_type.full_name
    if name == "jamsos.common.v1.Money":
        return int(value.rupiah)
    if name == "jamsos.common.v1.Date":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else None
    if name == "jamsos.common.v1.Period":
        return f"{value.year:04d}-{value.month:02d}" if value.year else None
    if name == "google.protobuf.Timestamp":
        return datetime.fromtimestamp(value.seconds + value.nanos / 1e9, UTC).isoformat() if value.seconds else None
    return plain(value)


def _enum_name(f: Any, number: int) -> str:
    enum = f.enum_type
    assert enum is not None
    full = enum.values_by_number[number].name if number in enum.values_by_number else str(number)
    prefix = "".join("_" + c if c.isupper() else c for c in enum.name).lstrip("_").upper() + "_"
    return full.removeprefix(prefix)


def rupiah(amount: int | None) -> str:
    """Rp1.234.567 (Indonesian grouping)."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def console(stderr: bool = False) -> Console:
    """A console on the current stdout (or stderr); wide when not a terminal, so rows do not wrap."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(file=stream, width=None if stream.isatty() else 160, soft_wrap=False,
                   no_color=not stream.isatty(), highlight=False)


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def record_table(title: str, pairs: Iterable[tuple[str, Any]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left", min_width=len(title))
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in pairs:
        table.add_row(key, _cell(value))
    return table


def rows_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    table = Table(title=title, title_justify="left", min_width=len(title))
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def show(as_json: bool, data: Any, *tables: Table) -> None:
    """The command's answer: `data` as JSON, or the tables."""
    if as_json:
        print_json(data)
        return
    out = console()
    for table in tables:
        if table.row_count or len(tables) == 1:  # a detail table with no rows says nothing
            out.print(table)
