"""Dated rule tables: every rate, cap and amount of the rule book as versions in force
from a date, so a bill, claim or loan is computed with the rules of its own date and a new
regulation is a new version, not a code change. Pure: no I/O (domains build on it).

A version is any frozen value with `effective_from` and `to_dict()`; `RuleTable` orders
them and answers which one is in force on a day. Storage is `rule_store`, a replica of a
table another service owns is `rule_replica`.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from .errors import InvalidArgument, RuleViolation


class Versioned(Protocol):
    @property
    def effective_from(self) -> date: ...

    def to_dict(self) -> dict[str, Any]: ...


V = TypeVar("V", bound=Versioned)


class RuleTable(Generic[V]):
    """Versions of one rule set, ordered by `effective_from`; one version is in force per day.

    `rule_id` is the rule a day without any version fails (FAILED_PRECONDITION naming it):
    the rule of the book whose figures the table holds, never an id of its own.
    """

    def __init__(self, versions: Iterable[V], *, rule_id: str):
        ordered = tuple(sorted(versions, key=lambda v: v.effective_from))
        if not ordered:
            raise InvalidArgument.field("versions", "a rule table needs at least one version")
        starts = [v.effective_from for v in ordered]
        if len(set(starts)) != len(starts):
            raise InvalidArgument.field("versions", "two versions share an effective_from date")
        self.versions: tuple[V, ...] = ordered
        self.rule_id = rule_id
        self._starts = starts

    def in_force_on(self, day: date) -> V:
        """The latest version with `effective_from <= day`."""
        index = bisect.bisect_right(self._starts, day)
        if index == 0:
            raise RuleViolation(self.rule_id, f"no rule version in force on {day.isoformat()}",
                                code="NO_RULE_VERSION_IN_FORCE")
        return self.versions[index - 1]

    def with_version(self, version: V) -> RuleTable[V]:
        """A new table with one more version: how a new regulation is added."""
        return RuleTable((*self.versions, version), rule_id=self.rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {"versions": [v.to_dict() for v in self.versions]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], load: Callable[[Mapping[str, Any]], V], *,
                  rule_id: str) -> RuleTable[V]:
        """`load` reads one version, e.g. ``ContributionRules.from_dict``."""
        return cls((load(v) for v in data["versions"]), rule_id=rule_id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleTable) and self.versions == other.versions

    def __repr__(self) -> str:
        return f"RuleTable({list(self.versions)!r})"


def parse_iso_date(name: str, value: Any) -> date:
    """A version's date field as stored (ISO text) or given (a date)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidArgument.field(name, "expected an ISO date YYYY-MM-DD") from None
