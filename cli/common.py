"""What every area module shares: the session of the command and the --request-id option."""
from __future__ import annotations

from typing import Annotated

import typer

from .connection import Session

RequestId = Annotated[str | None, typer.Option(
    "--request-id", help="idempotency key: the same id retried changes nothing twice")]


def session_of(ctx: typer.Context) -> Session:
    session = ctx.find_root().obj
    assert isinstance(session, Session)
    return session
