"""Base of every service's application layer: units of work and idempotent use cases."""
from __future__ import annotations

from typing import Callable, TypeVar

from google.protobuf.message import Message
from sqlalchemy import Engine, Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from . import idempotency
from .database import make_read_session_factory
from .errors import Conflict
from .unit_of_work import UnitOfWork

ResponseT = TypeVar("ResponseT", bound=Message)


class Application:
    """Holds the database of one service and runs its use cases in transactions."""

    def __init__(self, service: str, engine: Engine, session_factory: sessionmaker[Session], tables: dict[str, Table]):
        self.service = service
        self.engine = engine
        self.session_factory = session_factory
        self.tables = tables
        self._read_session_factory = make_read_session_factory(engine)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.tables, producer=self.service)

    def read_session(self) -> Session:
        """A session for queries only (never commit through it)."""
        return self._read_session_factory()

    def mutate(
        self,
        method: str,
        request: Message,
        response_cls: type[ResponseT],
        use_case: Callable[[UnitOfWork], ResponseT],
        *,
        request_id: str | None = None,
    ) -> ResponseT:
        """Run `use_case` once per request id: a retry gets the first result, unchanged.

        `use_case` changes state through `uow` and returns the response; commit happens
        here, together with the stored response and the outbox rows. The request id is
        the request's `request_id` field unless given explicitly.
        """
        request_id = idempotency.require_request_id(request_id if request_id is not None else request.request_id)
        request_fp = idempotency.fingerprint(request)
        table = self.tables["idempotency"]
        for _attempt in range(3):
            with self.unit_of_work() as uow:
                previous = idempotency.stored_response(uow.session, table, method, request_id, request_fp, response_cls)
                if previous is not None:
                    return previous
                try:
                    with uow.savepoint():
                        idempotency.claim(uow.session, table, method, request_id, request_fp)
                except IntegrityError:
                    continue  # a concurrent attempt with this id committed first: answer with its result
                response = use_case(uow)
                idempotency.store_response(uow.session, table, method, request_id, response)
                uow.commit()
                return response
        raise Conflict(f"request {request_id} is being processed concurrently; retry with the same request id")
