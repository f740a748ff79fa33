"""Fixtures for the chassis tests: the widget service on a real server and database."""
from __future__ import annotations

import dataclasses

import grpc
import pytest
from sqlalchemy import create_engine

from services.chassis.auth import mint_token
from services.chassis.config import DEV_JWT_SECRET, DEV_SERVICE_JWT_SECRET, Settings
from services.chassis.runtime import ServiceRuntime
from tests.chassis import widget_service


def settings_for(database_url: str, bootstrap: str = "127.0.0.1:1", **overrides) -> Settings:
    base = Settings.from_env("membership")
    return dataclasses.replace(
        base, database_url=database_url, kafka_bootstrap_servers=bootstrap, grpc_port=0, http_port=0,
        relay_enabled=False, consumers_enabled=False, jwt_secret=DEV_JWT_SECRET, jwt_public_key=None,
        service_jwt_secret=DEV_SERVICE_JWT_SECRET, service_jwt_public_key=None, **overrides,
    )


def create_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    widget_service.metadata.create_all(engine)
    engine.dispose()


@pytest.fixture
def widget_runtime(database_url):
    create_schema(database_url)
    runtime = ServiceRuntime(widget_service.definition(), settings_for(database_url)).start(migrate=False)
    yield runtime
    runtime.stop(grace=0)


@pytest.fixture
def widget_channel(widget_runtime):
    with grpc.insecure_channel(f"127.0.0.1:{widget_runtime.grpc_port}") as channel:
        yield channel


@pytest.fixture
def branch_token() -> str:
    return mint_token(user_id="ani", office_code="KC-BINJAI", office_level="BRANCH",
                      roles=["ADMINISTRATION_OFFICER"], secret=DEV_JWT_SECRET)
