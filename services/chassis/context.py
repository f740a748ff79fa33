"""Per-request context: who is calling and which flow this is, carried in contextvars.

The gRPC wrapper fills it from metadata; the consumer runner from the event envelope.
Repositories read the caller's scope from here, so no query can forget the branch.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass

from .errors import PermissionDenied
from .ids import uuid7

HEAD = "HEAD"
# The head office's code (Kantor Pusat): where services and the process itself act from.
HEAD_OFFICE = "KP"
REGIONAL = "REGIONAL"
BRANCH = "BRANCH"
# Roles no user token may claim: service identity is a credential of its own (auth.py).
RESERVED_ROLES = frozenset({"SERVICE", "SYSTEM"})

USER = "user"
SERVICE = "service"  # another service, authenticated by a service token
SYSTEM_KIND = "system"  # this process itself: consumers and jobs, never from the wire

# One access the branch scope refused (verb, subject, subject_branch, outcome), audited after the call.
Refusal = dict[str, str]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user of an office with roles (O-2, O-3), another
    service (by its service token), or this process itself."""

    user_id: str
    office_code: str
    office_level: str  # HEAD, REGIONAL or BRANCH
    roles: frozenset[str]
    kind: str = USER

    def has_any_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_service(self) -> bool:
        """A service or the process itself: acts for the platform, not for one office."""
        return self.kind in (SERVICE, SYSTEM_KIND)

    @property
    def caller_key(self) -> str:
        """Who the caller is, for keying what is stored per caller (request ids)."""
        return f"{self.kind}:{self.office_code}:{self.user_id}"


def service_principal(service: str) -> Principal:
    return Principal(user_id=f"service:{service}", office_code=HEAD_OFFICE, office_level=HEAD, roles=frozenset(), kind=SERVICE)


def system_principal(name: str) -> Principal:
    return Principal(user_id=name, office_code=HEAD_OFFICE, office_level=HEAD, roles=frozenset(), kind=SYSTEM_KIND)


SYSTEM = system_principal("system")

_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
_causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)
_refusals: contextvars.ContextVar[list[Refusal] | None] = contextvars.ContextVar("refusals", default=None)
# The branches the request's scope reads, once built (a one-item list; [None]: every branch):
# what the database's row security is told (row_security.py). A list of the request's own,
# so nothing noted outlives the request on a pooled thread.
_visible: contextvars.ContextVar[list[frozenset[str] | None] | None] = contextvars.ContextVar("visible", default=None)


def current_principal() -> Principal:
    principal = _principal.get()
    if principal is None:
        raise PermissionDenied("no caller in context")
    return principal


def optional_principal() -> Principal | None:
    return _principal.get()


# A call that brought no correlation id gets one, made when something first asks for it
# (an event, a log line): most lookups never do, and a uuid per call was a fixed cost.
NEW_CORRELATION = "\x00new"


def correlation_id() -> str | None:
    value = _correlation_id.get()
    if value is NEW_CORRELATION:
        value = uuid7()
        _correlation_id.set(value)  # the request's own: request_context resets it on leaving
    return value


def causation_id() -> str | None:
    return _causation_id.get()


def note_refusal(refusal: Refusal) -> None:
    """Remember a refused access of this request; the gRPC wrapper audits it afterwards,
    outside the request's own (rolled back) transaction."""
    bucket = _refusals.get()
    if bucket is not None:
        bucket.append(refusal)


def note_branches(readable: frozenset[str] | None) -> None:
    """The caller's scope was built: these are the branches it reads (None: every branch)."""
    holder = _visible.get()
    if holder is not None:
        holder[:] = [readable]


def noted_branches() -> tuple[bool, frozenset[str] | None]:
    """(whether a scope was built in this request, the branches it reads)."""
    holder = _visible.get()
    return (True, holder[0]) if holder else (False, None)


class request_context:  # noqa: N801 - used as a function: `with request_context(...):`
    """The caller, correlation and causation of one request for the code it runs (a class,
    not a generator: every call enters one)."""

    __slots__ = ("_values", "_tokens")

    def __init__(self, principal: Principal | None, correlation: str | None, causation: str | None = None,
                 refusals: list[Refusal] | None = None):
        self._values = (principal, correlation, causation, refusals)

    def __enter__(self) -> None:
        principal, correlation, causation, refusals = self._values
        self._tokens = (_principal.set(principal), _correlation_id.set(correlation), _causation_id.set(causation),
                        _refusals.set(refusals), _visible.set([]))

    def __exit__(self, *exc: object) -> None:
        tokens = self._tokens
        _visible.reset(tokens[4])
        _refusals.reset(tokens[3])
        _causation_id.reset(tokens[2])
        _correlation_id.reset(tokens[1])
        _principal.reset(tokens[0])
