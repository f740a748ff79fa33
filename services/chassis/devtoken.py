"""Mint a development token (embedded mode, HS256 with JWT_SECRET or the embedded default).

    python -m services.chassis.devtoken --office KC-BINJAI --level BRANCH --roles ADMINISTRATION_OFFICER
    grpcurl -H "authorization: Bearer $(python -m services.chassis.devtoken ...)" ...
"""
from __future__ import annotations

import argparse
import os

from .auth import OFFICE_LEVELS, mint_token
from .config import DEV_JWT_SECRET


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user", default="dev-user")
    parser.add_argument("--office", default="KP", help="office code, e.g. KP, KW-SUMBAGUT, KC-BINJAI")
    parser.add_argument("--level", default=None, choices=OFFICE_LEVELS, help="defaults from the office code prefix")
    parser.add_argument("--roles", default="HEAD_OFFICE_ADMIN", help="comma-separated roles (O-3)")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")
    args = parser.parse_args(argv)
    level = args.level or _level_of(args.office)
    print(
        mint_token(
            user_id=args.user,
            office_code=args.office,
            office_level=level,
            roles=[r.strip() for r in args.roles.split(",") if r.strip()],
            secret=os.environ.get("JWT_SECRET") or DEV_JWT_SECRET,
            issuer=os.environ.get("JWT_ISSUER", "jamsos"),
            ttl_seconds=args.ttl,
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
