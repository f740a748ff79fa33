"""Mint a development token (embedded mode, HS256 with the embedded secrets).

    python -m services.chassis.devtoken --office KC-BINJAI --level BRANCH --roles ADMINISTRATION_OFFICER
    python -m services.chassis.devtoken --service benefits     # a service token (SERVICE_JWT_SECRET)
    grpcurl -H "authorization: Bearer $(python -m services.chassis.devtoken ...)" ...

The checks (`user_token_claims`) and the minting are shared with the operator CLI
(`jamsos token`): a token that would be refused or grant nothing is refused here, with
the reason, instead of being minted: reserved roles (a user token cannot be a service),
roles the platform does not know (O-3: they grant nothing) and office codes whose shape
does not say their level (KP is the head office, KW-... regions, KC-... branches; O-1).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass

from .auth import OFFICE_LEVELS, mint_service_token, mint_token
from .config import DEV_JWT_SECRET, DEV_SERVICE_JWT_SECRET, SERVICES
from .context import BRANCH, HEAD, HEAD_OFFICE, REGIONAL, RESERVED_ROLES
from .roles import Role

USER_TTL_SECONDS = 8 * 3600
SERVICE_TTL_SECONDS = 300
# The level an office code's prefix names (O-1): KW-<name> regions, KC-<name> branches.
_CODE_OF_LEVEL = {
    REGIONAL: re.compile(r"KW(-[A-Z0-9]+)+"),
    BRANCH: re.compile(r"KC(-[A-Z0-9]+)+"),
}


class TokenRefused(ValueError):
    """The claims asked for would make a token the platform refuses or that grants nothing."""


@dataclass(frozen=True)
class UserClaims:
    user_id: str
    office_code: str
    office_level: str
    roles: tuple[str, ...]


def level_of(office: str) -> str:
    """The office level an office code's prefix names (KP head, KW- regional, KC- branch)."""
    if office.startswith("KW"):
        return REGIONAL
    if office.startswith("KC"):
        return BRANCH
    return HEAD


def parse_roles(text: str) -> list[str]:
    """Comma-separated role names, upper-cased, blanks dropped."""
    return [r.strip().upper() for r in text.split(",") if r.strip()]


def user_token_claims(user: str, office: str, level: str | None, roles: list[str]) -> UserClaims:
    """The claims of a user token, or TokenRefused saying what is wrong with them."""
    if not user.strip():
        raise TokenRefused("the user id is empty")
    reserved = sorted(set(roles) & RESERVED_ROLES)
    if reserved:
        raise TokenRefused(f"roles {', '.join(reserved)} are reserved: a user token carrying them is refused; "
                           "use --service for a service token")
    unknown = sorted(set(roles) - set(Role.__members__))
    if unknown:
        raise TokenRefused(f"unknown roles {', '.join(unknown)} (O-3): known roles are {', '.join(Role.__members__)}")
    if not roles:
        raise TokenRefused("no role given (O-3): a token without a role may do nothing")
    level = (level or level_of(office)).upper()
    if level not in OFFICE_LEVELS:
        raise TokenRefused(f"unknown office level {level}: one of {', '.join(OFFICE_LEVELS)}")
    _check_office(office, level)
    return UserClaims(user_id=user.strip(), office_code=office, office_level=level, roles=tuple(roles))


def _check_office(office: str, level: str) -> None:
    if level == HEAD:
        if office != HEAD_OFFICE:
            raise TokenRefused(f"office {office!r} is not the head office: the head office is {HEAD_OFFICE} (O-1)")
        return
    if not _CODE_OF_LEVEL[level].fullmatch(office):
        prefix = "KW" if level == REGIONAL else "KC"
        raise TokenRefused(f"office {office!r} is not a {level.lower()} office code: expected {prefix}-<NAME>, "
                           f"e.g. {prefix}-{'SUMBAGUT' if level == REGIONAL else 'BINJAI'} (O-1)")


def mint_user_token(claims: UserClaims, ttl_seconds: int | None = None) -> str:
    """An embedded-mode user token (JWT_SECRET or the development secret)."""
    return mint_token(
        user_id=claims.user_id,
        office_code=claims.office_code,
        office_level=claims.office_level,
        roles=list(claims.roles),
        secret=os.environ.get("JWT_SECRET") or DEV_JWT_SECRET,
        issuer=os.environ.get("JWT_ISSUER", "jamsos"),
        ttl_seconds=ttl_seconds or USER_TTL_SECONDS,
    )


def mint_dev_service_token(service: str, ttl_seconds: int | None = None) -> str:
    """An embedded-mode service token (SERVICE_JWT_SECRET or the development service secret)."""
    if service not in SERVICES:
        raise TokenRefused(f"unknown service {service!r}: one of {', '.join(SERVICES)}")
    return mint_service_token(service, secret=os.environ.get("SERVICE_JWT_SECRET") or DEV_SERVICE_JWT_SECRET,
                              ttl_seconds=ttl_seconds or SERVICE_TTL_SECONDS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user", default="dev-user")
    parser.add_argument("--office", default=HEAD_OFFICE, help="office code, e.g. KP, KW-SUMBAGUT, KC-BINJAI")
    parser.add_argument("--level", default=None, choices=OFFICE_LEVELS, help="defaults from the office code prefix")
    parser.add_argument("--roles", default="HEAD_OFFICE_ADMIN", help="comma-separated roles (O-3)")
    parser.add_argument("--ttl", type=int, default=None, help="seconds (8 h for users, 5 min for services)")
    parser.add_argument("--service", choices=SERVICES, help="mint a service token for calls between services instead")
    args = parser.parse_args(argv)
    if args.service:
        print(mint_dev_service_token(args.service, args.ttl))
        return
    try:
        claims = user_token_claims(args.user, args.office, args.level, parse_roles(args.roles))
    except TokenRefused as refused:
        sys.exit(str(refused))
    print(mint_user_token(claims, args.ttl))


if __name__ == "__main__":
    main()
