"""Keyset pages: a query asks for `limit` rows, the repository is asked one more, so the
answer knows whether another page follows without counting."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    more: bool


def page_of(found: Sequence[T], limit: int) -> Page[T]:
    """`found` was fetched with `limit + 1`."""
    return Page(tuple(found[:limit]), len(found) > limit)
