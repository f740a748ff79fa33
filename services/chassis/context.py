"""Per-request context: who is calling and which flow this is, carried in contextvars.

The gRPC wrapper fills it from metadata; the consumer runner from the event envelope.
Repositories read the caller's scope from here, so no query can forget the branch.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from .errors import PermissionDenied

HEAD = "HEAD"
REGIONAL = "REGIONAL"
BRANCH = "BRANCH"
SERVICE_ROLE = "SERVICE"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user of an office with roles (O-2, O-3)."""

    user_id: str
    office_code: str
    office_level: str  # HEAD, REGIONAL or BRANCH
    roles: frozenset[str]

    def has_any_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_service(self) -> bool:
        return SERVICE_ROLE in self.roles


SYSTEM = Principal(user_id="system", office_code="KP", office_level=HEAD, roles=frozenset({SERVICE_ROLE}))

_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
_causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)


def current_principal() -> Principal:
    principal = _principal.get()
    if principal is None:
        raise PermissionDenied("no caller in context")
    return principal


def optional_principal() -> Principal | None:
    return _principal.get()


def correlation_id() -> str | None:
    return _correlation_id.get()


def causation_id() -> str | None:
    return _causation_id.get()


@contextmanager
def request_context(
    principal: Principal | None, correlation: str | None, causation: str | None = None
) -> Iterator[None]:
    tokens = (_principal.set(principal), _correlation_id.set(correlation), _causation_id.set(causation))
    try:
        yield
    finally:
        _causation_id.reset(tokens[2])
        _correlation_id.reset(tokens[1])
        _principal.reset(tokens[0])
