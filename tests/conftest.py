"""Root pytest fixtures: the test harness only (databases, Kafka broker, unique names).

Service-specific fixtures belong in the conftest.py of their own subfolder
(tests/chassis/, tests/membership/, ...). Everything heavy here is lazy: a
session that only runs SQLite tests never starts PostgreSQL, and one that never
asks for a broker never starts tansu.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from tests.harness.postgres import PostgresUnavailable, ThrowawayPostgres

if TYPE_CHECKING:  # imported lazily below: kafka-python is slow to import and noisy (see pytest_configure)
    from tests.harness.broker import TansuBroker


def pytest_configure(config: pytest.Config) -> None:
    """Silence kafka-python 3.0.12's ~200 importlib.resources deprecation warnings per run.

    They come from kafka/protocol/schemas/load_json.py (read_text/open_text)
    and bury the project's own warnings in the summary. The filter only covers
    kafka imported after configuration (test modules, fixtures), which is why
    this conftest imports the broker harness lazily.
    """
    config.addinivalue_line("filterwarnings", "ignore:read_text is deprecated:DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore:open_text is deprecated:DeprecationWarning")


@pytest.fixture(scope="session", autouse=True)
def _tests_look_as_the_platform() -> Iterator[None]:
    """The tests' own thread reads and seeds databases as this process's system principal
    (row security's system path, services/chassis/row_security.py): a test that counts rows
    through a service's engine must see every branch. Calls through the services carry
    their own caller (the gRPC wrapper, `request_context`), which this does not touch."""
    from services.chassis.context import SYSTEM, request_context

    with request_context(SYSTEM, None):
        yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    """A private PostgreSQL cluster for the whole session; skips when PostgreSQL is not installed."""
    try:
        server = ThrowawayPostgres()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    try:
        server.start()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: ThrowawayPostgres) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database (dropped, sessions and all, afterwards)."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """SQLAlchemy URL of a SQLite file in the test's tmp_path."""
    return f"sqlite:///{tmp_path}/test.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once per backend, ids ``[sqlite]`` and ``[postgres]``.

    The backend fixture is looked up lazily so ``-m "not postgres"`` (or a
    SQLite-only selection) never starts PostgreSQL.
    """
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[TansuBroker]:
    """The shared tansu broker. Do not stop or restart it; use ``restartable_broker`` for that.

    Its storage is in memory and shared by every test, so tests should use
    ``unique_name`` for topics and consumer groups.
    """
    from tests.harness.broker import TansuBroker

    broker = TansuBroker().start()
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def restartable_broker() -> Iterator[TansuBroker]:
    """A broker of the test's own, free to stop()/restart() (same port; data is lost on restart)."""
    from tests.harness.broker import TansuBroker

    broker = TansuBroker().start()
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Factory for collision-free topic/group/database names: ``unique_name("orders")`` -> ``orders-1a2b3c4d5e6f``."""

    def make(prefix: str = "t", sep: str = "-") -> str:
        return f"{prefix}{sep}{uuid.uuid4().hex[:12]}"

    return make
