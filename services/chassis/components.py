"""Services are assembled from components: `application/<name>.py` exposes `build(ctx)`
(its use cases) and optionally `consumers(use_cases)`; `entrypoints/<name>.py` exposes
`register(server, use_cases)` returning the gRPC service names it added, and optionally
`SERVICE_METHODS`, the methods of its servicer that other services call with service tokens.
"""
from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import grpc

if TYPE_CHECKING:
    from .application import Application
    from .config import Settings
    from .runtime import ConsumerSpec, ServiceDefinition


@dataclass
class ComponentApp:
    """A service's context plus its built components, reachable as attributes (`app.workers`)."""

    package: str
    names: tuple[str, ...]
    ctx: Any
    components: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["components"][name]
        except KeyError:
            raise AttributeError(name) from None

    def build(self) -> ComponentApp:
        for name in self.names:
            self.components[name] = self._module("application", name).build(self.ctx)
        return self

    def register(self, server: grpc.Server) -> list[str]:
        return [service for name in self.names if self._has("entrypoints", name)
                for service in self._module("entrypoints", name).register(server, self.components[name])]

    def consumers(self) -> list[ConsumerSpec]:
        specs: list[ConsumerSpec] = []
        for name in self.names:
            module = self._module("application", name)
            if hasattr(module, "consumers"):
                specs += module.consumers(self.components[name])
        return specs

    def _module(self, layer: str, name: str) -> ModuleType:
        return importlib.import_module(f"{self.package}.{layer}.{name}")

    def _has(self, layer: str, name: str) -> bool:
        return importlib.util.find_spec(f"{self.package}.{layer}.{name}") is not None


def service_methods(package: str, names: tuple[str, ...]) -> frozenset[str]:
    """The full method names the components' entrypoints open to service tokens."""
    return frozenset(method for name in names
                     for method in getattr(importlib.import_module(f"{package}.entrypoints.{name}"), "SERVICE_METHODS", ()))


def component_service(name: str, components: tuple[str, ...], *, metadata: Any, tables: dict[str, Any],
                      make_context: Callable[[Settings, Application], Any],
                      consumers: Callable[[ComponentApp], list[ConsumerSpec]] | None = None,
                      jobs: Callable[[ComponentApp], list[tuple[str, Callable[[threading.Event], None]]]] | None = None,
                      ) -> ServiceDefinition:
    """The definition of `services.<name>` built from its components: migrations beside its
    package, servicers and consumers from its components (plus `consumers`, which replaces
    the components' list when given: it is passed the app and usually adds the kit's), jobs."""
    from .runtime import ServiceDefinition

    package = f"services.{name}"
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, package

    def make_application(settings: Settings, base: Application) -> ComponentApp:
        return ComponentApp(package, components, make_context(settings, base)).build()

    def consumers_of(app: object) -> list[ConsumerSpec]:
        built = cast(ComponentApp, app)
        return consumers(built) if consumers is not None else built.consumers()

    def jobs_of(app: object) -> list[tuple[str, Callable[[threading.Event], None]]]:
        return jobs(cast(ComponentApp, app)) if jobs is not None else []

    return ServiceDefinition(
        name=name, metadata=metadata, tables=tables, migrations=Path(spec.origin).parent / "migrations",
        make_application=make_application, register=lambda server, app: cast(ComponentApp, app).register(server),
        service_methods=service_methods(package, components), consumers=consumers_of, jobs=jobs_of,
    )
