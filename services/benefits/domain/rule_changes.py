"""A new rule version as changes to the one in force: "from 2024-06-03 the medical cap is
Rp25,000,000" is one figure, named by its path in the version's `to_dict()` form
(`medical_cap`, `transport_caps.AIR`, `stmb_blocks[1].rate_bp`), every other figure carried
over. Only whole-number figures change this way (texts and the shape of a table do not)."""
from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from services.chassis.errors import InvalidArgument

_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d{1,4}\])*)$")


def with_changes(version: Mapping[str, Any], changes: Sequence[tuple[str, int]]) -> dict[str, Any]:
    """A copy of `version` with each (path, value) set; a path naming no whole-number figure
    is InvalidArgument on `changes[i].name`."""
    result = copy.deepcopy(dict(version))
    for index, (path, value) in enumerate(changes):
        container, key = _target(result, path, f"changes[{index}].name")
        current = container[key]
        if path.split(".")[0] == "effective_from" or isinstance(current, (bool, str, dict, list)):
            raise InvalidArgument.field(f"changes[{index}].name", f"{path} is not a whole-number figure")
        container[key] = value
    return result


def _target(data: dict[str, Any], path: str, field: str) -> tuple[Any, Any]:
    container: Any = data
    steps: list[Any] = []
    for segment in path.split("."):
        match = _SEGMENT.match(segment)
        if not match:
            raise InvalidArgument.field(field, f"{path!r} is not a figure's path such as stmb_blocks[1].rate_bp")
        steps.append(match.group(1))
        steps += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    for step in steps[:-1]:
        container = _step(container, step, path, field)
    last = steps[-1]
    _step(container, last, path, field)  # it must exist
    return container, last


def _step(container: Any, step: Any, path: str, field: str) -> Any:
    if isinstance(step, int) and isinstance(container, list) and step < len(container):
        return container[step]
    if isinstance(step, str) and isinstance(container, dict) and step in container:
        return container[step]
    raise InvalidArgument.field(field, f"the version has no figure {path}")
