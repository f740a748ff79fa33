"""Mint a development token (embedded mode, HS256 with the embedded secrets).

    python -m services.chassis.devtoken --office KC-BINJAI --level BRANCH --roles ADMINISTRATION_OFFICER
    python -m services.chassis.devtoken --service benefits     # a service token (SERVICE_JWT_SECRET)
    grpcurl -H "authorization: Bearer $(python -m services.chassis.devtoken ...)" ...
"""
from __future__ import annotations

import argparse
import os

import sys

from .auth import OFFICE_LEVELS, mint_service_token, mint_token
from .config import DEV_JWT_SECRET, DEV_SERVICE_JWT_SECRET, SERVICES
from .context import HEAD_OFFICE, RESERVED_ROLES


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
        print(mint_service_token(args.service, secret=os.environ.get("SERVICE_JWT_SECRET") or DEV_SERVICE_JWT_SECRET,
                                 ttl_seconds=args.ttl or 300))
        return
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    if set(roles) & RESERVED_ROLES:
        sys.exit(f"roles {', '.join(sorted(set(roles) & RESERVED_ROLES))} are reserved: a user token carrying them is "
                 "refused; use --service for a service token")
    level = args.level or _level_of(args.office)
    print(
        mint_token(
            user_id=args.user,
            office_code=args.office,
            office_level=level,
            roles=roles,
            secret=os.environ.get("JWT_SECRET") or DEV_JWT_SECRET,
            issuer=os.environ.get("JWT_ISSUER", "jamsos"),
            ttl_seconds=args.ttl or 8 * 3600,
        )
    )


def _level_of(office: str) -> str:
    if office.startswith("KW"):
        return "REGIONAL"
    if office.startswith("KC"):
        return "BRANCH"
    return "HEAD"


if __name__ == "__main__":
    main()
