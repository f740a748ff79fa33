"""Bearer tokens (JWT): verification for the gRPC wrapper and minting for development.

Claims: `sub` (user id), `office` (office code), `office_level` (HEAD, REGIONAL,
BRANCH), `roles` (list), `exp`, `iss`. Embedded mode signs with HS256 and a shared
secret; production verifies RS256 with the public key from the environment.
"""
from __future__ import annotations

import time
from typing import Iterable, Mapping

import jwt

from .context import BRANCH, HEAD, REGIONAL, Principal
from .errors import Unauthenticated

OFFICE_LEVELS = (HEAD, REGIONAL, BRANCH)


class TokenVerifier:
    def __init__(self, *, secret: str | None = None, public_key: str | None = None, issuer: str = "jamsos"):
        if not secret and not public_key:
            raise ValueError("a JWT secret (HS256) or public key (RS256) is required")
        self._key = public_key or secret
        self._algorithms = ["RS256"] if public_key else ["HS256"]
        self._issuer = issuer

    def principal_from_metadata(self, metadata: Mapping[str, str]) -> Principal:
        header = metadata.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("missing bearer token in 'authorization' metadata")
        return self.verify(token)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                options={"require": ["exp", "sub", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None
        level = claims.get("office_level")
        office = claims.get("office")
        roles = claims.get("roles")
        if level not in OFFICE_LEVELS or not isinstance(office, str) or not office or not isinstance(roles, list):
            raise Unauthenticated("token lacks office, office_level or roles")
        return Principal(user_id=str(claims["sub"]), office_code=office, office_level=level, roles=frozenset(map(str, roles)))


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
    if private_key:
        return jwt.encode(claims, private_key, algorithm="RS256")
    if not secret:
        raise ValueError("a secret (HS256) or private key (RS256) is required")
    return jwt.encode(claims, secret, algorithm="HS256")
