"""Wiring of the benefits service on the service kit: the office replica behind the branch
scope, benefits' action table, its components, their consumers and, in the service process,
the daily payout job.

Components (`application/<name>.py` + `entrypoints/<name>.py`):
- `read_model` membership's and contributions' events into the facts claims are decided on
- `claims`     the claims workflow of JHT, JKK, JK and JPK (ClaimService)
- `payouts`    payment orders, JhtSettled, periodic schedules (PayoutService)
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from services.benefits.adapters.tables import metadata, offices, platform
from services.benefits.application.payouts_daily import DailyPayoutLoop
from services.benefits.domain.roles import ACTIONS
from services.chassis.application import Application
from services.chassis.components import ComponentApp, service_methods
from services.chassis.config import Settings
from services.chassis.runtime import ConsumerSpec, ServiceDefinition
from services.chassis.service_context import ServiceContext

COMPONENTS: tuple[str, ...] = ("read_model", "claims", "payouts")


def make_application(settings: Settings, base: Application) -> ComponentApp:
    ctx = ServiceContext(base=base, directory=offices.directory(base.session_factory), actions=ACTIONS)
    return ComponentApp("services.benefits", COMPONENTS, ctx).build()


def jobs(app: ComponentApp) -> list[tuple[str, Callable[[threading.Event], None]]]:
    """The daily payout beside the server until the runtime stops (each run is one
    transaction, so a process stopped mid-run has paid nothing of that run; the next pays it)."""
    return [("daily-payout", DailyPayoutLoop(app.payouts.daily).run)]


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
        jobs=jobs,
    )
