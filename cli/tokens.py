"""`jamsos token`: mint a development token, refusing one the platform would refuse.

The minting and the checks of the claims are the chassis's (`services.chassis.devtoken`):
reserved roles, roles the platform does not know and office codes whose shape does not say
their level are refused with exit 2 and the reason. Then the office must be one of the
running platform's office tree (membership's ListOffices, asked with the new token): a
token for an office nobody created would be refused nowhere and see nothing. `--offline`
mints without asking (the shape is still checked).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import grpc
import typer

from jamsos.membership.v1 import offices_pb2, offices_pb2_grpc
from services.chassis.config import SERVICES
from services.chassis.devtoken import (
    TokenRefused, UserClaims, mint_dev_service_token, mint_user_token, parse_roles, user_token_claims,
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
    offline: Annotated[bool, typer.Option("--offline", help="do not ask the running membership whether the office exists")] = False,
) -> None:
    """Mint an embedded-mode token for an office of the running platform's tree (prints it; with --json its claims too)."""
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
    if not service and not offline:
        _require_office_in_tree(session, token, found)
    if session.as_json:
        print_json({"token": token, **claims})
    else:
        print(token)


def _require_office_in_tree(session: Session, token: str, claims: UserClaims) -> None:
    """Refuses (exit 2) an office the running platform's tree does not have at the level claimed."""
    target = session.addresses["membership"]
    stub_of: Callable[[grpc.Channel], Any] = offices_pb2_grpc.OfficeServiceStub
    with grpc.insecure_channel(target) as channel:
        try:
            offices = stub_of(channel).ListOffices(
                offices_pb2.ListOfficesRequest(), metadata=[("authorization", f"Bearer {token}")],
                timeout=session.timeout).offices
        except grpc.RpcError as error:
            failure = errors.decode(error, "membership", target)
            failure.message = f"cannot check office {claims.office_code}: {failure.message}; or mint with --offline"
            errors.report(failure, session.as_json)
            raise typer.Exit(failure.exit_code) from None
    levels = {o.code: offices_pb2.OfficeLevel.Name(o.level).removeprefix("OFFICE_LEVEL_") for o in offices}
    if levels.get(claims.office_code) != claims.office_level:
        known = ", ".join(sorted(code for code, level in levels.items() if level == claims.office_level))
        raise errors.fail(f"token refused: office {claims.office_code} is not a {claims.office_level.lower()} "
                          f"office of the office tree at {target} (O-1): known are {known}", errors.BAD_INPUT,
                          session.as_json, code="INVALID_ARGUMENT")
