"""A service's periodic jobs run in the runtime's threads and stop with it (JOBS_ENABLED)."""
from __future__ import annotations

import dataclasses
import threading

import pytest

from services.chassis.runtime import ServiceRuntime
from tests.chassis import widget_service
from tests.chassis.conftest import create_schema, settings_for


class Ticker:
    """A job that counts its turns and records that it saw the stop."""

    def __init__(self):
        self.turns = 0
        self.started = threading.Event()
        self.stopped = threading.Event()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.turns += 1
            self.started.set()
            stop.wait(0.01)
        self.stopped.set()


@pytest.mark.parametrize("enabled", [True, False])
def test_jobs_run_beside_the_server_until_the_runtime_stops(database_url, enabled):
    create_schema(database_url)
    ticker = Ticker()
    definition = dataclasses.replace(widget_service.definition(), jobs=lambda app: [("ticker", ticker.run)])
    runtime = ServiceRuntime(definition, settings_for(database_url, jobs_enabled=enabled)).start(migrate=False)
    try:
        assert ticker.started.wait(5 if enabled else 0.3) is enabled
        assert [t.name for t in threading.enumerate() if t.name == "membership-ticker"] == (["membership-ticker"] if enabled else [])
    finally:
        runtime.stop(grace=0)
    assert ticker.stopped.is_set() is enabled  # stopped by the runtime's stop event, not left running
    assert not [t for t in threading.enumerate() if t.name == "membership-ticker"]


def test_a_job_still_running_after_the_stop_deadline_is_named_in_the_log(sqlite_url, caplog, monkeypatch):
    create_schema(sqlite_url)
    released = threading.Event()

    def stubborn(stop: threading.Event) -> None:
        released.wait(10)  # ignores the stop event: a job stuck in a call that does not return

    monkeypatch.setattr("services.chassis.runtime.THREADS_STOP_SECONDS", 0.2)
    definition = dataclasses.replace(widget_service.definition(), jobs=lambda app: [("stubborn", stubborn)])
    runtime = ServiceRuntime(definition, settings_for(sqlite_url, jobs_enabled=True)).start(migrate=False)
    try:
        with caplog.at_level("WARNING", logger="jamsos.runtime"):
            runtime.stop(grace=0)
        assert any("threads still running" in r.getMessage() and "membership-stubborn" in r.getMessage()
                   for r in caplog.records)
    finally:
        released.set()
