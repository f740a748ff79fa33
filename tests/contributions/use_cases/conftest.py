"""Contributions use cases run on their own: a real SQLite database migrated to head and the
application the service builds, with no gRPC server, no broker and no network. A use case
is called with the scope the caller's token would give (`scope_of`) and its command."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from services.chassis.application import Application
from services.chassis.context import BRANCH, Principal, request_context
from services.chassis.database import make_engine, make_session_factory
from services.chassis.migrations import upgrade_to_head
from services.chassis.scope import BranchScope
from services.contributions.bootstrap import definition
from services.contributions.domain.roles import ContributionsAction
from tests.service_harness import test_settings


@pytest.fixture
def app(sqlite_url):
    """The contributions application (its use cases and context) on a fresh SQLite file."""
    d = definition()
    engine = make_engine(sqlite_url)
    upgrade_to_head(engine, d.migrations)
    built = d.make_application(test_settings(d.name, sqlite_url),
                               Application(d.name, engine, make_session_factory(engine), d.tables))
    yield built
    engine.dispose()


@pytest.fixture
def runtime(app):
    """What the service tests' fixtures take (`runtime.app`), so their builders serve here too."""
    return SimpleNamespace(app=app)


@contextmanager
def acting(user: str, office: str, *roles: str) -> Iterator[Principal]:
    """The request context a token of `user` at a branch `office` would open."""
    principal = Principal(user_id=user, office_code=office, office_level=BRANCH, roles=frozenset(roles))
    with request_context(principal, f"unit-{user}"):
        yield principal


def scope_of(app, action: ContributionsAction) -> BranchScope:
    """O-3 and O-2 as the entrypoint applies them, for the principal in context."""
    return app.ctx.authorise(action)
