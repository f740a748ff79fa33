"""EnrolWorker's statements on SQLite, pinned (issue 14): a new member costs the employer's
lookup and one write transaction of 11 statements (16 in 2 transactions before), and a retry
is answered from the stored response after one read. Counted on the driver's connections
(sqlite3's trace callback), so the prebuilt statements that bypass SQLAlchemy count too."""
from __future__ import annotations

import re
from collections.abc import Iterator

import grpc
import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from services.membership.bootstrap import definition
from tests.membership.service.workers_fixtures import enrol_request, register_employer, workers_of
from tests.harness.sqlite_trace import SqliteTrace
from tests.service_harness import Caller, start_service, token_for


def shapes(statements: list[str]) -> list[str]:
    """Each statement as its verb and table: `INSERT workers`, `BEGIN IMMEDIATE`."""
    found = []
    for sql in statements:
        words = re.findall(r"[A-Za-z_]+", sql)
        verb = words[0].upper()
        if verb in ("BEGIN", "COMMIT", "ROLLBACK"):
            found.append(" ".join(words[:2]).upper() if verb == "BEGIN" else verb)
        else:
            table = words[words.index("FROM") + 1] if verb == "SELECT" else words[2] if verb == "INSERT" else words[1]
            found.append(f"{verb} {table}")
    return found


@pytest.fixture
def traced(sqlite_url) -> Iterator[tuple[SqliteTrace, Caller]]:
    log = SqliteTrace()
    event.listen(Pool, "connect", log.watch)  # before the service opens its first connection
    runtime = start_service(definition(), sqlite_url)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
            yield log, lambda office, *roles, user=None: Caller(channel, token_for(office, *roles, user=user))
    finally:
        runtime.stop(grace=0)
        event.remove(Pool, "connect", log.watch)


NEW_MEMBER = [
    "SELECT employers",  # its branch decides the caller's scope, before the transaction
    "BEGIN IMMEDIATE",
    "SELECT idempotency_keys",  # a retry's stored answer
    "SELECT workers",  # the NIK's record, if any (M-3)
    "UPDATE number_sequences",  # the KPJ, from the national sequence
    "INSERT audit_log",
    "INSERT workers",
    "INSERT employments",
    "INSERT wage_history",
    "INSERT marital_status_history",
    "INSERT idempotency_keys",  # the key and its answer, written once
    "INSERT outbox",  # WorkerEnrolled
    "COMMIT",
]


def test_a_new_member_is_one_transaction_of_eleven_statements(traced):
    log, as_user = traced
    npp = register_employer(as_user)
    stub = workers_of(as_user)
    stub.EnrolWorker(enrol_request(npp))  # the first: statements compiled, sequence row made
    request = enrol_request(npp)
    with log.recording() as statements:
        first = stub.EnrolWorker(request)
    assert shapes(statements) == NEW_MEMBER

    with log.recording() as statements:
        again = stub.EnrolWorker(request)
    assert again == first
    assert shapes(statements)[:3] == ["SELECT employers", "BEGIN IMMEDIATE", "SELECT idempotency_keys"]
    assert not [s for s in shapes(statements) if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
