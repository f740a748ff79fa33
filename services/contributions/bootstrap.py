"""Wiring of the contributions service: one place that builds every component.

Each component is a pair of modules: `application/<name>.py` with `build(ctx)` returning
its use cases, and `entrypoints/<name>.py` with `register(server, use_cases)` adding its
servicer and returning the gRPC service names. A component that consumes events also
exposes `consumers(use_cases) -> list[ConsumerSpec]` in its application module.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from services.chassis.application import Application
from services.chassis.config import Settings
from services.chassis.runtime import ConsumerSpec, ServiceDefinition
from services.contributions.adapters.office_directory import ReplicatedOfficeDirectory
from services.contributions.adapters.tables import metadata, platform
from services.contributions.application.context import ContributionsContext

COMPONENTS: tuple[str, ...] = ("rules", "read_model", "billing", "payments", "penalties", "reconciliation", "standing", "ledger")


@dataclass
class ContributionsApp:
    ctx: ContributionsContext
    components: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["components"][name]
        except KeyError:
            raise AttributeError(name) from None


def make_application(settings: Settings, base: Application) -> ContributionsApp:
    ctx = ContributionsContext(base=base, directory=ReplicatedOfficeDirectory(base.session_factory), settings=settings)
    app = ContributionsApp(ctx=ctx)
    for name in COMPONENTS:
        app.components[name] = importlib.import_module(f"services.contributions.application.{name}").build(ctx)
    return app


def register(server, app: ContributionsApp) -> list[str]:
    names: list[str] = []
    for name in COMPONENTS:
        names += importlib.import_module(f"services.contributions.entrypoints.{name}").register(server, app.components[name])
    return names


def consumers(app: ContributionsApp) -> list[ConsumerSpec]:
    specs: list[ConsumerSpec] = []
    for name in COMPONENTS:
        module = importlib.import_module(f"services.contributions.application.{name}")
        if hasattr(module, "consumers"):
            specs += module.consumers(app.components[name])
    return specs


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="contributions",
        metadata=metadata,
        tables=platform,
        migrations=Path(__file__).parent / "migrations",
        make_application=make_application,
        register=register,
        consumers=consumers,
    )
