"""`jamsos token`: mint a development token, refusing one the platform would refuse.

The minting and the checks are the chassis's (`services.chassis.devtoken`, also behind
`make token`): reserved roles, roles the platform does not know and office codes whose
shape does not say their level are refused with exit 2 and the reason.
"""
from __future__ import annotations

from typing import Annotated

import typer

from services.chassis.config import SERVICES
from services.chassis.devtoken import (
    TokenRefused, mint_dev_service_token, mint_user_token, parse_roles, user_token_claims,
)

from . import errors
from .connection import Session
from .output import print_json


def mint(
    ctx: typer.Context,
    office: Annotated[str, typer.Option("--office", help="office code: KP, KW-<REGION>, KC-<BRANCH>")] = "KP",
    roles: Annotated[str, typer.Option("--roles", help="comma-separated roles (O-3)")] = "HEAD_OFFICE_ADMIN",
    user: Annotated[str, typer.Option("--user", help="user id (the token's sub)")] = "dev-user",
    level: Annotated[str | None, typer.Option("--level", help="HEAD, REGIONAL or BRANCH; defaults from the office code")] = None,
    ttl: Annotated[int | None, typer.Option("--ttl", min=1, help="seconds (8 h for users, 5 min for services)")] = None,
    service: Annotated[str | None, typer.Option("--service", help=f"a service token instead: one of {', '.join(SERVICES)}")] = None,
) -> None:
    """Mint an embedded-mode token (prints it; with --json its claims too)."""
    session: Session = ctx.obj
    try:
        if service:
            token = mint_dev_service_token(service, ttl)
            claims: dict[str, object] = {"service": service}
        else:
            found = user_token_claims(user, office, level, parse_roles(roles))
            token = mint_user_token(found, ttl)
            claims = {"user": found.user_id, "office": found.office_code, "office_level": found.office_level,
                      "roles": list(found.roles)}
    except TokenRefused as refused:
        raise errors.fail(f"token refused: {refused}", errors.BAD_INPUT, session.as_json,
                          code="INVALID_ARGUMENT") from None
    if session.as_json:
        print_json({"token": token, **claims})
    else:
        print(token)


