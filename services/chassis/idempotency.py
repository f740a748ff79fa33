"""Idempotent mutations: a client request id returns the stored result on retry.

The response is stored in the same transaction as the change it reports, so a retry
after a crash either finds both or neither. Keys are per caller (`Principal.caller_key`:
kind, office and user), so two offices' request ids never meet, and a replay of another
office's id is simply a new request of this caller, authorised as such. A request id
reused by the same caller for a *different* request is refused.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any, TypeVar

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from sqlalchemy import ColumnElement, Connection, Select, Table, Update, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .context import current_principal
from .prebuilt import PrebuiltConnection
from .row_security import dialect_of
from .errors import InvalidArgument

ResponseT = TypeVar("ResponseT", bound=Message)

MAX_REQUEST_ID_LENGTH = 100


def fingerprint(request: Message) -> str:
    """Hash of the request without its request_id, deterministic across processes."""
    copy = type(request)()
    copy.CopyFrom(request)
    if "request_id" in copy.DESCRIPTOR.fields_by_name:
        copy.ClearField("request_id")
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()


@functools.cache
def method_of(request_type: Descriptor) -> str:
    """The method ("Service/Method") whose request `request_type` is, from the contract
    itself, so no use case types a method name (and stored answers keep their keys)."""
    methods = [f"{service.name}/{method.name}" for service in request_type.file.services_by_name.values()
               for method in service.methods if method.input_type is request_type]
    if len(methods) != 1:
        raise ValueError(f"{request_type.full_name} is the request of {len(methods)} methods; name the method")
    return methods[0]


def caller_scoped_id(request_id: str) -> str:
    """A client's request id as its caller's own, for keys a use case stores itself (a bulk
    batch's rows): another office sending the same id never meets this one's rows."""
    return hashlib.sha256(f"{current_principal().caller_key}\0{request_id}".encode()).hexdigest()


def require_request_id(request_id: str) -> str:
    if not request_id:
        raise InvalidArgument.field("request_id", "required: a client-chosen id that makes retries safe")
    if len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise InvalidArgument.field("request_id", f"at most {MAX_REQUEST_ID_LENGTH} characters")
    return request_id


@dataclass(frozen=True)
class RequestKey:
    caller: str
    method: str
    request_id: str

    def where(self, table: Table) -> tuple[ColumnElement[bool], ...]:
        return (table.c.caller == self.caller, table.c.method == self.method, table.c.request_id == self.request_id)

    def params(self) -> dict[str, str]:
        """The key as the parameters of the prebuilt statements' WHERE clause (`_key_clause`)."""
        return {"key_caller": self.caller, "key_method": self.method, "key_request_id": self.request_id}

    def values(self) -> dict[str, str]:
        """The key as the row's columns."""
        return {"caller": self.caller, "method": self.method, "request_id": self.request_id}


Executor = Session | Connection | PrebuiltConnection

# The statements are built once per table (and dialect): building one per call cost four
# times its execution (statement, cache key), and every mutation of every service runs them.


def _key_clause(table: Table) -> tuple[ColumnElement[bool], ...]:
    return (table.c.caller == bindparam("key_caller"), table.c.method == bindparam("key_method"),
            table.c.request_id == bindparam("key_request_id"))


@functools.cache
def _stored(table: Table) -> Select[Any]:
    return select(table.c.request_fingerprint, table.c.response).where(*_key_clause(table))


@functools.cache
def _claim(table: Table, dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The row's values come with each execution (the compiled form is cached per column set).
    return (insert(table).on_conflict_do_nothing(index_elements=[table.c.caller, table.c.method, table.c.request_id])
            .returning(table.c.request_id))  # a row when inserted (rowcount is -1 on psycopg here)


@functools.cache
def _store(table: Table) -> Update:
    return update(table).where(*_key_clause(table))  # SET response from the execution's parameters


def stored_response(
    session: Executor, table: Table, key: RequestKey, request_fp: str, response_cls: type[ResponseT]
) -> ResponseT | None:
    row = session.execute(_stored(table), key.params()).first()
    if row is None:
        return None
    if row.request_fingerprint != request_fp:
        raise InvalidArgument.field("request_id", "already used for a different request")
    response = response_cls()
    response.ParseFromString(row.response)
    return response


def claim(session: Executor, table: Table, key: RequestKey, request_fp: str, response: bytes = b"") -> bool:
    """Insert the key before doing the work; False when the key is there already (a retry).

    A concurrent attempt with the same id waits on this insert (PostgreSQL: ON CONFLICT
    waits for the other transaction) or on the write lock (SQLite) until the first
    commits, then finds the key, so only one attempt ever runs the use case. One statement
    for a new request: no read first, no savepoint. With `response`, the key and its
    answer in one statement (`record_response`)."""
    result = session.execute(_claim(table, dialect_of(session).name), {
        **key.values(), "request_fingerprint": request_fp, "response": response, "created_at": datetime.now(UTC)})
    return result.first() is not None


def store_response(stored: PrebuiltConnection, table: Table, key: RequestKey, response: Message) -> None:
    """The claimed key's answer, written with the transaction's next statement (its commit)."""
    stored.defer(_store(table), {**key.params(), "response": response.SerializeToString(deterministic=True)})


def record_response(session: Executor, table: Table, key: RequestKey, request_fp: str, response: Message) -> bool:
    """The key and its answer written once, after the work, where the transaction has held
    the database's only write lock since its first statement (SQLite's BEGIN IMMEDIATE): no
    other attempt can have claimed the key since `stored_response` found nothing. False
    (nothing written) if one did all the same: the caller rolls back and looks again."""
    return claim(session, table, key, request_fp, response.SerializeToString(deterministic=True))
