"""Wiring of the benefits service on the service kit: the office replica behind the branch
scope, benefits' action table, its rule tables. Claims come with their own issue as
components (`application/<name>.py` + `entrypoints/<name>.py`) listed in COMPONENTS."""
from __future__ import annotations

from pathlib import Path

from services.benefits.adapters.tables import metadata, offices, platform
from services.benefits.domain.roles import ACTIONS
from services.chassis.application import Application
from services.chassis.components import ComponentApp, service_methods
from services.chassis.config import Settings
from services.chassis.runtime import ConsumerSpec, ServiceDefinition
from services.chassis.service_context import ServiceContext

COMPONENTS: tuple[str, ...] = ()


def make_application(settings: Settings, base: Application) -> ComponentApp:
    ctx = ServiceContext(base=base, directory=offices.directory(base.session_factory), actions=ACTIONS)
    return ComponentApp("services.benefits", COMPONENTS, ctx).build()


def consumers(app: ComponentApp) -> list[ConsumerSpec]:
    return [offices.consumer("benefits-offices", app.ctx.directory), *app.consumers()]


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="benefits",
        metadata=metadata,
        tables=platform,
        migrations=Path(__file__).parent / "migrations",
        make_application=make_application,
        register=lambda server, app: app.register(server),
        service_methods=service_methods("services.benefits", COMPONENTS),
        consumers=consumers,
    )
