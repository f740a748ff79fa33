"""Fixtures of the benefits service tests: one service per test module, ready with the
office tree. `service` is the SQLite one; a module where the database matters overrides it
with `benefits_both` (SQLite and PostgreSQL)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.benefits.bootstrap import definition
from tests.benefits.service.support import Callers, prepare
from tests.service_harness import shared_runtime


@pytest.fixture(scope="module")
def benefits(tmp_path_factory):
    yield from shared_runtime(definition(), SimpleNamespace(param="sqlite"), tmp_path_factory)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def benefits_both(request, tmp_path_factory):
    yield from shared_runtime(definition(), request, tmp_path_factory)


@pytest.fixture(scope="module")
def service(benefits):
    return benefits


@pytest.fixture(scope="module")
def feed(service):
    return prepare(service)


@pytest.fixture(scope="module")
def callers(service, feed):
    return Callers(service.channel)
