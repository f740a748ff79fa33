"""Fixtures of the welfare service tests: one service per module on SQLite (the few tests
whose outcome depends on the database run on PostgreSQL too, in their own modules)."""
from __future__ import annotations

import pytest

from tests.welfare.service.support import start_welfare


@pytest.fixture(scope="module")
def welfare(tmp_path_factory):
    service = start_welfare(f"sqlite:///{tmp_path_factory.mktemp('welfare')}/welfare.db")
    yield service
    service.close()
