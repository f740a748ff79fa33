"""Wiring of the membership service: one place that builds every component.

Each component is a pair of modules: `application/<name>.py` with a `build(ctx)` that
returns its use cases, and `entrypoints/<name>.py` with a `register(server, use_cases)`
that adds its servicer and returns the gRPC service names.
"""
from __future__ import annotations

from services.chassis.application import Application
from services.chassis.components import ComponentApp, component_service
from services.chassis.config import Settings
from services.chassis.runtime import ConsumerSpec, ServiceDefinition
from services.membership.adapters.office_directory import OfficeDirectory
from services.membership.adapters.tables import metadata, platform
from services.membership.application import workers_benefit_events as benefit_events
from services.membership.application.context import MembershipContext

COMPONENTS: tuple[str, ...] = ("offices", "employers", "pwbd", "workers", "cards", "event_positions")


def make_context(settings: Settings, base: Application) -> MembershipContext:
    return MembershipContext(base=base, directory=OfficeDirectory(base.session_factory))


def consumers(app: ComponentApp) -> list[ConsumerSpec]:
    """The components' consumers, and benefits' death and total-disability events (M-8)."""
    return [*app.consumers(), *benefit_events.consumers(app.ctx)]


def definition() -> ServiceDefinition:
    return component_service("membership", COMPONENTS, metadata=metadata, tables=platform, make_context=make_context,
                             consumers=consumers)
