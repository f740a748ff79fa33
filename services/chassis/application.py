"""Base of every service's application layer: units of work and idempotent use cases."""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, TypeVar
from collections.abc import Callable

from google.protobuf.message import Message
from sqlalchemy import Connection, Engine, Table
from sqlalchemy.orm import Session, sessionmaker

from . import idempotency, row_security
from .context import Principal, Refusal, current_principal
from .audit import audit_row
from .database import read_engine, writers_serialised
from .lookups import LookupConnection, Lookups
from .errors import Conflict
from .prebuilt import StatementCache
from .unit_of_work import UnitOfWork, insert_into

ResponseT = TypeVar("ResponseT", bound=Message)


class Application:
    """Holds the database of one service and runs its use cases in transactions."""

    def __init__(self, service: str, engine: Engine, session_factory: sessionmaker[Session], tables: dict[str, Table]):
        self.service = service
        self.engine = engine
        self.session_factory = session_factory
        self.tables = tables
        self._read_engine = read_engine(engine)
        self._lookups = Lookups(engine)
        self._statements = StatementCache(engine.dialect)  # the units of work's prebuilt statements
        # SQLite: the stored answer is looked up first and written once with the change;
        # elsewhere the key is claimed first (concurrent attempts wait on it) and answered last.
        self._writers_serialised = writers_serialised(engine)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.tables, producer=self.service, statements=self._statements)

    def record_refusals(self, principal: Principal, rpc: str, refusals: list[Refusal]) -> None:
        """Audit accesses the branch scope refused during one call (O-2), in a transaction
        of their own: the call's own transaction was rolled back with the refusal."""
        with self.engine.begin() as connection:
            connection.execute(insert_into(self.tables["audit"]), [
                audit_row("access.refused", refusal["subject"], {**refusal, "rpc": rpc}, refusal.get("outcome"),
                          principal=principal)
                for refusal in refusals])

    def audit(self, action: str, subject: str, detail: dict[str, Any] | str, reason: str | None = None) -> None:
        """An audit record in a short transaction of its own, for a read that must leave one
        (a lookup by identity): no unit of work, no Session, one INSERT."""
        with self.engine.begin() as connection:
            connection.execute(insert_into(self.tables["audit"]), audit_row(action, subject, detail, reason))

    def lookup(self, *, across_branches: bool = False) -> AbstractContextManager[LookupConnection]:
        """A connection for the hot lookups: statements built once, on the driver's cursor
        (`lookups.py` says when to use it). `across_branches` is the named system path of
        row security (row_security.py): for what must be found before the caller's scope
        applies (the record whose branch decides it, a national number), never to hand
        another branch's record to the caller."""
        return self._lookups.connection(across_branches=across_branches)

    def read_session(self, *, across_branches: bool = False) -> Connection:
        """A connection for queries only (never commit through it): Core statements, no ORM
        Session (whose setup per call cost more than a lookup's own query). Use it as a
        context manager; it rolls back and returns to the pool on leaving.
        `across_branches`: row security's named system path, as for `lookup`."""
        if across_branches:
            return self._read_engine.execution_options(**{row_security.ACROSS_BRANCHES: True}).connect()
        return self._read_engine.connect()

    def mutation(self, request: Message, response_cls: type[ResponseT],
                 use_case: Callable[[UnitOfWork], ResponseT]) -> ResponseT:
        """`mutate` for the method whose request `request` is (named from the contract).
        What the use case registers with `uow.after_commit` or `uow.count` runs once, after
        its commit, never for a retry answered from the stored response."""
        return self.mutate(idempotency.method_of(request.DESCRIPTOR), request, response_cls, use_case)

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
        the request's `request_id` field unless given explicitly; it is the caller's own
        (see `idempotency`), so callers authorise before they mutate and a stored answer
        only ever goes back to the caller it was made for.
        """
        request_id = idempotency.require_request_id(request_id if request_id is not None else getattr(request, "request_id", ""))
        key = idempotency.RequestKey(current_principal().caller_key, method, request_id)
        request_fp = idempotency.fingerprint(request)
        table = self.tables["idempotency"]
        for _attempt in range(3):
            with self.unit_of_work() as uow:
                stored = uow.prebuilt  # the stored answer's statements, on the transaction's cursor
                if self._writers_serialised:
                    # The write lock is held from this first statement: what it finds stays so.
                    previous = idempotency.stored_response(stored, table, key, request_fp, response_cls)
                    if previous is not None:
                        return previous
                elif not idempotency.claim(stored, table, key, request_fp):
                    previous = idempotency.stored_response(stored, table, key, request_fp, response_cls)
                    if previous is not None:
                        return previous
                    continue  # claimed by an attempt that then rolled back: try again
                response = use_case(uow)
                if self._writers_serialised:
                    if not idempotency.record_response(stored, table, key, request_fp, response):
                        continue  # recorded by another attempt after all: its answer is the one
                else:
                    idempotency.store_response(stored, table, key, response)
                uow.commit()
                return response
        raise Conflict(f"request {request_id} is being processed concurrently; retry with the same request id")
