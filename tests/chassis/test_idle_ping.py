"""PostgreSQL connections are pinged at checkout only after being idle (`IDLE_PING_SECONDS`):
one handed back a moment ago goes straight to its statement; one idle longer is checked, and
when its backend is gone it is replaced before the caller's first statement, as
pool_pre_ping replaced it."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from services.chassis import database
from services.chassis.database import make_engine

pytestmark = pytest.mark.postgres


class Pings:
    """The pings the dialect makes (its do_ping), counted."""

    def __init__(self, engine, monkeypatch):
        self.count = 0
        ping = engine.dialect.do_ping

        def counted(dbapi_connection):
            self.count += 1
            return ping(dbapi_connection)
        monkeypatch.setattr(engine.dialect, "do_ping", counted)


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_back_a_moment_ago_is_not_pinged_one_idle_longer_is(postgres_url, monkeypatch):
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.3)
    engine = make_engine(postgres_url, pool_size=1)
    try:
        first = _backend(engine)  # a new connection: pinged once
        pings = Pings(engine, monkeypatch)
        for _ in range(5):
            assert _backend(engine) == first
        assert pings.count == 0
        time.sleep(0.4)
        assert _backend(engine) == first
        assert pings.count == 1
    finally:
        engine.dispose()


def test_an_idle_connection_whose_backend_is_gone_is_replaced_before_the_first_statement(postgres_url, monkeypatch):
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.3)
    engine = make_engine(postgres_url, pool_size=1)
    other = make_engine(postgres_url, pool_size=1)
    try:
        gone = _backend(engine)
        with other.connect() as connection:  # the server ends that backend (as a restart does)
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": gone}).scalar_one()
        time.sleep(0.4)
        replaced = _backend(engine)  # no error: the ping found it dead, the pool opened another
        assert replaced != gone
    finally:
        engine.dispose()
        other.dispose()
