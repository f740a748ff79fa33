"""Wiring of the welfare service. Its domain API comes with its own issue; until then it
runs the platform parts (health, reflection, metrics, outbox relay) on its database."""
from __future__ import annotations

from pathlib import Path

from services.chassis.runtime import ServiceDefinition
from services.welfare.adapters.tables import metadata, platform


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="welfare",
        metadata=metadata,
        tables=platform,
        migrations=Path(__file__).parent / "migrations",
        make_application=lambda settings, base: base,
        register=lambda server, app: [],
    )
