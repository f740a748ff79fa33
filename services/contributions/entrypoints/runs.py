"""What the servicers of runs done in batches share (RecomputeStanding, RunYearlyReturns).

A run's batches commit on their own, before the answer is stored; so a retry with a request
id already answered must find the stored answer before any batch runs again.
"""
from __future__ import annotations

from typing import TypeVar

from google.protobuf.message import Message

from services.chassis import idempotency
from services.chassis.application import Application
from services.chassis.context import current_principal

ResponseT = TypeVar("ResponseT", bound=Message)


def answered_before(base: Application, request: Message, response_cls: type[ResponseT]) -> ResponseT | None:
    """The answer stored for this caller's request id, if any (a different request under
    the same id is InvalidArgument, as `Application.mutate` says)."""
    request_id = idempotency.require_request_id(getattr(request, "request_id", ""))
    key = idempotency.RequestKey(current_principal().caller_key, idempotency.method_of(request.DESCRIPTOR), request_id)
    with base.read_session() as connection:
        return idempotency.stored_response(connection, base.tables["idempotency"], key,  # type: ignore[arg-type]
                                           idempotency.fingerprint(request), response_cls)
