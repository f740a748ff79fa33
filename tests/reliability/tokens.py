"""Bearer tokens good and bad: user tokens, service tokens, forged and broken ones.

Service identity (`mint_service_token`, its key `DEV_SERVICE_JWT_SECRET`) is being added
to the chassis; until it is there, the cases that need it fail with a message saying so.
"""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from services.chassis import auth, config
from services.chassis.auth import mint_token
from services.chassis.config import DEV_JWT_SECRET
from tests.service_harness import token_for

WRONG_SECRET = "not-the-secret-of-any-jamsos-service-0123456789"


def _level(office: str) -> str:
    return "HEAD" if office == "KP" else "REGIONAL" if office.startswith("KW") else "BRANCH"


def user_claims(office: str, *roles: str, ttl: int = 3600) -> dict:
    now = int(time.time())
    return {"sub": f"{office.lower()}-probe", "office": office, "office_level": _level(office), "roles": sorted(roles),
            "iat": now, "exp": now + ttl, "iss": "jamsos"}


def user_token(office: str, *roles: str) -> str:
    return token_for(office, *roles)


def service_secret() -> str:
    secret = getattr(config, "DEV_SERVICE_JWT_SECRET", None)
    if secret is None:
        pytest.fail("services.chassis.config.DEV_SERVICE_JWT_SECRET is missing (service identity not implemented yet)")
    return secret


def service_token(service: str = "benefits", *, secret: str | None = None, ttl_seconds: int = 300) -> str:
    mint = getattr(auth, "mint_service_token", None)
    if mint is None:
        pytest.fail("services.chassis.auth.mint_service_token is missing (service identity not implemented yet)")
    return mint(service, secret=secret or service_secret(), ttl_seconds=ttl_seconds)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tampered() -> str:
    """A branch officer's valid token whose claims were rewritten to head office admin, signature kept."""
    header, _, signature = token_for("KC-BINJAI", "ADMINISTRATION_OFFICER").split(".")
    claims = _b64(json.dumps(user_claims("KP", "HEAD_OFFICE_ADMIN")).encode())
    return f"{header}.{claims}.{signature}"


def _alg_none() -> str:
    return jwt.encode(user_claims("KP", "HEAD_OFFICE_ADMIN"), key=None, algorithm="none")


# Each refused with UNAUTHENTICATED on every RPC. Values build the token (None: no header).
UNAUTHENTICATED_TOKENS = {
    "no-token": lambda: None,
    "not-a-jwt": lambda: "not.a.jwt",
    "bad-signature": lambda: mint_token(user_id="kp-forger", office_code="KP", office_level="HEAD",
                                        roles=["HEAD_OFFICE_ADMIN"], secret=WRONG_SECRET),
    "tampered-claims": _tampered,
    "expired": lambda: mint_token(user_id="kp-admin", office_code="KP", office_level="HEAD",
                                  roles=["HEAD_OFFICE_ADMIN"], secret=DEV_JWT_SECRET, ttl_seconds=-120),
    "alg-none": _alg_none,
    "user-token-signed-with-service-key": lambda: mint_token(
        user_id="kp-admin", office_code="KP", office_level="HEAD", roles=["HEAD_OFFICE_ADMIN"], secret=service_secret()),
    "service-token-signed-with-user-key": lambda: service_token(secret=DEV_JWT_SECRET),
    "expired-service-token": lambda: service_token(ttl_seconds=-120),
    "reserved-role-SERVICE": lambda: token_for("KC-JAKSEL", "SERVICE"),
    "reserved-role-SERVICE+ADMINISTRATION_OFFICER": lambda: token_for("KC-JAKSEL", "SERVICE", "ADMINISTRATION_OFFICER"),
    "reserved-role-SYSTEM": lambda: token_for("KP", "SYSTEM"),
}

# Authenticated, but with no O-3 role at all: refused (PERMISSION_DENIED or UNAUTHENTICATED).
NO_ROLE_TOKENS = {
    "unknown-role-JANITOR-at-KP": lambda: token_for("KP", "JANITOR"),
    "unknown-role-JANITOR-at-KC-BINJAI": lambda: token_for("KC-BINJAI", "JANITOR"),
    "no-roles-at-KP": lambda: token_for("KP"),
}
