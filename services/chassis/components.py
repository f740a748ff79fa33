"""Services are assembled from components: `application/<name>.py` exposes `build(ctx)`
(its use cases) and optionally `consumers(use_cases)`; `entrypoints/<name>.py` exposes
`register(server, use_cases)` returning the gRPC service names it added, and optionally
`SERVICE_METHODS`, the methods of its servicer that other services call with service tokens.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import grpc

if TYPE_CHECKING:
    from .runtime import ConsumerSpec


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
