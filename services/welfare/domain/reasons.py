"""Why an application fails: every condition that is not met, each with its rule id, so an
officer sees the whole list at once instead of one refusal per attempt (W-S-2, W-P-2,
W-K-1, W-M-2)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.chassis.errors import RuleViolation


@dataclass(frozen=True)
class Reason:
    rule_id: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"rule_id": self.rule_id, "code": self.code, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        return cls(str(data["rule_id"]), str(data["code"]), str(data["message"]))


def refuse_if_any(reasons: Iterable[Reason]) -> None:
    """One FAILED_PRECONDITION for terms that must hold before anything is recorded: named by
    the first reason's rule and code, the message listing them all."""
    found = list(reasons)
    if found:
        first = found[0]
        raise RuleViolation(first.rule_id, "; ".join(r.message for r in found), code=first.code)
