"""Wiring of the benefits service on the service kit: the office replica behind the branch
scope, benefits' action table, its components, their consumers and, in the service process,
the daily payout job.

Components (`application/<name>.py` + `entrypoints/<name>.py`):
- `read_model` membership's and contributions' events into the facts claims are decided on
- `claims`     the claims workflow of JHT, JKK, JK and JPK (ClaimService)
- `payouts`    payment orders, JhtSettled, periodic schedules (PayoutService)
- `jpk`        facility registry, member's facility, coverage check, care records (JpkService)
- `rules`      the dated benefit rule tables, listed and added by the head office (BenefitRuleService)
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from services.benefits.adapters.tables import metadata, offices, platform
from services.benefits.application.payouts_daily import DailyPayoutLoop
from services.benefits.domain.roles import ACTIONS
from services.chassis.application import Application
from services.chassis.components import ComponentApp, component_service
from services.chassis.config import Settings
from services.chassis.runtime import ConsumerSpec, ServiceDefinition
from services.chassis.service_context import ServiceContext

COMPONENTS: tuple[str, ...] = ("read_model", "claims", "payouts", "jpk", "rules")


def make_context(settings: Settings, base: Application) -> ServiceContext:
    return ServiceContext(base=base, directory=offices.directory(base.session_factory), actions=ACTIONS)


def jobs(app: ComponentApp) -> list[tuple[str, Callable[[threading.Event], None]]]:
    """The daily payout beside the server until the runtime stops (each run is one
    transaction, so a process stopped mid-run has paid nothing of that run; the next pays it)."""
    return [("daily-payout", DailyPayoutLoop(app.payouts.daily).run)]


def consumers(app: ComponentApp) -> list[ConsumerSpec]:
    return [offices.consumer("benefits-offices", app.ctx.directory), *app.consumers()]


def definition() -> ServiceDefinition:
    return component_service("benefits", COMPONENTS, metadata=metadata, tables=platform, make_context=make_context,
                             consumers=consumers, jobs=jobs)
