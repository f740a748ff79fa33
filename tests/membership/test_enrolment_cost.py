"""EnrolWorker's statements on SQLite, pinned (issue 14): a new member costs the employer's
lookup and one write transaction of 11 statements (16 in 2 transactions before), and a retry
is answered from the stored response after one read. Counted on the driver's connections
(sqlite3's trace callback), so the prebuilt statements that bypass SQLAlchemy count too."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import grpc
import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from services.membership.bootstrap import definition
from tests.membership.service.workers_fixtures import enrol_request, register_employer, workers_of
from tests.service_harness import Caller, start_service, token_for


class StatementLog:
    """The SQL the service's SQLite connections run while `recording`."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.recording = threading.Event()

    def trace(self, sql: str) -> None:
        if self.recording.is_set():
            self.statements.append(sql)

    def on_connect(self, dbapi_connection, _record) -> None:
        dbapi_connection.set_trace_callback(self.trace)

    def shapes(self) -> list[str]:
        """Each statement as its verb and table: `INSERT workers`, `BEGIN IMMEDIATE`."""
        shapes = []
        for sql in self.statements:
            words = re.findall(r"[A-Za-z_]+", sql)
            verb = words[0].upper()
            if verb in ("BEGIN", "COMMIT", "ROLLBACK"):
                shapes.append(" ".join(words[:2]).upper() if verb == "BEGIN" else verb)
            else:
                table = words[words.index("FROM") + 1] if verb == "SELECT" else words[2] if verb == "INSERT" else words[1]
                shapes.append(f"{verb} {table}")
        return shapes


@pytest.fixture
def traced(sqlite_url) -> Iterator[tuple[StatementLog, Caller]]:
    log = StatementLog()
    event.listen(Pool, "connect", log.on_connect)  # before the service opens its first connection
    runtime = start_service(definition(), sqlite_url)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
            yield log, lambda office, *roles, user=None: Caller(channel, token_for(office, *roles, user=user))
    finally:
        runtime.stop(grace=0)
        event.remove(Pool, "connect", log.on_connect)


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
    log.recording.set()
    first = stub.EnrolWorker(request)
    log.recording.clear()
    assert log.shapes() == NEW_MEMBER

    log.statements.clear()
    log.recording.set()
    again = stub.EnrolWorker(request)
    log.recording.clear()
    assert again == first
    assert log.shapes()[:3] == ["SELECT employers", "BEGIN IMMEDIATE", "SELECT idempotency_keys"]
    assert not [s for s in log.shapes() if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
