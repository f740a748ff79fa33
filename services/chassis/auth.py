"""Bearer tokens (JWT): verification for the gRPC wrapper and minting for development.

Two credentials that cannot stand in for each other:
- **User tokens** (issuer `JWT_ISSUER`, no audience, the user key): claims `sub` (user id),
  `office` (office code), `office_level` (HEAD, REGIONAL, BRANCH), `roles` (O-3 roles),
  `exp`, `iss`. A user token that claims a reserved role (`SERVICE`, `SYSTEM`) is refused:
  whoever can issue user tokens cannot make a service of them.
- **Service tokens** (issuer and audience `jamsos-services`, a key of their own): claim
  `svc` (the calling service). They carry no roles and no office; the gRPC wrapper accepts
  them only on the methods a service declares for calls between services.
In-process callers (consumers, jobs) use `context.SYSTEM`-kind principals, which no token
can produce.

Embedded mode signs with HS256 and shared secrets; production verifies RS256 with public
keys from the environment.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

import jwt

from .context import BRANCH, HEAD, REGIONAL, RESERVED_ROLES, Principal, service_principal
from .errors import Unauthenticated

OFFICE_LEVELS = (HEAD, REGIONAL, BRANCH)
SERVICE_ISSUER = "jamsos-services"
SERVICE_AUDIENCE = "jamsos-services"
_MAX_TOKEN_LENGTH = 8192
# Verified tokens kept until they expire: a branch user's token is verified once, not on
# every call (the signature check is a tenth of a lookup's cost). Bounded: the oldest go first.
_CACHE_SIZE = 4096


class _Key:
    """One verification key with the one algorithm it may be used with."""

    def __init__(self, secret: str | None, public_key: str | None):
        self.key: str = public_key or secret or ""  # "": no key (falsy, as None was)
        self.algorithms = ["RS256"] if public_key else ["HS256"]

    def __bool__(self) -> bool:
        return bool(self.key)


class TokenVerifier:
    def __init__(
        self,
        *,
        secret: str | None = None,
        public_key: str | None = None,
        issuer: str = "jamsos",
        service_secret: str | None = None,
        service_public_key: str | None = None,
    ):
        if not secret and not public_key:
            raise ValueError("a JWT secret (HS256) or public key (RS256) is required")
        self._user = _Key(secret, public_key)
        self._service = _Key(service_secret, service_public_key)
        if self._service and self._service.key == self._user.key:
            raise ValueError("the service token key must differ from the user token key")
        self._issuer = issuer
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._cache_lock = threading.Lock()

    def principal_from_metadata(self, metadata: Mapping[str, str]) -> Principal:
        header = metadata.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("missing bearer token in 'authorization' metadata")
        return self.verify(token)

    def verify(self, token: str) -> Principal:
        """The caller a token names; a token verified before is answered from the cache
        until its `exp` (the same instant PyJWT would start refusing it)."""
        cached = self._verified.get(token)
        if cached is not None and time.time() < cached[1]:
            return cached[0]
        principal, expires = self._verify_signed(token)
        with self._cache_lock:
            if len(self._verified) >= _CACHE_SIZE:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = (principal, expires)
        return principal

    def _verify_signed(self, token: str) -> tuple[Principal, float]:
        if len(token) > _MAX_TOKEN_LENGTH:
            raise Unauthenticated("invalid token: too long")
        if self._claims_service_audience(token):
            return self._verify_service(token)
        claims = self._decode(token, self._user, issuer=self._issuer, audience=None, required=["exp", "sub", "iss"])
        level = claims.get("office_level")
        office = claims.get("office")
        roles = claims.get("roles")
        if level not in OFFICE_LEVELS or not isinstance(office, str) or not office or not isinstance(roles, list):
            raise Unauthenticated("token lacks office, office_level or roles")
        roles = frozenset(map(str, roles))
        if roles & RESERVED_ROLES:
            raise Unauthenticated("a user token cannot claim a service role; services use service tokens")
        principal = Principal(user_id=str(claims["sub"]), office_code=office, office_level=level, roles=roles)
        return principal, _expiry(claims)

    def _verify_service(self, token: str) -> tuple[Principal, float]:
        if not self._service:
            raise Unauthenticated("service tokens are not accepted: no service key is configured")
        claims = self._decode(token, self._service, issuer=SERVICE_ISSUER, audience=SERVICE_AUDIENCE,
                              required=["exp", "iss", "aud", "svc"])
        service = claims.get("svc")
        if not isinstance(service, str) or not service.isidentifier():
            raise Unauthenticated("service token lacks a valid 'svc' claim")
        return service_principal(service), _expiry(claims)

    @staticmethod
    def _claims_service_audience(token: str) -> bool:
        """Which key to check against; the signature is verified afterwards either way."""
        try:
            audience = jwt.decode(token, options={"verify_signature": False}).get("aud")
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None
        return audience == SERVICE_AUDIENCE or (isinstance(audience, list) and SERVICE_AUDIENCE in audience)

    @staticmethod
    def _decode(token: str, key: _Key, *, issuer: str, audience: str | None, required: list[str]) -> dict[str, Any]:
        try:
            return jwt.decode(token, key.key, algorithms=key.algorithms, issuer=issuer, audience=audience,
                              options={"require": required})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None


def _expiry(claims: dict[str, Any]) -> float:
    """`exp` as PyJWT accepted it (a number: it refuses anything else)."""
    return float(claims["exp"])


def _sign(claims: dict[str, Any], secret: str | None, private_key: str | None) -> str:
    if private_key:
        return jwt.encode(claims, private_key, algorithm="RS256")
    if not secret:
        raise ValueError("a secret (HS256) or private key (RS256) is required")
    return jwt.encode(claims, secret, algorithm="HS256")


def mint_token(
    *,
    user_id: str,
    office_code: str,
    office_level: str,
    roles: Iterable[str],
    secret: str | None = None,
    private_key: str | None = None,
    issuer: str = "jamsos",
    ttl_seconds: int = 8 * 3600,
) -> str:
    if office_level not in OFFICE_LEVELS:
        raise ValueError(f"office_level must be one of {OFFICE_LEVELS}")
    now = int(time.time())
    claims = {
        "sub": user_id,
        "office": office_code,
        "office_level": office_level,
        "roles": sorted(roles),
        "iat": now,
        "exp": now + ttl_seconds,
        "iss": issuer,
    }
    return _sign(claims, secret, private_key)


def mint_service_token(
    service: str, *, secret: str | None = None, private_key: str | None = None, ttl_seconds: int = 300
) -> str:
    """A short-lived token for a call from `service` to another service."""
    now = int(time.time())
    claims = {"svc": service, "iat": now, "exp": now + ttl_seconds, "iss": SERVICE_ISSUER, "aud": SERVICE_AUDIENCE}
    return _sign(claims, secret, private_key)
