"""Domain errors: the one vocabulary every layer raises and the gRPC wrapper maps.

Application and domain code raise these; nothing below the servicer knows about gRPC.
The mapping to status codes (with rich details) lives in `services.chassis.grpc_errors`.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

MAX_ECHO = 64


def shown(value: object, limit: int = MAX_ECHO) -> str:
    """What a client sent, as it may appear in a reply or a log: a short prefix with
    control and format characters (NUL, U+202E, ...) escaped, so replies stay small and
    cannot reorder or hide text."""
    text = str(value)
    cut = len(text) > limit
    escaped = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in text[:limit]
    )
    return f"{escaped}...({len(text)} characters)" if cut else escaped


class DomainError(Exception):
    """Base of every expected, user-facing failure."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldViolation:
    field: str
    reason: str


class InvalidArgument(DomainError):
    """Bad input: maps to INVALID_ARGUMENT with one field violation per problem."""

    def __init__(self, violations: list[FieldViolation] | FieldViolation | tuple[str, str]):
        if isinstance(violations, tuple):
            violations = [FieldViolation(*violations)]
        elif isinstance(violations, FieldViolation):
            violations = [violations]
        self.violations = list(violations)
        super().__init__("; ".join(f"{v.field}: {v.reason}" for v in self.violations))

    @classmethod
    def field(cls, field_name: str, reason: str) -> InvalidArgument:
        return cls([FieldViolation(field_name, reason)])


class RuleViolation(DomainError):
    """A business rule is not met: FAILED_PRECONDITION naming the rule id (e.g. `B-JHT-1`)
    and, where a rule can fail in several ways, a machine-readable `code` saying which
    (e.g. `MEMBERSHIP_UNDER_5_YEARS`), so clients branch without parsing the text."""

    def __init__(self, rule_id: str, reason: str, *, code: str | None = None):
        super().__init__(f"{rule_id}: {reason}")
        self.rule_id = rule_id
        self.reason = reason
        self.code = code


class NotFound(DomainError):
    def __init__(self, kind: str, key: str):
        key = shown(key)
        super().__init__(f"{kind} {key} not found")
        self.kind = kind
        self.key = key


class AlreadyExists(DomainError):
    def __init__(self, kind: str, key: str, message: str | None = None):
        key = shown(key)
        super().__init__(message or f"{kind} {key} already exists")
        self.kind = kind
        self.key = key


class PermissionDenied(DomainError):
    """The caller is authenticated but its role or office scope does not allow this."""


class Unauthenticated(DomainError):
    """No valid credentials (missing, expired or forged token)."""


class Conflict(DomainError):
    """Concurrent modification or a reused request id with a different request: ABORTED."""


@dataclass
class Violations:
    """Collects field violations so a validator can report every problem at once."""

    items: list[FieldViolation] = field(default_factory=list)

    def add(self, field_name: str, reason: str) -> None:
        self.items.append(FieldViolation(field_name, reason))

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidArgument(self.items)
