"""Wiring of the membership service: one place that builds every component.

Each component is a pair of modules: `application/<name>.py` with a `build(ctx)` that
returns its use cases, and `entrypoints/<name>.py` with a `register(server, use_cases)`
that adds its servicer and returns the gRPC service names.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from services.chassis.application import Application
from services.chassis.config import Settings
from services.chassis.runtime import ConsumerSpec, ServiceDefinition
from services.membership.adapters.office_directory import OfficeDirectory
from services.membership.adapters.tables import metadata, platform
from services.membership.application.context import MembershipContext
from services.membership.application.offices import OfficeUseCases

# Components beyond the office tree, in registration order.
COMPONENTS: tuple[str, ...] = ("employers", "pwbd", "workers", "cards")


@dataclass
class MembershipApp:
    ctx: MembershipContext
    offices: OfficeUseCases
    components: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["components"][name]
        except KeyError:
            raise AttributeError(name) from None


def make_application(settings: Settings, base: Application) -> MembershipApp:
    ctx = MembershipContext(base=base, directory=OfficeDirectory(base.session_factory))
    app = MembershipApp(ctx=ctx, offices=OfficeUseCases(ctx))
    app.offices.seed_default_if_empty()
    for name in COMPONENTS:
        app.components[name] = importlib.import_module(f"services.membership.application.{name}").build(ctx)
    return app


def register(server, app: MembershipApp) -> list[str]:
    from services.membership.entrypoints import offices

    names = offices.register(server, app.offices)
    for name in COMPONENTS:
        names += importlib.import_module(f"services.membership.entrypoints.{name}").register(server, app.components[name])
    return names


def consumers(app: MembershipApp) -> list[ConsumerSpec]:
    """Consumes the benefits service's death and disability events once they exist."""
    return []


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="membership",
        metadata=metadata,
        tables=platform,
        migrations=Path(__file__).parent / "migrations",
        make_application=make_application,
        register=register,
        consumers=consumers,
    )
