"""Reading an operator's CSV file: a header with the required columns, UTF-8 (with or
without the BOM spreadsheets write); a file that cannot be read is one clear line, exit 2."""
from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from . import errors


def read_csv(path: Path, columns: Sequence[str], required: Sequence[str], as_json: bool) -> list[dict[str, str | None]]:
    """The data rows of `path` as dicts by column name, in file order."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise errors.fail(f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(columns)}",
                                  errors.BAD_INPUT, as_json)
            return list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise errors.fail(f"cannot read {path}: {exc}", errors.BAD_INPUT, as_json) from None
