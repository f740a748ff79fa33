"""Fixtures of the fault suite: its size, and contributions as an OS process of its own."""
from __future__ import annotations

import pytest

from tests.faults import sizes
from tests.faults.processes import ServiceProcess, sigkill_broker


@pytest.fixture
def size() -> sizes.FaultSize:
    return sizes.current()


@pytest.fixture
def broker(restartable_broker):
    """The test's own broker, SIGKILLed at the end: tansu may sit out SIGTERM for its 5 s
    grace while clients are still connected, and nothing of it needs a clean stop."""
    yield restartable_broker
    if restartable_broker.is_running():
        sigkill_broker(restartable_broker)


@pytest.fixture
def service_processes():
    """`start(service, database_url, bootstrap, workdir)`: a ServiceProcess, stopped afterwards."""
    started: list[ServiceProcess] = []

    def start(service: str, database_url: str, bootstrap: str, workdir, **env: str) -> ServiceProcess:
        process = ServiceProcess(service, database_url, bootstrap, workdir, **env)
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()
